"""The ``gkplan`` command line: read options, then load -> query -> render.

This is the only module that knows exit codes, the clock and the environment.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from gkplan import query
from gkplan.errors import GkplanError, Severity, UsageError
from gkplan.model import Status
from gkplan.render.grid import Output
from gkplan.render.views import Format

app = typer.Typer(
    name="gkplan",
    help="政务公开工作要点任务跟踪：逾期提醒、按单位查看、进展登记。\n\n"
    "gkplan tracks a Chinese government office's yearly work plan kept as YAML in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
TODAY_ENV = "GKPLAN_TODAY"


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that also maps every ``GkplanError`` to stderr and its exit code."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return func(*a, **kw)
            except GkplanError as exc:
                print(f"gkplan: 错误：{exc}", file=sys.stderr)
                raise typer.Exit(code=int(exc.exit_code)) from None
            except BrokenPipeError:  # `gkplan list | head` is fine
                sys.stderr.close()
                raise typer.Exit(code=0) from None

        app.command(*args, **kwargs)(wrapper)
        return func

    return decorate


# Options shared by the reporting commands (the contract scripts rely on).
DataOption = Annotated[
    str | None,
    typer.Option(
        "--data",
        help="数据目录（含 tasks.yaml、units.yaml）；默认取环境变量 GKPLAN_DATA，或向上查找最近的 data/",
        show_default=False,
    ),
]
PlanOption = Annotated[
    list[str] | None,
    typer.Option("--plan", "-p", help="只看某个计划（计划编号，如 2022；可多次给出）；数据目录中有多个计划时使用", show_default=False),
]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", help="按哪一天计算逾期，YYYY-MM-DD；默认取环境变量 GKPLAN_TODAY，或系统日期", show_default=False),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="输出格式：table、json、csv、md")]
UnitOption = Annotated[
    str | None,
    typer.Option("--unit", "-u", help="只看某单位（单位名、简称或单位组），如 就业培训科", show_default=False),
]
WarnOption = Annotated[
    int | None,
    typer.Option(
        "--warn-days", min=0, help="黄灯预警：距截止日不超过多少天；默认取 settings.yaml 的 warn_days，没有则 14", show_default=False
    ),
]


def parse_day(text: str, what: str) -> date:
    """YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD); anything else is a usage error."""
    clean = text.strip()
    match = re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})", clean)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise UsageError(f"{what}「{text}」不是有效日期", hint="请写成 YYYY-MM-DD，例如 2022-10-08")


def resolve_today(option: str | None) -> date:
    if option:
        return parse_day(option, "--today")
    env = os.environ.get(TODAY_ENV)
    if env:
        return parse_day(env, f"环境变量 {TODAY_ENV}")
    return date.today()


def load(data: str | None, plans: list[str] | None = None) -> Any:
    """Load the workspace (``--plan``: only those plans) and say on stderr when the data has problems."""
    from gkplan.store import find_data_dir, load_workspace

    workspace = load_workspace(find_data_dir(data), tuple(plans or ()))
    errors = [p for p in workspace.problems if p.severity is Severity.ERROR]
    if errors:
        print(f"gkplan: 警告：数据有 {len(errors)} 处错误，报表可能不完整；首个：{errors[0]}", file=sys.stderr)
        print("gkplan: 运行 gkplan check 查看全部问题", file=sys.stderr)
    return workspace


def parse_statuses(values: list[str] | None) -> tuple[Status, ...]:
    statuses = []
    for value in values or []:
        for part in re.split(r"[,，、]", value):
            part = part.strip()
            if not part:
                continue
            try:
                statuses.append(Status(part))
            except ValueError:
                by_label = {s.label: s for s in Status}
                if part not in by_label:
                    raise UsageError(
                        f"--status「{part}」无效",
                        hint="可用：" + "、".join(f"{s.value}（{s.label}）" for s in Status),
                    ) from None
                statuses.append(by_label[part])
    return tuple(statuses)


@command("list")
def list_tasks(
    unit: UnitOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", "-s", help="按状态筛选：todo、doing、blocked、done、verified（可多次给出）", show_default=False),
    ] = None,
    section: Annotated[
        str | None,
        typer.Option("--section", help="按章节筛选：一、一（一）、1.1 或小标题中的文字", show_default=False),
    ] = None,
    search: Annotated[str | None, typer.Option("--search", help="在任务名称和内容中搜索文字", show_default=False)] = None,
    due_before: Annotated[str | None, typer.Option("--due-before", help="截止日期早于该日（YYYY-MM-DD）", show_default=False)] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", help="截止日期晚于该日（YYYY-MM-DD）", show_default=False)] = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
) -> None:
    """列出任务，按截止日期排序；--unit 时显示该单位自己的状态。"""
    day = resolve_today(today)
    filters = query.Filters(
        statuses=parse_statuses(status),
        section=section,
        search=search,
        due_before=parse_day(due_before, "--due-before") if due_before else None,
        due_after=parse_day(due_after, "--due-after") if due_after else None,
    )
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    rules = office_rules(workspace, warn_days)
    rows = query.rows_for(workspace.tasks, day, scope, rules.warn_days, stale_weeks=rules.stale_weeks)
    rows = query.sort_rows(query.apply_filters(rows, filters, workspace.plans))
    from gkplan.render.views import count_line, print_tasks

    print_tasks(Output.for_stream(), rows, fmt, qualified=workspace.qualified, summary=count_line(rows), scheme=rules.scheme)


@command("overdue")
def overdue(
    unit: UnitOption = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
) -> None:
    """逾期任务：截止日期早于今天且未完成（今天到期的不算逾期），并列出未完成的单位。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    candidates = query.due_before(workspace.tasks, day)
    rules = office_rules(workspace, warn_days)
    rows = query.sort_rows(query.overdue(query.rows_for(candidates, day, scope, rules.warn_days)))
    from gkplan.render.views import print_tasks

    print_tasks(
        Output.for_stream(),
        rows,
        fmt,
        qualified=workspace.qualified,
        late_view=True,
        summary=f"截至 {day.isoformat()}，逾期 {len(rows)} 项。",
        empty=f"截至 {day.isoformat()}，没有逾期任务。",
        scheme=rules.scheme,
    )


