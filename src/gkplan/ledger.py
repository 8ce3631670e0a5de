"""台账报送: what a unit's progress ledger holds, and what a filled one asks to change. Pure: no I/O, no clock.

``gkplan ledger`` exports, per unit, one row per task the unit is responsible for;
the unit fills in 新状态 / 完成日期 / 说明 and sends it back; ``gkplan collect``
turns each changed row into the ``Request`` that ``start``/``done``/``block``/
``reopen``/``note`` would make, so the same rules and the same writer apply.

A ledger carries a *stamp*: plan, unit, export date and, per row, the unit's
progress at export and a fingerprint of the task and that progress. The stamp
tells a cell the unit edited from one it left alone (the pre-filled 说明), and
a conflict (the YAML changed since export) from a ledger collected twice (the
YAML already says what the row asks: nothing to do).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from gkplan import query
from gkplan.errors import UpdateRefused, UsageError
from gkplan.model import DEFAULT_WARN_DAYS, STATUS_LABELS, UNIT_STATUSES, Plan, RawSheet, Refusal, Status, Task
from gkplan.textsafe import CONTROL
from gkplan.updates import Action, Request

SHEET_TITLE = "进展登记"  # the one sheet of a one-unit ledger; several units: one sheet per unit, titled by its name
HEADERS = ("序号", "任务名称", "任务内容", "时间节点", "截止日期", "当前状态", "新状态", "完成日期", "说明")
EDITABLE = ("新状态", "完成日期", "说明")
STATUS_CHOICES = tuple(STATUS_LABELS[s] for s in UNIT_STATUSES)  # 未开始 进行中 受阻 已完成
STAMP_MARK = "gkplan-ledger:"  # starts the stamp text, wherever it is kept
STAMP_VERSION = 1

_ACTIONS = {Status.TODO: Action.REOPEN, Status.DOING: Action.START, Status.BLOCKED: Action.BLOCK, Status.DONE: Action.DONE}
_WORDS: dict[str, Status] = {STATUS_LABELS[s]: s for s in UNIT_STATUSES} | {s.value: s for s in UNIT_STATUSES}


# --- export ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One unit's progress on one task, as plain texts (``status`` is a ``Status`` value)."""

    status: str = Status.TODO.value
    date: str = ""
    by: str = ""
    note: str = ""

    def text(self) -> str:
        """``已完成（2022-09-20，张三）说明：…``, for a conflict message."""
        extra = "，".join(part for part in (self.date, self.by) if part)
        shown = STATUS_LABELS[Status(self.status)] + (f"（{extra}）" if extra else "")
        return shown + (f"，说明「{self.note}」" if self.note else "，无说明")


def snapshot(task: Task, unit: str) -> Snapshot:
    entry = task.progress.get(unit)
    if entry is None:
        return Snapshot()
    return Snapshot(entry.status.value, entry.date.isoformat() if entry.date else "", entry.by, entry.note)


def task_identity(task: Task) -> list[object]:
    """What makes a row *this* task: a renumbered or rewritten task must not take another's progress."""
    return [task.plan, task.id, task.name, task.content, task.deadline.phrase or ""]


