"""The ``gkplan`` command line: read options, then load -> query -> render.

This is the only module that knows exit codes, the clock and the environment.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from gkplan import query
from gkplan.errors import ExitCode, GkplanError, Severity, UsageError
from gkplan.model import Status
from gkplan.render.check import CheckFormat
from gkplan.render.deadline import DateFormat
from gkplan.render.grid import Output
from gkplan.render.listings import Format

if TYPE_CHECKING:  # for annotations only: the modules load lazily, when a command needs them
    from gkplan.importer import ImportResult
    from gkplan.model import Settings
    from gkplan.report import Report
    from gkplan.store import TaskFilter, Workspace

app = typer.Typer(
    name="gkplan",
    help="政务公开工作要点任务跟踪：逾期提醒、按单位查看、进展登记。\n\n"
    "命令也可用中文名，如 gkplan 逾期（= overdue）、gkplan 清单（= list），见 README；gkplan --version 显示版本。\n\n"
    "gkplan tracks a Chinese government office's yearly work plan kept as YAML in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
TODAY_ENV = "GKPLAN_TODAY"


class ThisProcess:
    ends_after_report = False  # set by ``main``: this is the gkplan process, a finished report may end it (``finish``)


# One line per command for `gkplan --help`: the docstrings are full sentences, and rich wraps
# Chinese text only at spaces, so at 80 columns their first lines broke mid-phrase.
SHORT_HELP: dict[str, str] = {
    "list": "列出任务（按截止日期）；--unit 看本单位的部分",
    "overdue": "逾期任务和未完成的单位（例会前用）",
    "due": "N 天内到期、尚未完成的任务",
    "show": "一项任务的全部信息",
    "units": "单位、单位组及各自的任务数",
    "summary": "各单位一行：任务、完成、逾期、完成率、灯",
    "start": "登记某单位已开始（进行中）",
    "done": "登记某单位已完成自己的部分",
    "block": "登记某单位受阻（用 --note 写明原因）",
    "reopen": "把某单位改回未开始",
    "verify": "局办公室核销全部单位已完成的任务",
    "note": "给某单位的进展写说明",
    "import": "把任务分解表（Word、Excel、CSV）导入为 YAML",
    "init": "新建数据目录（tasks.yaml、units.yaml）",
    "date": "试读一个时间节点",
    "check": "检查数据文件，一次列出全部错误和警告",
    "report": "例会报告（终端、Markdown、HTML、Excel）",
    "ics": "导出日历文件（.ics），带提醒",
    "review": "回头看：各单位按时、逾期完成的情况",
    "remind": "催办：通过群机器人和邮件提醒各单位",
    "diff": "两个 git 版本之间，计划数据改了什么",
    "ledger": "导出单位的台账（Excel）供填写",
    "collect": "收集交回的台账，登记进展",
}


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that also maps every ``GkplanError`` to stderr and its exit code."""
    if args and "short_help" not in kwargs:
        kwargs["short_help"] = SHORT_HELP.get(args[0])

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return func(*a, **kw)
            except GkplanError as exc:
                from gkplan.textsafe import visible  # a message may quote data: one line, nothing sent raw

                print(f"gkplan: 错误：{visible(str(exc))}", file=sys.stderr)
                for detail in exc.details:
                    print(f"  {visible(detail)}", file=sys.stderr)
                raise typer.Exit(code=int(exc.exit_code)) from None
            except BrokenPipeError:  # `gkplan list | head` is fine
                sys.stderr.close()
                raise typer.Exit(code=0) from None
            except OSError as exc:  # only the output can fail here (data files fail as DataError): a full disk
                print(f"gkplan: 错误：无法写出结果：{exc.strerror or exc}（磁盘已满或设备不可写？）", file=sys.stderr)
                raise typer.Exit(code=int(ExitCode.DATA)) from None

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
RawCsvOption = Annotated[
    bool,
    typer.Option(
        "--raw-csv",
        help="CSV 单元格原样输出（默认在以 = + - @ 开头的单元格前加 '，防止电子表格把它当公式执行）；供脚本使用",
    ),
]
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


DAY_PATTERNS = (
    re.compile(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),  # 2022年10月8日, as a clerk writes it
)


def parse_day(text: str, what: str) -> date:
    """YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, 2022年10月8日); anything else is a usage error."""
    clean = text.strip()
    match = next((m for pattern in DAY_PATTERNS if (m := pattern.fullmatch(clean))), None)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise UsageError(f"{what}「{text}」不是有效日期", hint="请写成 YYYY-MM-DD，例如 2022-10-08（也可写 2022/10/08、2022年10月8日）")


def resolve_today(option: str | None) -> date:
    if option:
        return parse_day(option, "--today")
    env = os.environ.get(TODAY_ENV)
    if env:
        return parse_day(env, f"环境变量 {TODAY_ENV}")
    return date.today()


AllowErrorsOption = Annotated[
    bool,
    typer.Option("--allow-errors", help="数据有错误时照常以退出码 0 结束（输出中仍标明结果不完整）；默认退出码 5"),
]


DATA_ENV = "GKPLAN_DATA"


def data_dir(option: str | None) -> Path:
    """``--data``, else ``$GKPLAN_DATA``, else the nearest ``data/``; and how the store reads it
    (cache folder, size limit), decided from the environment here, once."""
    from gkplan.store import configure, find_data_dir

    configure(cache_dir=cache_location(), max_bytes=max_file_bytes())
    chosen, origin = (option, "--data") if option else (os.environ.get(DATA_ENV), DATA_ENV)
    return find_data_dir(chosen, origin=origin)


def cache_location() -> Path | None:
    """``$GKPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/gkplan``, else ``~/.cache/gkplan``
    (``%LOCALAPPDATA%`` on Windows); ``GKPLAN_NO_CACHE=1``: none."""
    if os.environ.get("GKPLAN_NO_CACHE"):
        return None
    if explicit := os.environ.get("GKPLAN_CACHE_DIR"):
        return Path(explicit)
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / "gkplan"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "gkplan" / "cache"
    return Path.home() / ".cache" / "gkplan"


