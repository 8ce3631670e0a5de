"""Deadlines as calendar events (for ``gkplan ics``): which tasks, which day, a stable UID. Pure.

One all-day event per task deadline (with ``--unit``: per that unit's part); a
recurring task (每季度末…) gets one event per due day the deadline engine gives
(``deadlines.occurrences``), rather than an RRULE that could not say "the 31st,
or the month's last day" the way the engine does. UIDs depend only on the plan
id, the task id, the unit (and the period of a recurring deadline), never on the
text or the date, so re-importing the file after a change updates the events
already in a calendar instead of adding copies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gkplan.deadlines import Occurrence, occurrences
from gkplan.model import Plan, Task
from gkplan.query import EVERYONE, Row, Scope, rows_for, sort_rows

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/gkplan/gkplan/ics")


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    day: date  # the (first) due day, an all-day event
    row: Row
    remind_days: int | None  # None: no reminder (the part is finished)
    occurrence: Occurrence | None = None  # one period of a recurring deadline
    number: int = 0  # which period (1-based) of ``total``
    total: int = 0


@dataclass(frozen=True, slots=True)
class Agenda:
    name: str  # the calendar's name
    scope: Scope
    events: tuple[Event, ...]
    skipped: tuple[Row, ...]  # no date to put them on (undated, waiting for a trigger)
    qualified: bool = False


def event_uid(task: Task, scope: Scope = EVERYONE, period: date | None = None) -> str:
    """Stable across runs, edits and machines: plan id + task id (+ the unit or group, + the period)."""
    key = f"{task.plan}\x1f{task.id}\x1f{scope.name or ''}"
    if period is not None:
        key += f"\x1f{period.isoformat()}"
    return f"{uuid.uuid5(_NAMESPACE, key)}@gkplan"


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
        periods = occurrences(deadline)
        if periods:
            for number, period in enumerate(periods, start=1):
                uid = event_uid(row.task, scope, period.start)
                events.append(Event(uid, period.due, row, remind, period, number, len(periods)))
        elif deadline.due is not None:
            events.append(Event(event_uid(row.task, scope), deadline.due, row, remind))
        else:
            skipped.append(row)
    titles = sorted({plan.title for plan in plans})
    name = "、".join(titles) if len(titles) <= 2 else f"{len(titles)} 个工作要点"
    if scope.name:
        name += f" · {scope.name}"
    return Agenda(name, scope, tuple(events), tuple(skipped), qualified)