def fingerprint(task: Task, unit: str) -> str:
    """A short hash of the task and the unit's progress on it."""
    shot = snapshot(task, unit)
    data = [*task_identity(task), unit, shot.status, shot.date, shot.by, shot.note]
    return hashlib.sha256(json.dumps(data, ensure_ascii=True).encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    row: query.Row  # the task as the unit's part of it stands on the export day (light, due date)
    snapshot: Snapshot
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Ledger:
    """One unit's 台账 of one plan, as of ``exported``."""

    plan: Plan
    unit: str
    exported: date
    rows: tuple[LedgerRow, ...]


def build_ledger(plan: Plan, unit: str, today: date, warn_days: int = DEFAULT_WARN_DAYS, stale_weeks: int = 0) -> Ledger:
    """Every task ``unit`` is responsible for (groups expanded), sorted like ``gkplan list``, lit like the reports."""
    scope = query.Scope(unit, (unit,))
    rows = query.sort_rows(query.rows_for(plan.tasks, today, scope, warn_days, stale_weeks=stale_weeks))
    return Ledger(plan, unit, today, tuple(LedgerRow(r, snapshot(r.task, unit), fingerprint(r.task, unit)) for r in rows))


def single_plan(plans: Sequence[Plan]) -> Plan:
    """A ledger is of one plan: with several loaded, ``--plan`` must say which."""
    if len(plans) == 1:
        return plans[0]
    ids = "、".join(p.id for p in plans)
    raise UsageError(f"数据中有 {len(plans)} 个计划（{ids}），台账按计划导出", hint=f"请用 --plan 指定，如 --plan {plans[-1].id}")


def ledger_units(plan: Plan, wanted: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The units to export (``--unit``: names, aliases or groups, in the order given), and the units left
    out for having no task. Without ``--unit``: every unit of units.yaml that has a task."""
    with_tasks = {name for task in plan.tasks for name in task.responsible}
    if not wanted:
        every = list(plan.units.units)
        return [u for u in every if u in with_tasks], [u for u in every if u not in with_tasks]
    chosen: list[str] = []
    for name in wanted:
        for unit in query.resolve_scope([plan], name).units:
            if unit not in chosen:
                chosen.append(unit)
    return [u for u in chosen if u in with_tasks], [u for u in chosen if u not in with_tasks]


def ledger_file_name(plan: Plan, units: Sequence[str], day: date) -> str:
    """``2022-台账-就业培训科-2022-10-08.xlsx``; every unit: ``2022-台账-2022-10-08.xlsx``."""
    who = f"-{units[0]}" if len(units) == 1 else f"-{len(units)}个单位" if units else ""
    name = f"{plan.id}-台账{who}-{day.isoformat()}.xlsx"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)


def stamp_text(ledger: Ledger) -> str:
    """The stamp as one line of ASCII (it must survive a CSV saved in any encoding)."""
    rows = [[r.row.task.id, r.fingerprint, r.snapshot.status, r.snapshot.date, r.snapshot.by, r.snapshot.note] for r in ledger.rows]
    body = {"v": STAMP_VERSION, "plan": ledger.plan.id, "unit": ledger.unit, "exported": ledger.exported.isoformat(), "rows": rows}
    return STAMP_MARK + json.dumps(body, ensure_ascii=True, separators=(",", ":"))


CELL_CHARS = 32_000  # a spreadsheet cell holds at most 32,767 characters


def stamp_cells(ledger: Ledger) -> list[str]:
    """The stamp cut to fit cells, kept left to right in one row: a ledger of 2,000 tasks or
    more has a stamp longer than one cell holds (Excel cut it, and collect refused the file)."""
    text = stamp_text(ledger)
    return [text[start : start + CELL_CHARS] for start in range(0, len(text), CELL_CHARS)]


def row_stamp(values: Sequence[object]) -> Stamp | None:
    """The stamp a row keeps (``stamp_cells``), or ``None`` when the row is not a stamp."""
    if not is_stamp_row(values):
        return None
    return parse_stamp("".join(value for value in values if isinstance(value, str)))


def is_stamp_row(values: Sequence[object]) -> bool:
    return bool(values) and isinstance(values[0], str) and values[0].startswith(STAMP_MARK)


@dataclass(frozen=True, slots=True)
class StampRow:
    fingerprint: str
    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Stamp:
    plan: str
    unit: str
    exported: date
    rows: dict[int, StampRow]


def parse_stamp(text: object) -> Stamp | None:
    """The stamp in a cell's text, or ``None`` when it is not one (or was damaged)."""
    if not isinstance(text, str) or not text.startswith(STAMP_MARK):
        return None
    try:
        body = json.loads(text[len(STAMP_MARK) :])
        rows = {
            int(task_id): StampRow(str(mark), Snapshot(Status(str(status)).value, str(day), str(by), str(note)))
            for task_id, mark, status, day, by, note in body["rows"]
        }
        # plan and unit are shown in messages: one clean line, like every cell read (the file is untrusted)
        return Stamp(clean_text(body["plan"]), clean_text(body["unit"]), date.fromisoformat(body["exported"]), rows)
    except (ValueError, KeyError, TypeError):
        return None


# --- collect: reading the cells ----------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message is the Chinese reason."""


def parse_status(value: object) -> Status | None:
    """新状态: blank, or one of 未开始/进行中/受阻/已完成 (the English words too)."""
    text = clean_text(value)
    if not text:
        return None
    found = _WORDS.get(text) or _WORDS.get(text.lower())
    if found is not None:
        return found
    if text in (STATUS_LABELS[Status.VERIFIED], Status.VERIFIED.value):
        raise CellError(f"「{text}」不能由单位登记：核销由局办公室在全部单位完成后办理；请选 {'/'.join(STATUS_CHOICES)}")
    raise CellError(f"新状态「{text}」无法识别；请从下拉列表选择 {'/'.join(STATUS_CHOICES)}，或留空表示不变")


_DAY_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+0{1,2}:00(?::00)?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_day(value: object) -> date | None:
    """完成日期: blank, a real spreadsheet date, or text such as 2022年10月9日, 2022/10/9, 2022-10-09."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value).translate(_FULL_WIDTH_DIGITS)
    if not text:
        return None
    for pattern in _DAY_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise CellError(f"完成日期「{text}」不是有效日期（没有这一天）") from None
    raise CellError(f"完成日期「{text}」不是日期；请写成 2022-10-09、2022/10/9 或 2022年10月9日")


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
_CONTROL = CONTROL  # every character the reader would refuse in tasks.yaml (bidi overrides too)


def clean_text(value: object) -> str:
    """A cell as one line of text: line breaks (Alt+Enter) become spaces, control characters go."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).replace("\r\n", "\n")
    return " ".join(_CONTROL.sub(" ", part).strip() for part in text.split("\n") if part.strip()).strip()


# --- collect: deciding what a row asks ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filled:
    """One ledger row as the unit sent it back. ``note`` is ``None`` when the 说明 was left as exported."""

    task_id: int
    status: Status | None
    day: date | None
    note: str | None
    cells: dict[str, str] = field(default_factory=dict)  # header -> FILE:SHEET!CELL, for messages

    def where(self, *headers: str) -> str:
        return next((self.cells[h] for h in headers if h in self.cells), self.cells.get("序号", ""))


class RowRefused(UpdateRefused):
    """``decide`` refused a row; ``column`` is the header of the cell to name."""

    def __init__(self, message: str, column: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.column = column


class LedgerRefused(UpdateRefused):
    """Every problem found in the ledgers; nothing was written."""

    def __init__(self, refusals: Sequence[Refusal], *, hint: str = "") -> None:
        super().__init__(
            f"台账有 {len(refusals)} 处问题，未写入任何文件（改正后重新收集即可）", hint=hint, details=[str(r) for r in refusals]
        )
        self.refusals = tuple(refusals)


def wants(filled: Filled, exported: Snapshot) -> bool:
    """Did the unit change anything on this row (relative to what it was sent)?"""
    new_status = filled.status is not None and filled.status.value != exported.status
    return new_status or filled.day is not None or filled.note is not None


def check_row(filled: Filled, exported: Snapshot) -> Refusal | None:
    """Rules a row breaks whatever the data says now."""
    target = filled.status.value if filled.status is not None else exported.status
    if filled.day is not None and target != Status.DONE.value:
        return Refusal(
            filled.where("完成日期"),
            "填写了完成日期，但新状态不是「已完成」；完成了请在新状态选「已完成」，否则请清空完成日期",
        )
    return None


def decide(
    filled: Filled,
    task: Task,
    unit: str,
    stamp_row: StampRow,
    *,
    today: date,
    by: str,
    force: bool,
) -> Request | None:
    """The request a changed row makes, ``None`` when the data already says what it asks, or ``UpdateRefused``.

    A status change is the matching status command: 完成日期 is the date of 已完成
    (required: a completion recorded on the day of collection would make on-time work
    look late in ``review``); other statuses are dated ``today``. An edited 说明 goes
    with it, an untouched one follows the command's rule (kept for the same status,
    dropped with a new one). Only 说明 edited: ``note``. A row is a conflict when the
    task or the unit's progress changed in the YAML after export, unless ``force``.
    """
    current = snapshot(task, unit)
    exported = stamp_row.snapshot
    status_change = (filled.status is not None and filled.status.value != exported.status) or filled.day is not None
    target = filled.status or Status(exported.status)
    status_done = not status_change or (current.status == target.value and (filled.day is None or current.date == filled.day.isoformat()))
    note_done = filled.note is None or current.note == filled.note
    if status_done and note_done:
        return None  # untouched, or collected before
    if not force and fingerprint(task, unit) != stamp_row.fingerprint:
        raise RowRefused(conflict_text(task, unit, stamp_row) + "；核实后可用 --force 仍按台账登记", "序号")
    note = filled.note
    if not status_change or status_done:
        return Request(Action.NOTE, unit=unit, note=note)
    if target is Status.DONE and filled.day is None:
        raise RowRefused("新状态为「已完成」，请填写完成日期（如 2022-10-09）", "完成日期")
    return Request(_ACTIONS[target], unit=unit, day=filled.day or today, note=note, by=by)


def conflict_text(task: Task, unit: str, stamp_row: StampRow) -> str:
    now = snapshot(task, unit)
    if now != stamp_row.snapshot:
        return f"冲突：导出后本单位的进展已在数据中改动（导出时：{stamp_row.snapshot.text()}；现在：{now.text()}）"
    return f"冲突：导出后任务 {task.id} 的名称、内容或时间节点已修改（现在：「{task.name}」，时间节点「{task.deadline.phrase or ''}」）"


# --- collect: reading a sheet and planning the changes -----------------------------------------


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Planned:
    """A row the unit changed, checked against the loaded data; ``decide_on`` re-judges it under the lock."""

    plan: Plan
    unit: str
    filled: Filled
    stamp_row: StampRow
    today: date
    by: str
    force: bool

    def key(self, qualified: bool) -> str:
        return f"{self.plan.id}:{self.filled.task_id}" if qualified else str(self.filled.task_id)

    def decide_on(self, task: Task) -> Request | None:
        try:
            return decide(self.filled, task, self.unit, self.stamp_row, today=self.today, by=self.by, force=self.force)
        except RowRefused as exc:
            raise LedgerRefused([Refusal(self.filled.where(exc.column), exc.message)]) from None


def _header_row(sheet: RawSheet) -> tuple[int, dict[str, int]] | None:
    """The row holding the nine headers (the first ten rows are searched), and each header's column."""
    for number, values in sheet.rows[:10]:
        texts = [clean_text(v) for v in values]
        if all(h in texts for h in HEADERS):
            return number, {h: texts.index(h) for h in HEADERS}
    return None


def _find_stamp(sheet: RawSheet) -> Stamp | None:
    stamp = parse_stamp(sheet.stamp)
    for _, values in sheet.rows:
        if stamp is not None:
            break
        stamp = row_stamp(values)
    return stamp


@dataclass(slots=True)
class ReadSheet:
    """What ``read_sheet`` found: ``stamp`` is ``None`` for a sheet that is not a ledger."""

    sheet: RawSheet
    stamp: Stamp | None = None
    rows: list[Filled] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def read_sheet(sheet: RawSheet) -> ReadSheet:
    """A ledger sheet's stamp and the rows the unit wrote something in, with the cells it cannot read."""
    result = ReadSheet(sheet, _find_stamp(sheet))
    found = _header_row(sheet)
    prefix = f"{sheet.file}:{clean_text(sheet.title)}!"
    if result.stamp is None:
        if found is not None:
            reason = "表头像台账，但找不到 gkplan 的校验信息（隐藏的工作表或隐藏的末行被删了？）；请重新导出台账后填写"
            result.refusals.append(Refusal(f"{prefix}A1", reason))
        return result
    if found is None:
        result.refusals.append(Refusal(f"{prefix}A1", f"找不到表头（{' | '.join(HEADERS)}）；请勿改动表头"))
        return result
    header_number, columns = found
    for number, values in sheet.rows:
        if number <= header_number or is_stamp_row(values):
            continue
        cell = {h: values[i] if i < len(values) else None for h, i in columns.items()}
        where = {h: f"{prefix}{column_letter(i)}{number}" for h, i in columns.items()}
        if not any(clean_text(cell[h]) for h in ("序号", *EDITABLE)):
            continue  # an empty line
        filled = _read_row(cell, where, result.stamp, {h for h in EDITABLE if (number, columns[h] + 1) in sheet.formulas})
        if isinstance(filled, Refusal):
            result.refusals.append(filled)
        else:
            result.rows.append(filled)
    return result


def _read_row(cell: dict[str, object], where: dict[str, str], stamp: Stamp, formulas: set[str]) -> Filled | Refusal:
    for header in EDITABLE:
        if header in formulas:
            return Refusal(where[header], "单元格是公式；请直接填写内容")
    try:
        task_id = int(clean_text(cell["序号"]))
    except ValueError:
        return Refusal(where["序号"], f"序号「{clean_text(cell['序号'])}」不是任务序号；请勿改动序号一栏")
    try:
        status = parse_status(cell["新状态"])
    except CellError as exc:
        return Refusal(where["新状态"], str(exc))
    try:
        day = parse_day(cell["完成日期"])
    except CellError as exc:
        return Refusal(where["完成日期"], str(exc))
    exported = stamp.rows.get(task_id)
    note_text = clean_text(cell["说明"])
    note = None if exported is not None and note_text == clean_text(exported.snapshot.note) else note_text
    return Filled(task_id, status, day, note, where)


def in_sheet_order(refusals: Sequence[Refusal]) -> list[Refusal]:
    """File by file (as given), sheet by sheet, then top to bottom: the order a person fixes them in."""
    sheets: dict[str, int] = {}

    def key(refusal: Refusal) -> tuple[int, int]:
        sheet, _, cell = refusal.where.rpartition("!")
        digits = re.search(r"\d+$", cell) if sheet else None
        return sheets.setdefault(sheet or refusal.where, len(sheets)), int(digits.group()) if digits else 0

    return sorted(refusals, key=key)


def plan_collect(
    plans: Sequence[Plan],
    sheets: Sequence[RawSheet],
    *,
    today: date,
    by: str | None,
    force: bool,
    unit: str | None = None,
    unreadable: Sequence[Refusal] = (),
) -> tuple[list[Planned], int]:
    """Every change the sheets ask for, checked against ``plans``; all refusals at once (``LedgerRefused``).

    Returns the changes and how many ledger sheets were read. ``unit``: only that unit's
    ledgers are accepted (a group: its members'), so a unit that sent another unit's file is told so.
    """
    wanted = query.resolve_scope(plans, unit) if unit else None  # an unknown name is refused before any file is read
    refusals: list[Refusal] = list(unreadable)
    planned: list[Planned] = []
    seen: dict[tuple[str, str], ReadSheet] = {}
    read = [read_sheet(sheet) for sheet in sheets]
    files = dict.fromkeys(sheet.file for sheet in sheets)
    for file in files:
        if not any(r.stamp is not None or r.refusals for r in read if r.sheet.file == file):
            refusals.append(Refusal(file, "不是 gkplan 导出的台账（没有台账表头和校验信息）；请用 gkplan ledger 导出的文件填写"))
    ledgers = 0
    for result in read:
        refusals += result.refusals
        stamp = result.stamp
        if stamp is None:
            continue
        ledgers += 1
        at = f"{result.sheet.file}:{clean_text(result.sheet.title)}!A1"
        plan = next((p for p in plans if p.id == stamp.plan), None)
        if plan is None:
            known = "、".join(p.id for p in plans)
            refusals.append(Refusal(at, f"这是计划「{stamp.plan}」的台账，数据中没有这个计划（现有：{known}）"))
            continue
        owner = plan.units.units.get(stamp.unit)
        if owner is None:
            refusals.append(Refusal(at, f"台账的单位「{stamp.unit}」不在 units.yaml 中（改名了？）；请按现在的单位重新导出"))
            continue
        if wanted is not None and owner.name not in wanted.units:
            refusals.append(Refusal(at, f"这是「{stamp.unit}」的台账，不是「{wanted.name}」的"))
            continue
        first = seen.setdefault((plan.id, stamp.unit), result)
        if first is not result:
            other = f"{first.sheet.file}:{clean_text(first.sheet.title)}"
            refusals.append(Refusal(at, f"「{stamp.unit}」的台账给了两份（另一份：{other}）；请只收集最新的一份"))
            continue
        by_name = by.strip() if by is not None else stamp.unit
        tasks = {t.id: t for t in plan.tasks}
        ids: dict[int, str] = {}
        for filled in result.rows:
            earlier = ids.setdefault(filled.task_id, filled.where("序号"))
            if earlier != filled.where("序号"):
                refusals.append(Refusal(filled.where("序号"), f"序号 {filled.task_id} 出现了两次（另一处 {earlier}）"))
                continue
            stamp_row = stamp.rows.get(filled.task_id)
            if stamp_row is None:
                if filled.status is not None or filled.day is not None or filled.note:
                    refusals.append(Refusal(filled.where("序号"), f"导出的台账中没有序号 {filled.task_id} 的任务；不能在台账中添加任务"))
                continue
            if not wants(filled, stamp_row.snapshot):
                continue
            task = tasks.get(filled.task_id)
            if task is None:
                refusals.append(Refusal(filled.where("序号"), f"数据中已没有序号 {filled.task_id} 的任务（导出后被删除或改了序号）"))
                continue
            if stamp.unit not in task.responsible:
                responsible = "、".join(task.responsible) or "（无）"
                reason = f"「{stamp.unit}」不是任务 {task.id} 的责任单位（责任单位：{responsible}）"
                refusals.append(Refusal(filled.where("序号"), reason))
                continue
            problem = check_row(filled, stamp_row.snapshot)
            if problem is not None:
                refusals.append(problem)
                continue
            if filled.day is not None and filled.day > today:
                refusals.append(Refusal(filled.where("完成日期"), f"完成日期 {filled.day.isoformat()} 晚于今天（{today.isoformat()}）"))
                continue
            if filled.day is not None and filled.day.year < plan.year:
                reason = f"完成日期 {filled.day.isoformat()} 早于计划年度 {plan.year} 年；请检查年份"
                refusals.append(Refusal(filled.where("完成日期"), reason))
                continue
            change = Planned(plan, stamp.unit, filled, stamp_row, today, by_name, force)
            try:
                request = change.decide_on(task)
            except LedgerRefused as exc:
                refusals += exc.refusals
                continue
            if request is not None:  # None: the data already says what the row asks (collected before)
                planned.append(change)
    if refusals:
        raise LedgerRefused(in_sheet_order(refusals))
    return planned, ledgers
