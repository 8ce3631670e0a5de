"""``gkplan date``: how one 时间节点 phrase is read, as text or JSON."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from gkplan.deadlines import due_as_of, occurrences
from gkplan.model import Deadline, DeadlineKind
from gkplan.render.grid import Output
from gkplan.render.wording import iso
from gkplan.textsafe import json_text


class DateFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def deadline_object(deadline: Deadline, today: date | None = None, anchor: date | None = None) -> dict[str, Any]:
    """The JSON contract of ``gkplan date``: phrase, kind, start, due, note (+ the extras that apply)."""
    obj: dict[str, Any] = {
        "phrase": deadline.phrase,
        "kind": deadline.kind.value,
        "start": iso(deadline.start),
        "due": iso(deadline.due),
        "note": deadline.note,
        "leftover": deadline.leftover,
    }
    if deadline.kind is DeadlineKind.RECURRING:
        obj["occurrences"] = [o.due.isoformat() for o in occurrences(deadline)]
        if today is not None:
            obj["next_due"] = iso(due_as_of(deadline, today))
    if deadline.kind is DeadlineKind.RELATIVE:
        obj["anchor"] = iso(anchor)
    if deadline.count is not None:
        obj["count"] = deadline.count
    return obj


def print_deadline(
    out: Output,
    deadline: Deadline,
    fmt: DateFormat,
    *,
    year: int,
    today: date | None = None,
    anchor: date | None = None,
) -> None:
    obj = deadline_object(deadline, today, anchor)
    if fmt is DateFormat.JSON:
        out.write(json_text(obj))
        return
    lines: list[tuple[str, str]] = [
        ("时间节点", deadline.phrase or ""),
        ("计划年度", str(year)),
        ("类型", f"{deadline.kind.label}（{deadline.kind.value}）"),
    ]
    if deadline.kind is DeadlineKind.RELATIVE:
        lines.append(("起算日", f"{anchor.isoformat()}（当天不计）" if anchor else "未给出（--from 日期）"))
    elif deadline.start:
        lines.append(("开始", deadline.start.isoformat()))
    lines.append(("截止", iso(deadline.due) or ("待触发" if deadline.waiting else "—")))
    if deadline.kind is DeadlineKind.RECURRING:
        lines.append(("各期截止", occurrences_text(obj["occurrences"])))
        if today is not None:
            lines.append(("下次截止", f"{obj['next_due'] or '—'}（按 {today.isoformat()} 计）"))
    if deadline.count is not None:
        each = "每期" if deadline.kind is DeadlineKind.RECURRING else "期内"
        lines.append(("次数", f"{each}至少 {deadline.count} 次"))
    if deadline.leftover:
        lines.append(("未参与计算", deadline.leftover))
    if deadline.note:
        lines.append(("说明", deadline.note))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        out.say(f"{label}{'　' * (width - len(label))}：{value}", indent=2 * width + 2)


# A daily or weekly duty has 50-365 due dates: a terminal shows the first and the last few
# (JSON keeps them all).
SHOWN_OCCURRENCES = 12


def occurrences_text(days: list[str]) -> str:
    if len(days) <= SHOWN_OCCURRENCES + 1:
        return "、".join(days)
    head, tail = days[: SHOWN_OCCURRENCES - 2], days[-2:]
    return f"{'、'.join(head)} … {'、'.join(tail)}（共 {len(days)} 期，全部见 --format json）"