def max_file_bytes() -> int:
    """``$GKPLAN_MAX_BYTES``: the largest data file gkplan reads (default 64 MB)."""
    from gkplan.store.reader import MAX_BYTES_DEFAULT

    try:
        return int(os.environ.get("GKPLAN_MAX_BYTES", MAX_BYTES_DEFAULT))
    except ValueError:
        return MAX_BYTES_DEFAULT


def terminal_output(stream: TextIO | None = None, *, raw_csv: bool = False) -> Output:
    """Where and how to print, from the stream and the environment (``NO_COLOR``, ``TERM``, ``COLUMNS``)."""
    stream = stream or sys.stdout
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    no_color = "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"
    return Output(stream, terminal, terminal and not no_color, terminal_width(stream), raw_csv)


def terminal_width(stream: TextIO) -> int:
    """An exported ``COLUMNS`` wins (bash sets it without exporting), then the terminal's own size."""
    from gkplan.render.grid import FALLBACK_WIDTH

    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(stream.fileno()).columns or FALLBACK_WIDTH
    except (AttributeError, ValueError, OSError):  # no file descriptor (tests' StringIO), or not a terminal
        return FALLBACK_WIDTH


def load(
    data: str | None, plans: list[str] | None = None, *, for_update: bool = False, warn: bool = True, only: TaskFilter | None = None
) -> Workspace:
    """Load the workspace (``--plan``: only those plans); ``warn``: say on stderr when the data has problems.

    Reports pass ``warn=False``: they show ``banner(workspace)`` in the output itself instead.
    """
    from gkplan.store import load_workspace

    workspace = load_workspace(data_dir(data), tuple(plans or ()), for_update=for_update, only=only)
    errors = [p for p in workspace.problems if p.severity is Severity.ERROR]
    if errors and warn:
        from gkplan.textsafe import visible

        print(f"gkplan: 警告：数据有 {len(errors)} 处错误，报表可能不完整；首个：{visible(str(errors[0]))}", file=sys.stderr)
        print("gkplan: 运行 gkplan check 查看全部问题", file=sys.stderr)
    return workspace


def banner(workspace: Workspace) -> str:
    """The line that marks a report drawn from data with errors ("" when the data is clean)."""
    from gkplan.errors import incomplete_banner

    return incomplete_banner(workspace.problems)


def announce(out: Output, text: str, fmt: str = "table") -> None:
    """Put the banner at the top of what a person reads; machine formats (JSON, CSV) keep their shape, so stderr."""
    if not text:
        return
    if fmt in ("table", "md"):
        from gkplan.render.grid import write_banner

        write_banner(out, text, markdown=fmt == "md")
    else:
        print(f"gkplan: 警告：{text}", file=sys.stderr)


def finish(text: str, allow_errors: bool) -> None:
    """A report drawn from data with errors ends with its own exit code, unless the user knowingly allows it.

    In the gkplan process itself (``main``, not a test's CliRunner) the report ends the
    process here, while what it printed is still in memory: returning would first free the
    objects of 20,000 tasks one by one (~20 ms of a warm ``list``) for nothing."""
    code = ExitCode.INCOMPLETE if text and not allow_errors else ExitCode.OK
    if ThisProcess.ends_after_report:
        exit_now(int(code))
    if code:
        raise typer.Exit(code=int(code))


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


@dataclass(frozen=True, slots=True)
class Reporting:
    """What every reporting command starts from: the day, the data, whose part, the office's
    rules, where to print and the banner of data with errors ("" when clean)."""

    day: date
    workspace: Workspace
    scope: query.Scope
    rules: Settings
    out: Output
    warning: str


def reporting(
    day: date,
    data: str | None,
    plans: list[str] | None,
    unit: str | None = None,
    *,
    fmt: str | None = None,
    warn_days: int | None = None,
    stale_weeks: int | None = None,
    remind_days: int | None = None,
    raw_csv: bool = False,
    only: TaskFilter | None = None,
) -> Reporting:
    """The reporting commands' shared prologue, in one order, so the first error a user sees
    is the same in each: load the data, resolve ``--unit``, the office's rules
    (``office_rules``: a settings.yaml with errors stops a report), then, with ``fmt``, the
    banner at the top of the output (``announce``). End with ``finish(run.warning, …)``."""
    workspace = load(data, plans, warn=False, only=only)
    scope = query.resolve_scope(workspace.plans, unit)
    rules = office_rules(workspace, warn_days, stale_weeks, remind_days)
    run = Reporting(day, workspace, scope, rules, terminal_output(raw_csv=raw_csv), banner(workspace))
    if fmt is not None:
        announce(run.out, run.warning, fmt)
    return run


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
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
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
    run = reporting(day, data, plan, unit, fmt=fmt, warn_days=warn_days, raw_csv=raw_csv)
    rows = query.rows_for(run.workspace.tasks, day, run.scope, run.rules.warn_days, stale_weeks=run.rules.stale_weeks)
    rows = query.sort_rows(query.apply_filters(rows, filters, run.workspace.plans))
    from gkplan.render.listings import count_line, print_tasks

    print_tasks(run.out, rows, fmt, qualified=run.workspace.qualified, summary=count_line(rows), scheme=run.rules.scheme)
    finish(run.warning, allow_errors)


