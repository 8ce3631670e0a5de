"""时间节点 phrase + plan year (+ anchor) -> ``Deadline``. Pure: no clock, no I/O.

This first version reads the forms the 2022 plan uses (全年, N月底前, N月);
the full grammar grows here behind the same two functions.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import lru_cache

from gkplan.errors import DeadlineError
from gkplan.model import Deadline, DeadlineKind

ACCEPTED_FORMS = "全年、N月底前、N月（如 9月底前、8 月）"

_ONGOING = {"全年"}
_BY_MONTH_END = re.compile(r"(\d{1,2})月底前?")
_DURING_MONTH = re.compile(r"(\d{1,2})月")


def normalize(phrase: str) -> str:
    """Full-width digits and letters to ASCII, spaces removed."""
    text = unicodedata.normalize("NFKC", phrase)
    return re.sub(r"\s+", "", text)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def resolve_deadline(phrase: str, year: int, *, anchor: date | None = None) -> Deadline:
    """Read one phrase; raise ``DeadlineError`` when it cannot be read without guessing."""
    text = normalize(phrase)
    if not text:
        raise DeadlineError(phrase, "内容为空", hint=f"可用的写法：{ACCEPTED_FORMS}")
    if text in _ONGOING:
        return Deadline(phrase, DeadlineKind.ONGOING, date(year, 1, 1), date(year, 12, 31))
    match = _BY_MONTH_END.fullmatch(text)
    if match:
        month = _month(phrase, match.group(1))
        return Deadline(phrase, DeadlineKind.BY_DATE, None, month_end(year, month))
    match = _DURING_MONTH.fullmatch(text)
    if match:
        month = _month(phrase, match.group(1))
        return Deadline(phrase, DeadlineKind.DURING, date(year, month, 1), month_end(year, month))
    raise DeadlineError(phrase, "不是可识别的写法", hint=f"可用的写法：{ACCEPTED_FORMS}")


def _month(phrase: str, digits: str) -> int:
    month = int(digits)
    if not 1 <= month <= 12:
        raise DeadlineError(phrase, f"没有 {month} 月", hint="月份应为 1-12")
    return month


@lru_cache(maxsize=4096)
def deadline_for_task(phrase: str | None, year: int, anchor: date | None = None) -> Deadline:
    """Like ``resolve_deadline`` but never raises: what a task carries.

    A missing phrase is the plan year's end (and says so); an unreadable one is
    undated with the reason, so reports keep working and ``check`` can point at it.
    """
    if not year:
        return Deadline(phrase, DeadlineKind.UNDATED, None, None, note="计划缺少 year，无法确定日期")
    if phrase is None or not phrase.strip():
        return Deadline(
            None,
            DeadlineKind.MISSING,
            None,
            date(year, 12, 31),
            note=f"计划未写时间节点，按 {year} 年底计",
        )
    try:
        return resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError as exc:
        return Deadline(phrase, DeadlineKind.UNDATED, None, None, note=str(exc))


def due_as_of(deadline: Deadline, today: date) -> date | None:
    """The due date that matters on ``today``.

    For most kinds that is simply ``deadline.due``; a recurring deadline falls
    due again and again, so it is the next occurrence on or after today (or the
    last one of the plan year once that has passed).
    """
    if deadline.kind is not DeadlineKind.RECURRING or deadline.rule is None:
        return deadline.due
    return deadline.due  # refined with the recurring grammar
