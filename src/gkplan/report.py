"""The weekly meeting report as plain data: figures, late and due-soon lists, units, what changed.

Pure: plans, today, settings and (optionally) the data as of an earlier commit
come in; a ``Report`` comes out. ``store.history`` reads git; ``render.report_*``
lay the report out as a terminal table, Markdown, HTML or Excel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from gkplan.model import History, Plan, Settings, Status, Task
from gkplan.query import EVERYONE, Row, Scope, UnitTally, deadline_notes, due_within, rows_for, sort_rows, tally_units


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A unit's status on a task moved (``unit`` empty: the office's 核销 was given or taken back)."""

    task: Task
    unit: str
    before: Status
    after: Status
    date: date | None = None
    by: str = ""


@dataclass(frozen=True, slots=True)
class NoteChange:
    """A new or changed note on a unit's progress (``unit`` empty: on the 核销)."""

    task: Task
    unit: str
    note: str
    before: str = ""
    date: date | None = None
    by: str = ""


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str  # the YAML key: name, content, section, units, deadline, anchor
    before: str
    after: str


FIELD_LABELS = {
    "name": "任务名称",
    "content": "任务内容",
    "section": "章节",
    "units": "责任单位",
    "deadline": "时间节点",
    "anchor": "起算日",
}


@dataclass(frozen=True, slots=True)
class PlanEdit:
    """A task added, removed or changed, or a whole plan added or removed."""

    kind: str  # "added", "removed", "changed", "plan-added", "plan-removed"
    key: str  # task key (2, or 2022:2), or the plan id for plan-level edits
    name: str  # task name, or plan title
    fields: tuple[FieldChange, ...] = ()


EDIT_LABELS = {
    "added": "新增任务",
    "removed": "删除任务",
    "changed": "修改任务",
    "plan-added": "新增计划",
    "plan-removed": "删除计划",
}


@dataclass(frozen=True, slots=True)
class Changes:
    """What moved between ``history.base`` and the working tree."""

    history: History
    statuses: tuple[StatusChange, ...] = ()
    notes: tuple[NoteChange, ...] = ()
    edits: tuple[PlanEdit, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.statuses or self.notes or self.edits)


@dataclass(frozen=True, slots=True)
class Headline:
    tasks: int
    done: int  # finished, verified included
    verified: int
    late: int
    due_soon: int
    blocked: int
    stale: int

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.tasks if self.tasks else 0.0


class ReportSection(StrEnum):
    """A part of the meeting report; ``SECTION_ORDER`` is the one order every format follows."""

    FIGURES = "figures"  # 概况
    LATE = "late"  # 逾期任务
    DUE_SOON = "soon"  # N 天内到期
    BLOCKED = "blocked"  # 受阻 (only when some part is blocked)
    STALE = "stale"  # 久无进展 (only when the office turned stale_weeks on)
    UNITS = "units"  # 各单位
    CHANGES = "changes"  # 上次例会以来
    NOTES = "notes"  # 注 (only when a deadline was assumed or unreadable)


SECTION_ORDER = tuple(ReportSection)


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    plans: tuple[Plan, ...]
    today: date
    scope: Scope
    settings: Settings
    qualified: bool
    headline: Headline
    rows: tuple[Row, ...]  # every task in scope, by due date
    late: tuple[Row, ...]  # most days late first
    due_soon: tuple[Row, ...]
    blocked: tuple[Row, ...]
    stale: tuple[Row, ...]
    units: tuple[UnitTally, ...]  # units with a part in scope
    changes: Changes | None = None
    history_note: str = ""  # why "since last meeting" is missing, or a caveat about it
    several_bureaus: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)  # footnotes: assumed deadlines etc.
    banner: str = ""  # the data has errors: the report is incomplete (errors.incomplete_banner)

    @property
    def sections(self) -> tuple[ReportSection, ...]:
        """The sections this report shows, in ``SECTION_ORDER``."""
        absent: dict[ReportSection, bool] = {
            ReportSection.BLOCKED: not self.blocked,
            ReportSection.STALE: not self.settings.stale_weeks,
            ReportSection.NOTES: not self.notes,
        }
        return tuple(section for section in SECTION_ORDER if not absent.get(section, False))

    @property
    def scope_name(self) -> str:
        return self.scope.name or "全部单位"