@command("overdue")
def overdue(
    unit: UnitOption = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
) -> None:
    """逾期任务：截止日期早于今天且未完成（今天到期的不算逾期），并列出未完成的单位。"""
    day = resolve_today(today)
    # Only the tasks whose due date passed are built: on 20,000 tasks, most are not late.
    run = reporting(day, data, plan, unit, fmt=fmt, warn_days=warn_days, raw_csv=raw_csv, only=query.late_filter(day))
    candidates = query.due_before(run.workspace.tasks, day)
    rows = query.sort_rows(query.overdue(query.rows_for(candidates, day, run.scope, run.rules.warn_days)))
    from gkplan.render.listings import print_tasks

    print_tasks(
        run.out,
        rows,
        fmt,
        qualified=run.workspace.qualified,
        late_view=True,
        summary=f"截至 {day.isoformat()}，逾期 {len(rows)} 项。",
        empty=f"截至 {day.isoformat()}，没有逾期任务。",
        scheme=run.rules.scheme,
    )
    finish(run.warning, allow_errors)


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
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
) -> None:
    """即将到期：截止日期在今天到今天+N天之间、尚未完成的任务。"""
    day = resolve_today(today)
    run = reporting(day, data, plan, unit, fmt=fmt, warn_days=warn_days, raw_csv=raw_csv)
    rows = query.rows_for(run.workspace.tasks, day, run.scope, run.rules.warn_days, stale_weeks=run.rules.stale_weeks)
    within = run.rules.warn_days if within is None else within
    rows = query.sort_rows(query.due_within(rows, day, within))
    from gkplan.render.listings import print_tasks

    print_tasks(
        run.out,
        rows,
        fmt,
        qualified=run.workspace.qualified,
        summary=f"{day.isoformat()} 起 {within} 天内到期 {len(rows)} 项。",
        empty=f"{day.isoformat()} 起 {within} 天内没有到期的任务。",
        scheme=run.rules.scheme,
    )
    finish(run.warning, allow_errors)


@command("show")
def show(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="任务序号，如 2；多个计划时写 2022:2", show_default=False)],
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
) -> None:
    """查看一个任务的全部信息：章节、展开后的责任单位、日期、剩余或逾期天数、各单位进展。"""
    run = reporting(resolve_today(today), data, plan, warn_days=warn_days, raw_csv=raw_csv)
    task = query.find_task(run.workspace.plans, task_id)
    row = query.evaluate(task, run.day, query.EVERYONE, run.rules.warn_days, stale_weeks=run.rules.stale_weeks)
    from gkplan.render.listings import print_show

    announce(run.out, run.warning, fmt)  # after the task is found: an unknown id is the first thing said
    print_show(run.out, run.workspace.plan_of(task), row, fmt, run.workspace.qualified, run.rules.scheme)
    finish(run.warning, allow_errors)


@command("units")
def units(
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
) -> None:
    """单位、类别、简称、单位组及各自的任务数。"""
    resolve_today(today)  # accepted like every reporting command, and still checked
    workspace = load(data, plan, warn=False)
    from gkplan.render.listings import print_units

    out, warning = terminal_output(raw_csv=raw_csv), banner(workspace)
    announce(out, warning, fmt)
    print_units(out, workspace.plans, query.task_counts(workspace.plans), fmt)
    finish(warning, allow_errors)


@command("summary")
def summary(
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    fmt: FormatOption = Format.TABLE,
    warn_days: WarnOption = None,
    allow_errors: AllowErrorsOption = False,
    raw_csv: RawCsvOption = False,
) -> None:
    """每个单位一行：任务数、已完成、逾期、即将到期、完成率。"""
    run = reporting(resolve_today(today), data, plan, fmt=fmt, warn_days=warn_days, raw_csv=raw_csv)
    from gkplan.render.listings import print_summary

    tallies = query.tally_units(run.workspace.plans, run.day, run.scope, run.rules.warn_days, stale_weeks=run.rules.stale_weeks)
    print_summary(run.out, tallies, fmt, run.rules.warn_days, run.rules.scheme)
    finish(run.warning, allow_errors)


# --- Recording progress (登记进展): start / done / block / reopen / verify / note ---------------

USER_ENV = "GKPLAN_USER"
TaskArgument = Annotated[str, typer.Argument(metavar="ID", help="任务序号，如 2；多个计划时写 2022:2", show_default=False)]
ProgressUnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        "-u",
        help="登记哪个单位（单位名或简称，不能是单位组）；任务只有一个责任单位时可省略",
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", help="登记日期 YYYY-MM-DD；默认同 --today（GKPLAN_TODAY 或系统日期）", show_default=False),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="说明（可选）", show_default=False)]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="登记人；默认取环境变量 GKPLAN_USER，否则取数据目录的 git config user.name", show_default=False),
]


def resolve_user(by: str | None, folder: Path) -> str:
    """--by, else $GKPLAN_USER (even empty), else git's user.name for the data folder, else ""."""
    if by is not None:
        return by.strip()
    if USER_ENV in os.environ:
        return os.environ[USER_ENV].strip()
    import subprocess

    try:
        done = subprocess.run(["git", "config", "user.name"], cwd=folder, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def record(
    action: str,
    task_id: str,
    *,
    unit: str | None = None,
    when: str | None = None,
    note: str | None = None,
    by: str | None = None,
    data: str | None = None,
    today: str | None = None,
) -> None:
    """Shared body of the progress commands: load, find the task, write one change, say what changed."""
    from gkplan import updates
    from gkplan.store import known_content, remember_update
    from gkplan.store.writer import UpdateResult, plan_file, update_task

    for what, value in (("说明", note), ("--by", by), ("--unit", unit)):
        updates.refuse_hidden(value, what)
    now = resolve_today(today)
    day = parse_day(when, "--date") if when else now
    if when and day > now and action != "note":
        print(f"gkplan: 警告：登记日期 {day.isoformat()} 晚于今天（{now.isoformat()}）；写错了请用 --date 改正后重新登记", file=sys.stderr)
    workspace = load(data, for_update=True, only=query.task_id_filter(task_id))
    result: UpdateResult | None = None
    try:
        task = query.find_task(workspace.plans, task_id)
        plan = workspace.plan_of(task)
        key = task.key(workspace.qualified)
        kind = updates.Action(action)
        user = "" if kind is updates.Action.NOTE else resolve_user(by, workspace.root)
        updates.refuse_hidden(user, "登记人（GKPLAN_USER 或 git user.name）")
        request = updates.Request(
            kind,
            unit=unit,
            day=None if kind is updates.Action.NOTE else day,
            note=None if note is None else note.strip(),
            by=user,
        )
        result = update_task(plan_file(plan), plan, task.id, request, key, known=known_content(workspace, task))
    finally:
        remember_update(workspace, result)  # the snapshot saved once; the written file's parse patched, not parsed again
    from gkplan.textsafe import printable

    print(printable(updates.describe(result.before, result.after, result.edit, request, key, changed=result.changed)))


def progress_command(action: str, summary: str) -> None:
    """Register ``gkplan ACTION``: one unit's status change, all four with the same options."""

    def run(
        task_id: TaskArgument,
        unit: ProgressUnitOption = None,
        when: DateOption = None,
        note: NoteOption = None,
        by: ByOption = None,
        data: DataOption = None,
        today: TodayOption = None,
    ) -> None:
        record(action, task_id, unit=unit, when=when, note=note, by=by, data=data, today=today)

    run.__doc__ = summary
    command(action)(run)


progress_command("start", "登记某单位已开始这项任务（进行中）。")
progress_command("done", "登记某单位已完成自己的部分；全部责任单位完成后任务即为已完成。")
progress_command("block", "登记某单位受阻（建议用 --note 写明原因）。")
progress_command("reopen", "把某单位改回未开始；任务如已核销，核销记录一并撤销。")


@command("verify")
def verify(
    task_id: TaskArgument,
    note: NoteOption = None,
    by: ByOption = None,
    when: DateOption = None,
    data: DataOption = None,
    today: TodayOption = None,
) -> None:
    """局办公室核销：确认全部责任单位都已完成的任务（有未完成单位时拒绝）。"""
    record("verify", task_id, when=when, note=note, by=by, data=data, today=today)


@command("note")
def note(
    task_id: TaskArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help='说明文字；写 "" 删除说明', show_default=False)],
    unit: ProgressUnitOption = None,
    data: DataOption = None,
) -> None:
    """给某单位的进展写说明，不改状态和日期。"""
    record("note", task_id, unit=unit, note=text, data=data)


