"""回头看: per unit, which parts were finished on time, finished late, or not finished. Pure.

The plan asks the office to check the year's plan item by item (逐项核查核销).
A unit's part is judged by its own progress record: its ``done`` date against
the task's due date. ``today`` decides what is "not finished" (already past
due) rather than merely "not yet due".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gkplan.model import DeadlineKind, Plan, Task
from gkplan.query import EVERYONE, Row, Scope, evaluate, tally_units


class Outcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # finished after the due date
    DONE_UNDATED = "done_undated"  # finished, but no date recorded: cannot say whether on time
    UNFINISHED = "unfinished"  # past due and not finished
    OPEN = "open"  # not finished, not yet due (or no date to judge by)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.ON_TIME: "按时完成",
    Outcome.LATE: "逾期完成",
    Outcome.DONE_UNDATED: "已完成（未登记日期）",
    Outcome.UNFINISHED: "逾期未完成",
    Outcome.OPEN: "未到期",
}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    task: Task
    outcome: Outcome
    due: date | None
    finished_on: date | None = None
    days_late: int = 0  # finished late by, or overdue by (unfinished)


@dataclass(frozen=True, slots=True)
class UnitReview:
    unit: str
    kind: str
    bureau: str
    items: tuple[ReviewItem, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for item in self.items if item.outcome is outcome)

    def of(self, outcome: Outcome) -> list[ReviewItem]:
        return [item for item in self.items if item.outcome is outcome]

    @property
    def finished(self) -> int:
        return self.count(Outcome.ON_TIME) + self.count(Outcome.LATE) + self.count(Outcome.DONE_UNDATED)

    @property
    def on_time_rate(self) -> float | None:
        """On time among the parts that could be judged (finished, or past due)."""
        judged = len(self.items) - self.count(Outcome.OPEN) - self.count(Outcome.DONE_UNDATED)
        return 100.0 * self.count(Outcome.ON_TIME) / judged if judged else None


def judge(task: Task, unit: str, today: date) -> ReviewItem:
    """How one unit's part of one task stands at the year-end check."""
    return judge_part(evaluate(task, today, Scope(unit, (unit,))), today)


def judge_part(part: Row, today: date) -> ReviewItem:
    """How a part (a task evaluated for one unit) stands at the year-end check.

    "Unfinished" is exactly what every report calls late (``Row.overdue``); a
    recurring duty (每季度末…) is judged from the occurrence the unit missed.
    """
    task = part.task
    finished = part.status.finished
    if part.overdue and part.due is not None:
        return ReviewItem(task, Outcome.UNFINISHED, part.due, None, (today - part.due).days)
    if task.deadline.kind is DeadlineKind.RECURRING and not finished:
        return ReviewItem(task, Outcome.OPEN, part.due)
    due = task.deadline.due
    if finished:
        entry = task.progress.get(part.units[0]) if part.units else None
        finished_on = entry.date if entry else None
        if finished_on is None:
            return ReviewItem(task, Outcome.DONE_UNDATED, due)
        if due is None or finished_on <= due:
            return ReviewItem(task, Outcome.ON_TIME, due, finished_on)
        return ReviewItem(task, Outcome.LATE, due, finished_on, (finished_on - due).days)
    return ReviewItem(task, Outcome.OPEN, due)


def review(plans: Sequence[Plan], today: date, scope: Scope = EVERYONE) -> list[UnitReview]:
    """One entry per unit with a part (``query.tally_units``'s units and order), its parts judged, by due date."""
    position = {plan.id: index for index, plan in enumerate(plans)}

    def by_due(part: Row) -> tuple[int, bool, date, int]:
        due = part.task.deadline.due
        return (position.get(part.task.plan, 0), due is None, due or date.max, part.task.id)

    return [
        UnitReview(tally.unit, tally.kind, tally.bureau, tuple(judge_part(part, today) for part in sorted(tally.parts, key=by_due)))
        for tally in tally_units(plans, today, scope, keep_parts=True)
        if tally.tasks
    ]
