"""The ``gkplan`` command line: read options, then load -> query -> render.

This is the only module that knows exit codes, the clock and the environment.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer

from gkplan import query
from gkplan.errors import ExitCode, GkplanError, Severity, UsageError
from gkplan.model import Status
from gkplan.render.check import CheckFormat
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
TodayOption = Annotated[
    str | None,
    typer.Option("--today", help="按哪一天计算逾期，YYYY-MM-DD；默认取环境变量 GKPLAN_TODAY，或系统日期", show_default=False),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="输出格式：table、json、csv、md")]
UnitOption = Annotated[
    str | None,
    typer.Option("--unit", "-u", help="只看某单位（单位名、简称或单位组），如 就业培训科", show_default=False),
]
WarnOption = Annotated[int, typer.Option("--warn-days", min=0, help="黄灯预警：距截止日不超过多少天")]


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


def load(data: str | None) -> Any:
    """Load the workspace and say (on stderr) when the data has problems."""
    from gkplan.store import find_data_dir, load_workspace

    workspace = load_workspace(find_data_dir(data))
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
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = query.DEFAULT_WARN_DAYS,
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
    workspace = load(data)
    scope = query.resolve_scope(workspace.plans, unit)
    rows = query.rows_for(workspace.tasks, day, scope, warn_days)
    rows = query.sort_rows(query.apply_filters(rows, filters, workspace.plans))
    from gkplan.render.views import count_line, print_tasks

    print_tasks(Output.for_stream(), rows, fmt, qualified=workspace.qualified, summary=count_line(rows))


@command("overdue")
def overdue(
    unit: UnitOption = None,
    data: DataOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = query.DEFAULT_WARN_DAYS,
) -> None:
    """逾期任务：截止日期早于今天且未完成（今天到期的不算逾期），并列出未完成的单位。"""
    day = resolve_today(today)
    workspace = load(data)
    scope = query.resolve_scope(workspace.plans, unit)
    rows = query.sort_rows(query.overdue(query.rows_for(workspace.tasks, day, scope, warn_days)))
    from gkplan.render.views import print_tasks

    print_tasks(
        Output.for_stream(),
        rows,
        fmt,
        qualified=workspace.qualified,
        late_view=True,
        summary=f"截至 {day.isoformat()}，逾期 {len(rows)} 项。",
        empty=f"截至 {day.isoformat()}，没有逾期任务。",
    )


@command("due")
def due(
    within: Annotated[int, typer.Option("--within", "-w", min=0, help="今天起多少天内到期")] = query.DEFAULT_WARN_DAYS,
    unit: UnitOption = None,
    data: DataOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = query.DEFAULT_WARN_DAYS,
) -> None:
    """即将到期：截止日期在今天到今天+N天之间、尚未完成的任务。"""
    day = resolve_today(today)
    workspace = load(data)
    scope = query.resolve_scope(workspace.plans, unit)
    rows = query.sort_rows(query.due_within(query.rows_for(workspace.tasks, day, scope, warn_days), day, within))
    from gkplan.render.views import print_tasks

    print_tasks(
        Output.for_stream(),
        rows,
        fmt,
        qualified=workspace.qualified,
        summary=f"{day.isoformat()} 起 {within} 天内到期 {len(rows)} 项。",
        empty=f"{day.isoformat()} 起 {within} 天内没有到期的任务。",
    )


@command("show")
def show(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="任务序号，如 2；多个计划时写 2022:2", show_default=False)],
    data: DataOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = query.DEFAULT_WARN_DAYS,
) -> None:
    """查看一个任务的全部信息：章节、展开后的责任单位、日期、剩余或逾期天数、各单位进展。"""
    day = resolve_today(today)
    workspace = load(data)
    task = query.find_task(workspace.plans, task_id)
    row = query.evaluate(task, day, query.EVERYONE, warn_days)
    from gkplan.render.views import print_show

    print_show(Output.for_stream(), workspace.plan_of(task), row, fmt, workspace.qualified)


@command("units")
def units(
    data: DataOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """单位、类别、简称、单位组及各自的任务数。"""
    resolve_today(today)  # accepted like every reporting command, and still checked
    workspace = load(data)
    from gkplan.render.views import print_units

    print_units(Output.for_stream(), workspace.plans, query.task_counts(workspace.plans), fmt)


@command("summary")
def summary(
    data: DataOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = query.DEFAULT_WARN_DAYS,
) -> None:
    """每个单位一行：任务数、已完成、逾期、即将到期、完成率。"""
    day = resolve_today(today)
    workspace = load(data)
    from gkplan.render.views import print_summary

    print_summary(Output.for_stream(), query.summarize(workspace.plans, day, warn_days), fmt, warn_days)


@command("check")
def check(
    data: DataOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="警告也算失败（退出码 1），适合作为必须通过的 CI 检查")] = False,
    fmt: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="输出格式：text（默认）、json、github（GitHub Actions 注解）、gitlab（GitLab 代码质量报告）"),
    ] = CheckFormat.TEXT,
) -> None:
    """检查数据文件（tasks.yaml、units.yaml）：一次列出全部错误和警告，每条写明 文件:行:列 和改法。

    有错误时退出码为 1；只有警告时为 0（--strict 时为 1）。审阅合并请求前运行，或放进 CI。
    """
    from gkplan.render.check import print_check
    from gkplan.store import find_data_dir
    from gkplan.validate import check_data

    result = check_data(find_data_dir(data))
    print_check(sys.stdout, result, fmt, strict=strict)
    if result.failed(strict=strict):
        raise typer.Exit(code=int(ExitCode.PROBLEMS))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