# --- import / init: next year's 任务分解表 from Word, Excel or CSV (issue 7) -------------------

YearOption = Annotated[
    int | None,
    typer.Option("--year", min=2000, max=2100, help="计划年度；默认取表格标题中的年份", show_default=False),
]
TitleOption = Annotated[
    str | None,
    typer.Option("--title", help="计划标题；默认取表格上方的标题（去掉“任务分解表”）", show_default=False),
]


def safe_lines(lines: list[str]) -> str:
    """Lines that may quote an imported table's text: each stays one line, no control character sent."""
    from gkplan.textsafe import visible

    return "\n".join(visible(line) for line in lines)


def _read_plan_table(source: str, known: list[str], year: int | None, title: str | None) -> ImportResult:
    from pathlib import Path

    from gkplan.importer import import_tables
    from gkplan.store.reader import display_path
    from gkplan.store.tables import read_tables

    path = Path(source)
    return import_tables(read_tables(path), shown=display_path(path), known_units=known, year=year, title=title)


PLAN_FILES = {".yaml": "yaml", ".yml": "yaml"}


@command("import")
def import_plan(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="任务分解表：Word（.docx）、Excel（.xlsx）或 CSV（.csv）", show_default=False)
    ],
    year: YearOption = None,
    title: TitleOption = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="写到哪个文件；默认数据目录中的“年份.yaml”；- 表示打印到标准输出", show_default=False),
    ] = None,
    data: DataOption = None,
) -> None:
    """把新一年的任务分解表导入为计划文件（YAML），并报告读到的行、任务、单位和时间节点。"""
    from dataclasses import replace
    from pathlib import Path

    from gkplan.errors import DataError
    from gkplan.render.import_text import import_summary
    from gkplan.store import UNITS_FILE, load_units, load_workspace
    from gkplan.store.atomic import atomic_write, refuse_existing
    from gkplan.store.drafts import check_plan_text, emit_plan
    from gkplan.store.reader import display_path

    try:
        root: Path | None = data_dir(data)
    except DataError:
        if output is None or data:
            raise
        root = None  # -o without a data root: nothing to check the units against
    directory = load_units(root / UNITS_FILE)[0] if root and (root / UNITS_FILE).is_file() else None
    result = _read_plan_table(file, directory.known_names() if directory else [], year, title)
    target: Path | None = root / f"{result.plan.year}.yaml" if root else None
    if output is not None:
        from gkplan.store import data_files
        from gkplan.store.targets import choose_output

        target, _ = choose_output(output, PLAN_FILES, default="yaml", protected=data_files(root) if root else ())
    plan_id = target.stem if target and target.name != "tasks.yaml" else str(result.plan.year)
    if target:
        refuse_existing(target, display_path(target))  # before anything else: the clearest reason comes first
    if root and target:
        try:
            taken = {p.id: p.source.path if p.source else "" for p in load_workspace(root).plans}
        except DataError:
            taken = {}
        if plan_id in taken:
            raise UsageError(
                f"数据目录中已有编号为 {plan_id} 的计划（{taken[plan_id]}）",
                hint="请用 -o 另取文件名（文件名即计划编号），例如 -o " + display_path(root / f"{plan_id}-new.yaml"),
            )
    shown_target = display_path(target) if target else "标准输出"
    origin = (f"由 gkplan import 从 {Path(file).name} 导入；请与原表核对后再提交。",)
    result.plan = replace(result.plan, id=plan_id, origin=origin)
    text = emit_plan(result.plan)
    problems = check_plan_text(text, shown_target, directory) if directory else []
    if target:
        atomic_write(target, text.encode("utf-8"), exclusive=True)
    else:
        sys.stdout.write(text)
    units_file = display_path(root / UNITS_FILE) if root else UNITS_FILE
    lines = import_summary(result, source=file, target=shown_target, directory=directory, units_file=units_file, problems=problems)
    print(safe_lines(lines), file=sys.stderr if target is None else sys.stdout)