@command("due")
def due(
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            "-w",
            min=0,
            help="今天起多少天内到期；默认同黄灯预警天数（settings.yaml 的 warn_days，没有则 14）",
            show_default=False,
        ),
    ] = None,
    unit: UnitOption = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
) -> None:
    """即将到期：截止日期在今天到今天+N天之间、尚未完成的任务。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    rules = office_rules(workspace, warn_days)
    rows = query.rows_for(workspace.tasks, day, scope, rules.warn_days, stale_weeks=rules.stale_weeks)
    within = rules.warn_days if within is None else within
    rows = query.sort_rows(query.due_within(rows, day, within))
    from gkplan.render.views import print_tasks

    print_tasks(
        Output.for_stream(),
        rows,
        fmt,
        qualified=workspace.qualified,
        summary=f"{day.isoformat()} 起 {within} 天内到期 {len(rows)} 项。",
        empty=f"{day.isoformat()} 起 {within} 天内没有到期的任务。",
        scheme=rules.scheme,
    )


@command("show")
def show(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="任务序号，如 2；多个计划时写 2022:2", show_default=False)],
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
) -> None:
    """查看一个任务的全部信息：章节、展开后的责任单位、日期、剩余或逾期天数、各单位进展。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    task = query.find_task(workspace.plans, task_id)
    rules = office_rules(workspace, warn_days)
    row = query.evaluate(task, day, query.EVERYONE, rules.warn_days, stale_weeks=rules.stale_weeks)
    from gkplan.render.views import print_show

    print_show(Output.for_stream(), workspace.plan_of(task), row, fmt, workspace.qualified, rules.scheme)


