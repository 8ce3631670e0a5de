"""Deadlines as calendar events (for ``gkplan ics``): which tasks, which day, a stable UID. Pure.

One all-day event per task deadline (with ``--unit``: per that unit's part).
UIDs depend only on the plan id, the task id and the unit, never on the text
or the date, so re-importing the file after a change updates the events already
in a calendar instead of adding copies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gkplan.deadlines import month_end
from gkplan.model import DeadlineKind, Plan, Recurrence, Task
from gkplan.query import EVERYONE, Row, Scope, rows_for, sort_rows

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/gkplan/gkplan/ics")


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    day: date  # the (first) due day, an all-day event
    row: Row
    remind_days: int | None  # None: no reminder (the part is finished)
    rule: Recurrence | None = None  # a recurring deadline repeats until ``until``
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Agenda:
    name: str  # the calendar's name
    scope: Scope
    events: tuple[Event, ...]
    skipped: tuple[Row, ...]  # no date to put them on (undated, waiting for a trigger)
    qualified: bool = False


def event_uid(task: Task, scope: Scope = EVERYONE) -> str:
    """Stable across runs, edits and machines: plan id + task id (+ the unit or group)."""
    key = f"{task.plan}\x1f{task.id}\x1f{scope.name or ''}"
    return f"{uuid.uuid5(_NAMESPACE, key)}@gkplan"


def first_due(start: date, rule: Recurrence) -> date:
    """The first due day of a recurring rule whose periods begin on ``start``."""
    month_index = start.month - 1 + rule.every_months - 1
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = month_end(year, month)
    return last if rule.day is None else last.replace(day=min(rule.day, last.day))


def build_agenda(
    plans: Sequence[Plan],
    today: date,
    remind_days: int,
    scope: Scope = EVERYONE,
    *,
    qualified: bool = False,
) -> Agenda:
    tasks = [task for plan in plans for task in plan.tasks]
    rows = sort_rows(rows_for(tasks, today, scope))
    events: list[Event] = []
    skipped: list[Row] = []
    for row in rows:
        deadline = row.task.deadline
        remind = None if row.status.finished else remind_days
        uid = event_uid(row.task, scope)
        if deadline.kind is DeadlineKind.RECURRING and deadline.rule and deadline.start and deadline.due:
            day = first_due(deadline.start, deadline.rule)
            events.append(Event(uid, day, row, remind, deadline.rule, deadline.due))
        elif deadline.due is not None:
            events.append(Event(uid, deadline.due, row, remind))
        else:
            skipped.append(row)
    titles = sorted({plan.title for plan in plans})
    name = "、".join(titles) if len(titles) <= 2 else f"{len(titles)} 个工作要点"
    if scope.name:
        name += f" · {scope.name}"
    return Agenda(name, scope, tuple(events), tuple(skipped), qualified)