@command("init")
def init(
    directory: Annotated[str, typer.Argument(metavar="DIR", help="新数据目录，如 data（不存在则创建）", show_default=False)],
    source: Annotated[
        str | None,
        typer.Option("--from", help="从任务分解表（.docx、.xlsx、.csv）导入任务和责任单位", show_default=False),
    ] = None,
    year: YearOption = None,
    title: TitleOption = None,
) -> None:
    """为刚开始使用的单位建立数据目录：tasks.yaml 和列出全部责任单位的 units.yaml；不覆盖已有文件。"""
    from dataclasses import replace
    from pathlib import Path

    from gkplan.importer import suggest_units
    from gkplan.render.import_text import import_summary, init_lines
    from gkplan.store import TASKS_FILE, UNITS_FILE
    from gkplan.store.atomic import atomic_write
    from gkplan.store.drafts import PlanDraft, check_plan_text, check_units_text, emit_plan, emit_units
    from gkplan.store.reader import display_path

    folder = Path(directory)
    tasks_path, units_path = folder / TASKS_FILE, folder / UNITS_FILE
    for path in (tasks_path, units_path):
        if path.exists():
            hint = "新一年的计划请用 gkplan import 加入已有的数据目录"
            raise UsageError("文件已存在，gkplan init 不会覆盖它", where=display_path(path), hint=hint)
    result = _read_plan_table(source, [], year, title) if source else None
    if result is None:
        plan_year = year or resolve_today(None).year
        plan = PlanDraft(str(plan_year), title or f"{plan_year}年工作要点", plan_year, origin=("由 gkplan init 建立。",))
        units, groups = suggest_units([])
    else:
        origin = (f"由 gkplan init 从 {Path(source or '').name} 导入；请与原表核对后再提交。",)
        plan = result.plan = replace(result.plan, origin=origin)
        units, groups = suggest_units(result.units)
    found = f"由 gkplan init 从 {Path(source).name} 建立：表中出现的全部责任单位。" if source else "由 gkplan init 建立。"
    units_text = emit_units(units, groups, [found])
    new_units, problems = check_units_text(units_text, display_path(units_path))
    plan_text = emit_plan(plan)
    problems += check_plan_text(plan_text, display_path(tasks_path), new_units)
    atomic_write(units_path, units_text.encode("utf-8"), exclusive=True)
    atomic_write(tasks_path, plan_text.encode("utf-8"), exclusive=True)
    lines = [f"已建立数据目录 {display_path(folder)}：{TASKS_FILE}、{UNITS_FILE}"]
    if result is not None:
        shown_tasks, shown_units = display_path(tasks_path), display_path(units_path)
        summary = import_summary(
            result, source=source or "", target=shown_tasks, directory=new_units, units_file=shown_units, problems=problems
        )
        lines += summary
    to_fill = [g.name for g in groups if not g.active]
    empty = result is None or not result.tasks
    lines += init_lines(len(units), sum(g.active for g in groups), to_fill, display_path(units_path), display_path(tasks_path), empty=empty)
    print(safe_lines(lines))


# --- gkplan date (deadline engine, issue 3) ---------------------------------


@command("date")
def date_command(
    phrase: Annotated[
        str,
        typer.Argument(metavar="PHRASE", help="时间节点原文，如 9月底前、每季度、出台后5个工作日内"),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "-y",
            help="计划年度；默认取 --today（或 GKPLAN_TODAY）的年份，其次 --from 的年份，再次系统日期的年份",
            show_default=False,
        ),
    ] = None,
    anchor: Annotated[
        str | None,
        typer.Option("--from", help="相对时限的起算日（当天不计），YYYY-MM-DD", show_default=False),
    ] = None,
    today: TodayOption = None,
    fmt: Annotated[DateFormat, typer.Option("--format", "-f", help="输出格式：table、json")] = DateFormat.TABLE,
) -> None:
    """试读一个时间节点：gkplan 如何理解它（类型、开始、截止、说明）。读不懂时列出可用的写法。"""
    from gkplan.deadlines import resolve_deadline
    from gkplan.render.deadline import print_deadline

    day = resolve_today(today)
    given_today = bool(today or os.environ.get(TODAY_ENV))
    start = parse_day(anchor, "--from") if anchor else None
    plan_year = year if year is not None else (day.year if given_today or start is None else start.year)
    deadline = resolve_deadline(phrase, plan_year, anchor=start)
    print_deadline(terminal_output(), deadline, fmt, year=plan_year, today=day if given_today else None, anchor=start)


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
    from gkplan.validate import check_data

    result = check_data(data_dir(data))
    print_check(sys.stdout, result, fmt, strict=strict)
    if result.failed(strict=strict):
        raise typer.Exit(code=int(ExitCode.PROBLEMS))


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


REPORT_FILES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}  # -o extension -> format
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="写入文件（扩展名决定格式；先写临时文件再改名，不会留下半个文件）；不写或写 - 则输出到屏幕",
        show_default=False,
    ),
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