def build_report(
    plans: Sequence[Plan],
    today: date,
    settings: Settings,
    scope: Scope = EVERYONE,
    history: History | None = None,
    *,
    qualified: bool = False,
    banner: str = "",
) -> Report:
    """Everything the weekly meeting looks at, for ``scope``, as of ``today``; ``banner`` marks it incomplete."""
    tasks = [task for plan in plans for task in plan.tasks]
    rows = sort_rows(rows_for(tasks, today, scope, settings.warn_days, stale_weeks=settings.stale_weeks))
    late = [row for row in rows if row.overdue]
    soon = due_within(rows, today, settings.warn_days)
    blocked = [row for row in rows if any(row.task.unit_status(u) is Status.BLOCKED for u in row.units)]
    stale = [row for row in rows if row.stale_units and not row.overdue]
    headline = Headline(
        tasks=len(rows),
        done=sum(row.status.finished for row in rows),
        verified=sum(row.status is Status.VERIFIED for row in rows),
        late=len(late),
        due_soon=len(soon),
        blocked=len(blocked),
        stale=len(stale),
    )
    tallies = tally_units(plans, today, scope, settings.warn_days, stale_weeks=settings.stale_weeks)
    units = [tally for tally in tallies if tally.tasks]  # a unit with no part has nothing to show at a meeting
    changes: Changes | None = None
    note = ""
    if history is not None:
        if history.base is None:
            note = history.reason
        else:
            changes = compare(plans, history, scope, qualified=qualified)
    return Report(
        title=_title(plans),
        plans=tuple(plans),
        today=today,
        scope=scope,
        settings=settings,
        qualified=qualified,
        headline=headline,
        rows=tuple(rows),
        late=tuple(late),
        due_soon=tuple(soon),
        blocked=tuple(blocked),
        stale=tuple(stale),
        units=tuple(units),
        changes=changes,
        history_note=note,
        several_bureaus=len({line.bureau for line in units}) > 1,
        notes=tuple(deadline_notes(rows, qualified)),
        banner=banner,
    )


def _title(plans: Sequence[Plan]) -> str:
    if len(plans) == 1:
        return plans[0].title
    years = sorted({plan.year for plan in plans if plan.year})
    return "工作要点" + (f"（{'、'.join(str(y) for y in years)}）" if years else "")


# --- since last meeting ---------------------------------------------------------------------


def compare(plans: Sequence[Plan], history: History, scope: Scope = EVERYONE, *, qualified: bool = False) -> Changes:
    """Status changes, notes and plan edits between ``history.plans`` and ``plans``."""
    old_plans = {plan.id: plan for plan in history.plans}
    new_plans = {plan.id: plan for plan in plans}
    statuses: list[StatusChange] = []
    notes: list[NoteChange] = []
    edits: list[PlanEdit] = []
    wanted = set(scope.units)

    def in_scope(*tasks: Task | None) -> bool:
        return scope.everyone or any(t is not None and wanted.intersection(t.responsible) for t in tasks)

    for plan_id, plan in new_plans.items():
        old_plan = old_plans.get(plan_id)
        if old_plan is None:
            if scope.everyone or any(in_scope(t) for t in plan.tasks):
                edits.append(PlanEdit("plan-added", plan_id, plan.title))
            continue
        old_tasks = {task.id: task for task in old_plan.tasks}
        for task in plan.tasks:
            old = old_tasks.pop(task.id, None)
            if not in_scope(task, old):
                continue
            if old is None:
                edits.append(PlanEdit("added", task.key(qualified), task.name))
                continue
            changed = _field_changes(old, task)
            if changed:
                edits.append(PlanEdit("changed", task.key(qualified), task.name, changed))
            statuses.extend(_status_changes(old, task, scope))
            notes.extend(_note_changes(old, task, scope))
        for old in old_tasks.values():
            if in_scope(old):
                edits.append(PlanEdit("removed", old.key(qualified), old.name))
    for plan_id, old_plan in old_plans.items():
        if plan_id not in new_plans and (scope.everyone or any(in_scope(t) for t in old_plan.tasks)):
            edits.append(PlanEdit("plan-removed", plan_id, old_plan.title))
    return Changes(history, tuple(statuses), tuple(notes), tuple(edits))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _field_changes(old: Task, new: Task) -> tuple[FieldChange, ...]:
    pairs = [
        ("name", old.name, new.name),
        ("content", old.content, new.content),
        ("section", old.section, new.section),
        ("units", old.units, new.units),
        ("deadline", old.deadline.phrase, new.deadline.phrase),
        ("anchor", old.anchor, new.anchor),
    ]
    return tuple(FieldChange(name, _text(before), _text(after)) for name, before, after in pairs if before != after)


def _status_changes(old: Task, new: Task, scope: Scope) -> list[StatusChange]:
    result = []
    units = [u for u in new.responsible if scope.everyone or u in scope.units]
    for unit in units:
        before, after = old.unit_status(unit), new.unit_status(unit)
        if before is not after:
            entry = new.progress.get(unit)
            result.append(StatusChange(new, unit, before, after, entry.date if entry else None, entry.by if entry else ""))
    if (old.verified is None) != (new.verified is None):
        after = Status.VERIFIED if new.verified else new.status
        before = Status.VERIFIED if old.verified else old.status
        v = new.verified
        result.append(StatusChange(new, "", before, after, v.date if v else None, v.by if v else ""))
    return result


def _note_changes(old: Task, new: Task, scope: Scope) -> list[NoteChange]:
    result = []
    for unit in new.responsible:
        if not (scope.everyone or unit in scope.units):
            continue
        entry = new.progress.get(unit)
        before = old.progress[unit].note if unit in old.progress else ""
        if entry and entry.note and entry.note != before:
            result.append(NoteChange(new, unit, entry.note, before, entry.date, entry.by))
    if new.verified and new.verified.note:
        before = old.verified.note if old.verified else ""
        if new.verified.note != before:
            result.append(NoteChange(new, "", new.verified.note, before, new.verified.date, new.verified.by))
    return result