@command("units")
def units(
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """单位、类别、简称、单位组及各自的任务数。"""
    resolve_today(today)  # accepted like every reporting command, and still checked
    workspace = load(data, plan)
    from gkplan.render.views import print_units

    print_units(Output.for_stream(), workspace.plans, query.task_counts(workspace.plans), fmt)


@command("summary")
def summary(
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
) -> None:
    """每个单位一行：任务数、已完成、逾期、即将到期、完成率。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    from gkplan.render.views import print_summary

    rules = office_rules(workspace, warn_days)
    print_summary(Output.for_stream(), query.summarize(workspace.plans, day, rules.warn_days), fmt, rules.warn_days, rules.scheme)


# --- reports for the meeting and for leaders: report, ics, review (issue 6) -------------------


class ReportFormat(StrEnum):
    TABLE = "table"
    MD = "md"
    HTML = "html"
    XLSX = "xlsx"


class ReviewFormat(StrEnum):
    TABLE = "table"
    MD = "md"
    JSON = "json"


_SUFFIX_FORMATS = {".md": ReportFormat.MD, ".markdown": ReportFormat.MD, ".html": ReportFormat.HTML, ".htm": ReportFormat.HTML}
_SUFFIX_FORMATS[".xlsx"] = ReportFormat.XLSX
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="写入文件（先写临时文件再改名，不会留下半个文件）；不写则输出到屏幕", show_default=False),
]
StaleOption = Annotated[
    int | None,
    typer.Option(
        "--stale-weeks",
        min=0,
        help="持续性任务（全年）某单位几周没有登记进展即亮黄灯；0 为不提示；默认取 settings.yaml",
        show_default=False,
    ),
]


def office_rules(workspace: Any, warn_days: int | None = None, stale_weeks: int | None = None, remind_days: int | None = None) -> Any:
    """The data folder's settings.yaml, with command-line options winning."""
    return workspace.settings.with_overrides(warn_days=warn_days, stale_weeks=stale_weeks, remind_days=remind_days)


def parse_since(text: str | None, today: date) -> date | str:
    """``--since``: a date (the last commit before it), else a git revision; default a week ago."""
    if text is None or not text.strip():
        return today - timedelta(days=7)
    try:
        return parse_day(text, "--since")
    except UsageError:
        return text.strip()


def emit(content: str | bytes, output: Path | None) -> None:
    """To ``-o FILE`` atomically, else to stdout."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return
    from gkplan.store.output import write_output

    write_output(output, data)
    print(f"gkplan: 已写入 {output}（{len(data):,} 字节）", file=sys.stderr)


@command("report")
def report(
    unit: UnitOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="“上次例会以来”从何时算起：日期（取该日之前数据的最后一次提交）或 git 版本（提交号、标签、HEAD~3）；默认 7 天前",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="table、md、html、xlsx；默认按 -o 的扩展名，否则 table", show_default=False),
    ] = None,
    output: OutputOption = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    warn_days: WarnOption = None,
    stale_weeks: StaleOption = None,
) -> None:
    """例会报告：概况、逾期、即将到期、各单位红黄绿灯，以及上次例会以来的变化（读 git 历史）。"""
    day = resolve_today(today)
    fmt = fmt or (_SUFFIX_FORMATS.get(output.suffix.lower(), ReportFormat.TABLE) if output else ReportFormat.TABLE)
    if fmt is ReportFormat.XLSX and output is None:
        raise UsageError("xlsx 格式需要用 -o 指定文件", hint="例如 gkplan report -o 例会报告.xlsx")
    since_value = parse_since(since, day)
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    from gkplan.report import build_report
    from gkplan.store.history import read_history

    history = read_history(workspace.root, since_value, keep=[p.id for p in workspace.plans] if plan else None)
    rules = office_rules(workspace, warn_days, stale_weeks)
    result = build_report(workspace.plans, day, rules, scope, history, qualified=workspace.qualified)
    if fmt is ReportFormat.TABLE and output is None:
        from gkplan.render.report_text import render_table

        render_table(result, Output.for_stream())
        return
    emit(render_report(result, fmt), output)


def render_report(result: Any, fmt: ReportFormat) -> str | bytes:
    if fmt is ReportFormat.HTML:
        from gkplan.render.report_html import render_html

        return render_html(result)
    if fmt is ReportFormat.XLSX:
        from gkplan.render.report_xlsx import render_xlsx

        return render_xlsx(result)
    from gkplan.render.report_text import render_markdown, render_table

    if fmt is ReportFormat.MD:
        return render_markdown(result)
    import io

    buffer = io.StringIO()
    render_table(result, Output(buffer))
    return buffer.getvalue()


@command("ics")
def ics(
    unit: UnitOption = None,
    output: OutputOption = None,
    remind_days: Annotated[
        int | None,
        typer.Option(
            "--remind-days", min=0, help="提前几天提醒（当天 9:00）；默认取 settings.yaml 的 remind_days，没有则 7", show_default=False
        ),
    ] = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
) -> None:
    """日历文件（iCalendar .ics）：每项任务的截止日一个全天日程，带提醒；重新导入会更新而不重复。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    from gkplan.agenda import build_agenda
    from gkplan.render.ics import render_ics

    rules = office_rules(workspace, remind_days=remind_days)
    agenda = build_agenda(workspace.plans, day, rules.remind_days, scope, qualified=workspace.qualified)
    if agenda.skipped:
        keys = "、".join(row.task.key(workspace.qualified) for row in agenda.skipped)
        print(f"gkplan: 跳过 {len(agenda.skipped)} 项没有确定日期的任务（无法定日或等待触发）：{keys}", file=sys.stderr)
    emit(render_ics(agenda, day), output)


@command("review")
def review(
    unit: UnitOption = None,
    fmt: Annotated[ReviewFormat, typer.Option("--format", "-f", help="输出格式：table、md、json")] = ReviewFormat.TABLE,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
) -> None:
    """回头看：各单位按时完成、逾期完成、逾期未完成和未到期的任务，用于年底逐项核查。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    scope = query.resolve_scope(workspace.plans, unit)
    from gkplan.render.review import print_review
    from gkplan.review import review as review_units

    print_review(Output.for_stream(), review_units(workspace.plans, day, scope), fmt.value, day, workspace.qualified)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