def office_rules(
    workspace: Workspace, warn_days: int | None = None, stale_weeks: int | None = None, remind_days: int | None = None
) -> Settings:
    """The data folder's settings.yaml, with command-line options winning.

    A settings.yaml with errors stops the report (exit 3): lights drawn by the
    default rules instead of the office's own would mislead the meeting.
    """
    from gkplan.errors import DataError

    errors = [p for p in workspace.settings_problems if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        count = f"（共 {len(errors)} 处错误，gkplan check 可列出全部）" if len(errors) > 1 else ""
        raise DataError(f"报表规则文件有误：{first.message}{count}", where=first.where, hint=first.hint, code=first.code)
    return workspace.settings.with_overrides(warn_days=warn_days, stale_weeks=stale_weeks, remind_days=remind_days)


def parse_since(text: str | None, today: date) -> date | str:
    """``--since``: a date (the last commit before it), else a git revision; default a week ago."""
    if text is None or not text.strip():
        return today - timedelta(days=7)
    try:
        return parse_day(text, "--since")
    except UsageError:
        return text.strip()


def output_target(option: str | None, offered: dict[str, str], fmt: str | None, default: str, workspace: Any) -> tuple[Path | None, str]:
    """``-o``: stdout or a file whose extension the command offers, never a data file (``store.targets``)."""
    from gkplan.store import data_files
    from gkplan.store.targets import choose_output

    return choose_output(option, offered, fmt, default=default, protected=data_files(workspace.root) if workspace else ())


def send_output(content: str | bytes | Iterable[bytes], output: Path | None) -> None:
    """To ``-o FILE`` atomically, else to stdout; bytes may come in pieces (a 25 MB calendar)."""
    pieces = [content.encode("utf-8")] if isinstance(content, str) else [content] if isinstance(content, bytes) else content
    if output is None:
        sys.stdout.flush()
        for piece in pieces:
            if hasattr(sys.stdout, "buffer"):  # bytes as they are: an .ics keeps its CRLF line ends
                sys.stdout.buffer.write(piece)
            else:
                sys.stdout.write(piece.decode("utf-8"))
        sys.stdout.flush()
        return
    from gkplan.store.atomic import atomic_write

    written = atomic_write(output, pieces)
    from gkplan.textsafe import visible

    print(visible(f"gkplan: 已写入 {output}（{written:,} 字节）"), file=sys.stderr)


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
    allow_errors: AllowErrorsOption = False,
) -> None:
    """例会报告：概况、逾期、即将到期、各单位红黄绿灯，以及上次例会以来的变化（读 git 历史）。"""
    day = resolve_today(today)
    since_value = parse_since(since, day)
    run = reporting(day, data, plan, unit, warn_days=warn_days, stale_weeks=stale_weeks)  # the report carries its banner
    target, chosen = output_target(output, REPORT_FILES, fmt.value if fmt else None, ReportFormat.TABLE.value, run.workspace)
    fmt = ReportFormat(chosen)
    if fmt is ReportFormat.XLSX and target is None:
        raise UsageError("xlsx 格式需要用 -o 指定文件", hint="例如 gkplan report -o 例会报告.xlsx")
    from gkplan.report import build_report
    from gkplan.store.history import read_history

    history = read_history(run.workspace.root, since_value, keep=[p.id for p in run.workspace.plans] if plan else None)
    workspace, warning = run.workspace, run.warning
    result = build_report(workspace.plans, day, run.rules, run.scope, history, qualified=workspace.qualified, banner=warning)
    if fmt is ReportFormat.TABLE:
        from gkplan.render.report_text import render_table

        render_table(result, run.out)
    else:
        send_output(render_report(result, fmt), target)
        if target is not None:  # the file carries the banner; say it where the person is too
            announce(run.out, warning, "file")
    finish(warning, allow_errors)


def render_report(result: Report, fmt: ReportFormat) -> str | bytes:
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
    allow_errors: AllowErrorsOption = False,
) -> None:
    """日历文件（iCalendar .ics）：每项任务的截止日一个全天日程，带提醒；重新导入会更新而不重复。"""
    day = resolve_today(today)
    run = reporting(day, data, plan, unit, remind_days=remind_days)
    target, _ = output_target(output, {".ics": "ics"}, None, "ics", run.workspace)
    from gkplan.agenda import build_agenda
    from gkplan.render.ics import ics_pieces

    agenda = build_agenda(run.workspace.plans, day, run.rules.remind_days, run.scope, qualified=run.workspace.qualified)
    if agenda.skipped:
        keys = "、".join(row.task.key(run.workspace.qualified) for row in agenda.skipped)
        from gkplan.textsafe import visible

        print(visible(f"gkplan: 跳过 {len(agenda.skipped)} 项没有确定日期的任务（无法定日或等待触发）：{keys}"), file=sys.stderr)
    announce(run.out, run.warning, "ics")  # on stderr; the calendar's description says it too
    send_output(ics_pieces(agenda, day, banner=run.warning), target)
    finish(run.warning, allow_errors)


@command("review")
def review(
    unit: UnitOption = None,
    fmt: Annotated[ReviewFormat, typer.Option("--format", "-f", help="输出格式：table、md、json")] = ReviewFormat.TABLE,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    allow_errors: AllowErrorsOption = False,
) -> None:
    """回头看：各单位按时完成、逾期完成、逾期未完成和未到期的任务，用于年底逐项核查。"""
    day = resolve_today(today)
    workspace = load(data, plan, warn=False)
    scope = query.resolve_scope(workspace.plans, unit)
    from gkplan.render.review_text import print_review
    from gkplan.review import review as review_units

    out, warning = terminal_output(), banner(workspace)
    announce(out, warning, fmt.value)
    print_review(out, review_units(workspace.plans, day, scope), fmt.value, day, workspace.qualified)
    finish(warning, allow_errors)


# --- 催办: reminders through group robots and e-mail (issue 18) ---------------------------------

REMIND_BACKOFF_ENV = "GKPLAN_REMIND_BACKOFF"  # seconds before the first retry (tests set it small)


@command("remind")
def remind(
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", help="只催这些单位（单位名、简称或单位组；可多次给出）", show_default=False),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", "-c", help="只用这些渠道（settings.yaml 中渠道的 name；可多次给出）", show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示每个渠道将发送的内容，不发送")] = False,
    workdays_only: Annotated[
        bool, typer.Option("--workdays-only", help="今天不是工作日（周末、法定节假日；调休上班日算工作日）时什么也不做，退出码 0")
    ] = False,
    remind_days: Annotated[
        int | None,
        typer.Option(
            "--remind-days", min=0, help="催办几天内到期的任务；默认取 settings.yaml 的 remind_days，没有则 7", show_default=False
        ),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="每次请求最多等待的秒数；超时和 5xx 最多再试 2 次")] = 10.0,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
) -> None:
    """催办：把各单位逾期和即将到期的任务发到企业微信、钉钉、飞书群机器人和各单位邮箱（渠道见 settings.yaml）。"""
    day = resolve_today(today)
    if workdays_only:
        from gkplan.workdays import covers, is_workday

        if not is_workday(day):
            print(f"gkplan: {day.isoformat()} 不是工作日，不发送催办（--workdays-only）", file=sys.stderr)
            return
        if not covers(day.year):
            print(f"gkplan: 警告：节假日数据不含 {day.year} 年，按周一至周五判断工作日", file=sys.stderr)
    workspace = load(data, plan)
    rules = office_rules(workspace, remind_days=remind_days)
    from gkplan.remind import build_reminders, select_channels

    wanted: list[str] = []
    for name in unit or []:
        wanted.extend(u for u in query.resolve_scope(workspace.plans, name).units if u not in wanted)
    channels = select_channels(rules.channels, channel or [])
    reminders = build_reminders(workspace.plans, day, rules.remind_days, tuple(wanted), qualified=workspace.qualified)
    unset = frozenset(name for c in channels for name in c.env_names() if not os.environ.get(name, "").strip())
    if dry_run:
        from gkplan.render.remind_text import dry_run as dry_run_text
        from gkplan.textsafe import printable

        sys.stdout.write(printable(dry_run_text(reminders, channels, unset)))  # the terminal's rule on top of the chat's
        return
    if not channels:
        raise UsageError("settings.yaml 没有配置催办渠道（remind: channels:）", hint="写法见 README 催办一节；可先用 --dry-run 预览内容")
    if not reminders.units:
        print(f"截至 {day.isoformat()}，没有单位有逾期或 {rules.remind_days} 天内到期的任务，不发送催办。")
        return
    send_reminders(reminders, channels, timeout)


