"""What ``gkplan remind`` has to say to each unit on a given day. Pure: plans in, reminders out.

A unit hears about its own part only: the tasks it is late on (with how many days)
and the ones due within the remind window, each with the unit's own status and,
when that part is blocked, the unit's note. A unit with nothing late or due soon
gets nothing: a reminder that always arrives stops being read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gkplan.errors import NotFoundError
from gkplan.model import Channel, Plan, Status
from gkplan.query import Scope, evaluate, sort_rows


@dataclass(frozen=True, slots=True)
class Item:
    """One task in a unit's reminder."""

    key: str  # 序号 as users type it (2, or 2022:2 with several plans)
    name: str  # 任务名称
    phrase: str  # 时间节点 as written ("" when the plan gives none)
    due: date  # the day it falls due (a recurring task: the occurrence the unit missed)
    days_left: int  # negative: days late
    status: Status  # the unit's own part
    note: str = ""  # the unit's note, shown when its part is blocked

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass(frozen=True, slots=True)
class UnitReminder:
    unit: str
    emails: tuple[str, ...]  # from units.yaml; empty = no e-mail for this unit
    overdue: tuple[Item, ...]
    due_soon: tuple[Item, ...]

    @property
    def blocked(self) -> int:
        return sum(item.status is Status.BLOCKED for item in (*self.overdue, *self.due_soon))


@dataclass(frozen=True, slots=True)
class Reminders:
    day: date
    window: int  # days ahead counted as "due soon"
    title: str  # the plans' titles, for the headline
    units: tuple[UnitReminder, ...]  # only units with something to say, in units.yaml order


def build_reminders(
    plans: Sequence[Plan],
    today: date,
    window: int,
    wanted: tuple[str, ...] = (),
    *,
    qualified: bool = False,
) -> Reminders:
    """Each unit's late and soon-due parts on ``today``; ``wanted``: only these units (empty = all)."""
    emails: dict[str, tuple[str, ...]] = {}
    order: list[str] = []
    for plan in plans:
        for entry in plan.units.units.values():
            if entry.name not in emails:
                order.append(entry.name)
                emails[entry.name] = entry.email
    late: dict[str, list[Item]] = {}
    soon: dict[str, list[Item]] = {}
    tasks = [task for plan in plans for task in plan.tasks]
    for unit in order if not wanted else [u for u in order if u in wanted]:
        scope = Scope(unit, (unit,))
        rows = sort_rows(evaluate(task, today, scope, window) for task in tasks if unit in task.responsible)
        for row in rows:
            if row.status.finished or row.due is None or row.days_left is None:
                continue
            if not row.overdue and not 0 <= row.days_left <= window:
                continue
            progress = row.task.progress.get(unit)
            item = Item(
                key=row.task.key(qualified),
                name=row.task.name,
                phrase=row.task.deadline.phrase or "",
                due=row.due,
                days_left=row.days_left,
                status=row.status,
                note=progress.note if progress and row.status is Status.BLOCKED else "",
            )
            (late if row.overdue else soon).setdefault(unit, []).append(item)
    units = tuple(
        UnitReminder(unit, emails.get(unit, ()), tuple(late.get(unit, ())), tuple(soon.get(unit, ())))
        for unit in order
        if unit in late or unit in soon
    )
    titles = sorted({plan.title for plan in plans})
    title = "、".join(titles) if len(titles) <= 2 else f"{len(titles)} 个工作要点"
    return Reminders(today, window, title, units)


def select_channels(channels: Sequence[Channel], names: Sequence[str]) -> tuple[Channel, ...]:
    """``--channel NAME`` (repeatable) picks channels by name; none given = every channel."""
    if not names:
        return tuple(channels)
    by_name = {channel.name: channel for channel in channels}
    chosen: list[Channel] = []
    for name in names:
        found = by_name.get(name.strip())
        if found is None:
            import difflib

            close = tuple(difflib.get_close_matches(name.strip(), list(by_name), n=3, cutoff=0.3))
            hint = (
                "" if close else ("settings.yaml 中的渠道：" + "、".join(by_name) if by_name else "settings.yaml 还没有 remind: channels:")
            )
            raise NotFoundError(f"没有名为「{name.strip()}」的催办渠道", suggestions=close, hint=hint)
        if found not in chosen:
            chosen.append(found)
    return tuple(chosen)
