"""Words every format shares: a day, the 剩余 column, a list of units, a 时间节点.

The listings, the meeting report (text, HTML, Excel) and the calendar say these
things the same way because they all ask here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gkplan.model import FINISHED, DeadlineKind, Task
from gkplan.query import Row


def iso(day: date | None) -> str | None:
    """``2022-10-08``, or ``None`` for no day (JSON null; text shows its own placeholder)."""
    return day.isoformat() if day else None


def days_text(row: Row) -> str:
    """剩余 column: never only a colour."""
    status, days_left = row.status, row.days_left
    if status in FINISHED:
        return status.label
    if row.task.deadline.waiting:
        return "待触发"
    if days_left is None:
        return "无法定日"
    if row.overdue:
        return f"逾期 {-days_left} 天"
    if days_left < 0:
        return "已过期"  # past due, but every unit in scope has finished its part
    if days_left == 0:
        return "今天到期"
    if row.stale_units:  # yellow because nobody has recorded progress on a continuing duty
        return f"剩 {days_left} 天，久无进展"
    return f"剩 {days_left} 天"


def units_text(names: Sequence[str]) -> str:
    return "、".join(names)


def deadline_text(task: Task) -> str:
    if task.deadline.kind is DeadlineKind.MISSING:
        return "（未填）"
    return task.deadline.phrase or ""