def send_reminders(reminders: Any, channels: Any, timeout: float) -> None:
    """Send, then say per channel what went out and what failed (exit 1 when any channel failed)."""
    import math
    import time

    from gkplan.delivery import DEFAULT_BACKOFF, Clock, Retry, deliver
    from gkplan.render.remind_text import outcome_lines

    text = os.environ.get(REMIND_BACKOFF_ENV, "").strip()
    try:
        backoff = float(text) if text else DEFAULT_BACKOFF
    except ValueError:
        backoff = -1.0
    if not (math.isfinite(backoff) and 0 <= backoff <= 60):
        raise UsageError(f"环境变量 {REMIND_BACKOFF_ENV}「{text}」应是 0 到 60 之间的秒数", hint="例如 0.5；不设则为 2")
    secrets = {name: os.environ.get(name) for c in channels for name in c.env_names()}
    outcomes = deliver(reminders, channels, secrets, Retry(backoff=backoff, timeout=timeout), Clock(time.time, time.sleep))
    done, problems = outcome_lines(reminders, outcomes)
    for line in done:
        print(line)
    for line in problems:
        print(f"gkplan: {line}", file=sys.stderr)
    if any(not o.ok for o in outcomes):
        raise typer.Exit(code=int(ExitCode.PROBLEMS))


# --- review of a change: diff (issue 19) ----------------------------------------------------


class DiffFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    JSON = "json"
    GITHUB = "github"


@command("diff")
def diff(
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="BASE",
            help="与哪个版本比较（分支、标签、提交号）；默认取与默认分支（origin/HEAD、main 或 master）的分叉点，没有则 HEAD",
            show_default=False,
        ),
    ] = None,
    head: Annotated[
        str | None, typer.Option("--head", metavar="版本", help="比较到哪个版本；默认为工作区（含未提交的修改）", show_default=False)
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="text、md（合并请求评论）、json、github（CI 注解）")] = DiffFormat.TEXT,
    data: DataOption = None,
) -> None:
    """计划数据在两个 git 版本之间改了什么：任务、截止日期、进展、单位，以及受影响的任务。有差异时退出码也是 0。"""
    from gkplan.plandiff import diff_snapshots
    from gkplan.render.diff_formats import print_diff
    from gkplan.store.revisions import default_base, file_changes, open_repository, resolve_revision, short, snapshot

    repo = open_repository(data_dir(data))
    head_rev = resolve_revision(repo, head, "--head") if head is not None else None
    if base is not None:
        base_rev, base_name = resolve_revision(repo, base, "比较的版本"), base
    else:
        base_rev, base_name = default_base(repo, head_rev)
    base_label = f"{base_name}（{short(repo, base_rev)}）"
    head_label = f"{head}（{short(repo, head_rev)}）" if head_rev and head is not None else "工作区"
    old, new = snapshot(repo, base_rev, base_label), snapshot(repo, head_rev, head_label)
    files = file_changes(repo, base_rev, head_rev)
    print_diff(terminal_output(), diff_snapshots(old, new, files.renamed, files.touched), fmt.value)


# --- 台账报送: ledger / collect (issue 17) ----------------------------------------------------


@command("ledger")
def ledger(
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit", "-u", help="导出哪个单位的台账（单位名、简称或单位组；可多次给出）；不写则全部单位，各一张表", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="写入的 .xlsx 文件；默认按计划、单位和日期命名（不覆盖已有文件）", show_default=False),
    ] = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
    warn_days: WarnOption = None,
    allow_errors: AllowErrorsOption = False,
) -> None:
    """台账：导出单位的进展登记表（Excel），发给单位填写新状态、完成日期、说明，再用 gkplan collect 收回。"""
    day = resolve_today(today)
    workspace = load(data, plan)
    target, _ = output_target(str(output), {".xlsx": "xlsx"}, None, "xlsx", workspace) if output is not None else (None, "xlsx")
    rules = office_rules(workspace, warn_days)
    from gkplan.ledger import build_ledger, ledger_file_name, ledger_units, single_plan
    from gkplan.render.ledger_xlsx import render_ledgers

    chosen = single_plan(workspace.plans)
    units, skipped = ledger_units(chosen, unit)
    if not units:
        raise UsageError(
            f"{'、'.join(skipped) or '没有单位'}在计划 {chosen.id} 中没有任务，无需导出台账", hint="用 gkplan units 查看各单位的任务数"
        )
    ledgers = [build_ledger(chosen, name, day, rules.warn_days, rules.stale_weeks) for name in units]
    if output is None:
        target = Path(ledger_file_name(chosen, units if unit else [], day))
        if target.exists():
            hint = f"请先收集或移走它，或用 -o 指定文件名，如 -o {target.stem}-2.xlsx"
            raise UsageError(f"已有文件「{target}」，不覆盖（可能是单位交回的台账）", hint=hint)
    send_output(render_ledgers(ledgers, rules.scheme), target)
    from gkplan.textsafe import visible

    said = sys.stdout if target is not None else sys.stderr  # -o -: the workbook is on stdout
    for item in ledgers:
        late = sum(r.row.overdue for r in item.rows)
        print(visible(f"{item.unit}：{len(item.rows)} 项任务" + (f"，其中逾期 {late} 项" if late else "")), file=said)
    if skipped:
        print(visible(f"没有任务、未导出：{'、'.join(skipped)}"), file=sys.stderr)
    finish(banner(workspace), allow_errors)  # data with errors: the ledger may lack tasks (load said so on stderr)


