"""Working days under the State Council's yearly holiday arrangement (国务院办公厅 节假日安排).

Public holidays are off and the weekend make-up days (调休, e.g. Sat 2022-10-08) are
working days. The arrangement is published one year at a time, so the data comes
from a maintained library, ``chinese_calendar`` (PyPI ``chinesecalendar``): two
explicit tables, holidays and make-up working days, for 2004 up to the latest
published year. For a year outside its tables we fall back to Monday–Friday and
*say so*: the caller gets the uncovered years back and puts them in the note.

The library is imported lazily, on the first relative deadline: start-up time of
every other command matters more than the 10 ms it costs.

We count with the library's tables, not with its ``find_workday`` helper: that
helper first moves an anchor that falls on a day off to the next working day and
then counts on from there, so an anchor on 2022-10-01 gets one working day too
many (see tests/test_workdays.py). Chinese deadlines count from the day after
the anchor, whatever the anchor is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

SOURCE = "chinese_calendar"  # named in notes and the README
MAX_DAYS = 3660  # no relative deadline reaches ten years out: guards loops on absurd input


@dataclass(frozen=True, slots=True)
class Calendar:
    """The library's tables, and the years they cover."""

    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days that are working days (调休)
    first_year: int
    last_year: int
    version: str

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@cache
def calendar() -> Calendar:
    """Load the holiday tables once (lazily: only relative deadlines need them)."""
    import chinese_calendar

    tables: Any = chinese_calendar
    holidays = frozenset(tables.holidays)
    return Calendar(
        holidays=holidays,
        workdays=frozenset(tables.workdays),
        first_year=min(holidays).year,
        last_year=max(holidays).year,
        version=str(getattr(tables, "__version__", "")),
    )


def is_workday(day: date) -> bool:
    """A working day: a make-up day, or Monday–Friday that is not a holiday.

    Outside the covered years this is plain Monday–Friday; use ``covers`` to know which.
    """
    cal = calendar()
    if cal.covers(day.year):
        if day in cal.workdays:
            return True
        if day in cal.holidays:
            return False
    return day.weekday() < 5


def covers(year: int) -> bool:
    """Whether the official arrangement for ``year`` is in the data."""
    return calendar().covers(year)


def coverage() -> tuple[int, int]:
    """First and last year of the official arrangement in the data."""
    cal = calendar()
    return cal.first_year, cal.last_year


@dataclass(frozen=True, slots=True)
class Count:
    """The result of counting working days: the day reached and the years guessed as Monday–Friday."""

    day: date
    assumed_years: tuple[int, ...] = ()


def add_workdays(anchor: date, n: int) -> Count:
    """The ``n``-th working day after ``anchor``; the anchor itself never counts.

    ``n`` must be between 1 and ``MAX_DAYS``: callers validate the phrase first.
    """
    if not 1 <= n <= MAX_DAYS:
        raise ValueError(f"working-day count out of range: {n}")
    day = anchor
    counted = 0
    assumed: set[int] = set()
    while counted < n:
        day += timedelta(days=1)
        if not covers(day.year):
            assumed.add(day.year)
        if is_workday(day):
            counted += 1
    return Count(day, tuple(sorted(assumed)))


def fallback_note(years: tuple[int, ...]) -> str:
    """The warning a deadline carries when part of its count assumed Monday–Friday."""
    if not years:
        return ""
    first, last = coverage()
    shown = "、".join(str(y) for y in years)
    return f"{shown} 年的放假安排不在节假日数据中（{SOURCE} 覆盖 {first}–{last} 年），按周一至周五计算工作日，请核对"