@command("collect")
def collect(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="单位交回的台账（可多个）：.xlsx 或另存的 .csv", show_default=False),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="只显示将对数据文件做的改动（git diff 格式），不写入")] = False,
    force: Annotated[bool, typer.Option("--force", help="导出后数据中的进展已改动（冲突）时，仍按台账登记")] = False,
    by: Annotated[str | None, typer.Option("--by", help="登记人；默认取台账所属单位的名称", show_default=False)] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="只收该单位的台账：交错了别的单位的台账会被拒绝", show_default=False)
    ] = None,
    data: DataOption = None,
    plan: PlanOption = None,
    today: TodayOption = None,
) -> None:
    """收集单位交回的台账，把新状态、完成日期、说明登记到数据文件：每一行都通过检查才写入，否则一个字节都不改。"""
    now = resolve_today(today)
    workspace = load(data, plan)
    from gkplan.ledger import plan_collect
    from gkplan.render.collect import change_lines, diff_text, summary_line
    from gkplan.store.ledger_files import read_ledger_files
    from gkplan.store.reader import display_path
    from gkplan.store.writer import FileEdit, plan_file, update_files

    sheets, unreadable = read_ledger_files(files)
    changes, ledgers = plan_collect(workspace.plans, sheets, today=now, by=by, force=force, unit=unit, unreadable=unreadable)
    edits = [
        FileEdit(plan_file(p), p, tuple((c.filled.task_id, c.key(workspace.qualified), c.decide_on) for c in changes if c.plan is p))
        for p in workspace.plans
        if any(c.plan is p for c in changes)
    ]
    results = update_files(edits, write=not dry_run)
    shown = [display_path(result.path) for result in results]
    if dry_run:
        sys.stdout.write(diff_text(results, shown))
    else:
        for line in change_lines(results):
            print(line)
    print(summary_line(results, ledgers, shown, dry_run=dry_run), file=sys.stderr if dry_run else sys.stdout)


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command being run, when ``args`` names one.

    Typer turns every registered command into a click command on each start
    (about 14 ms for all of ours) though only one runs, and start-up is felt on
    every call. ``gkplan``, ``gkplan --help`` or a mistyped command get the whole
    app, so listings and "no such command" errors stay complete.
    """
    if not args or args[0].startswith("-"):
        return app
    from typer.main import get_command_name

    chosen = [
        info for info in app.registered_commands if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == args[0]
    ]
    if len(chosen) != 1:
        return app
    slim = typer.Typer(add_completion=False, pretty_exceptions_show_locals=app.pretty_exceptions_show_locals)
    slim.info = app.info
    slim.registered_commands = chosen
    slim.callback()(_group)  # a callback keeps it a group: ``gkplan overdue …`` is parsed as with the whole app
    return slim


def _group() -> None:
    """A no-op: the group needs a callback."""


def main() -> None:
    import gc

    # One command is a short process and the model holds no reference cycles: the cyclic
    # collector only re-walks the objects of a 20,000-task plan again and again (its cost
    # grows faster than the plan), and the process's exit frees everything anyway.
    gc.disable()
    ThisProcess.ends_after_report = True
    exit_now(run(sys.argv[1:]))


def exit_now(code: int) -> None:
    """End the process once its output is out, without tearing the heap down.

    A report on 20,000 tasks leaves ~700,000 objects; freeing them one by one at exit cost
    ~30 ms (5 % of a warm ``overdue``) for nothing. Every file gkplan writes is closed (and
    renamed into place) before the command returns, so only the two streams need flushing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # `gkplan list | head`: the reader left (stderr is closed then)
            pass
        except OSError:  # a full disk behind a redirect: fail as Python's own exit does
            code = code or 120
    os._exit(code)


def run(argv: list[str]) -> int:
    """Run one command line; usage errors become one Chinese line and exit code 2 (see gkplan.usage)."""
    from gkplan import usage

    args = usage.expand_alias(argv)
    if args[:1] in (["--version"], ["-V"]):
        from gkplan import __version__

        print(f"gkplan {__version__}")
        return int(ExitCode.OK)
    if not _stdout_takes_chinese():
        return _cannot_print()
    from typer.main import get_command

    click_usage_error: type[Exception] = typer.BadParameter.__mro__[1]  # click's UsageError (Typer 0.29 vendors click)

    command = get_command(app_for(args))
    if not args or "-h" in args or "--help" in args:  # help only: Typer's help module loads rich
        usage.chinese_help(command)
    try:
        result = command.main(args=args, prog_name="gkplan", standalone_mode=False)
    except click_usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # ``gkplan`` alone: the help, already shown
            return int(ExitCode.USAGE)
        print(f"gkplan: {usage.usage_message(exc, args, _command_names())}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except typer.Abort:
        print("gkplan: 已中止", file=sys.stderr)
        return 130
    except UnicodeEncodeError:
        return _cannot_print()
    return result if isinstance(result, int) else int(ExitCode.OK)


def _command_names() -> list[str]:
    from typer.main import get_command_name

    return sorted(info.name or get_command_name(getattr(info.callback, "__name__", "")) for info in app.registered_commands)


def _stdout_takes_chinese() -> bool:
    try:
        "中文".encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _cannot_print() -> int:
    """stdout cannot encode Chinese (PYTHONIOENCODING=ascii, an old code page): say so in one line, in UTF-8."""
    encoding = getattr(sys.stdout, "encoding", None) or "?"
    line = (
        f"gkplan: error: the output encoding ({encoding}) cannot show Chinese; set PYTHONIOENCODING=utf-8 "
        f"(PowerShell: $env:PYTHONIOENCODING='utf-8') / 输出编码 {encoding} 无法显示中文，请设置 PYTHONIOENCODING=utf-8\n"
    )
    stream = getattr(sys.stderr, "buffer", None)
    if stream is not None:
        stream.write(line.encode("utf-8"))
        stream.flush()
    else:
        sys.stderr.write(line.encode("ascii", "replace").decode("ascii"))
    return int(ExitCode.USAGE)


if __name__ == "__main__":
    main()
