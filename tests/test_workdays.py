"""Working days against the State Council's published arrangements (国务院办公厅关于…部分节假日安排的通知).

The arrangements below are written out by hand from the notices, as literal
expectations, so the holiday library is checked against them rather than trusted.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import chinese_calendar
import pytest

from gkplan import workdays
from gkplan.deadlines import resolve_deadline

D = date


def days(first: date, last: date | None = None) -> list[date]:
    """``first`` to ``last`` inclusive (just ``first`` without ``last``)."""
    last = last or first
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# year -> (days off that are not plain weekends, weekend days that are working days)
OFFICIAL: dict[int, tuple[list[date], list[date]]] = {
    # 国办发明电〔2021〕11号
    2022: (
        days(D(2022, 1, 1), D(2022, 1, 3))  # 元旦
        + days(D(2022, 1, 31), D(2022, 2, 6))  # 春节
        + days(D(2022, 4, 3), D(2022, 4, 5))  # 清明节
        + days(D(2022, 4, 30), D(2022, 5, 4))  # 劳动节
        + days(D(2022, 6, 3), D(2022, 6, 5))  # 端午节
        + days(D(2022, 9, 10), D(2022, 9, 12))  # 中秋节
        + days(D(2022, 10, 1), D(2022, 10, 7)),  # 国庆节
        [D(2022, 1, 29), D(2022, 1, 30), D(2022, 4, 2), D(2022, 4, 24), D(2022, 5, 7), D(2022, 10, 8), D(2022, 10, 9)],
    ),
    # 国办发明电〔2022〕16号
    2023: (
        days(D(2023, 1, 1), D(2023, 1, 2))  # 元旦（2022-12-31 起）
        + days(D(2023, 1, 21), D(2023, 1, 27))  # 春节
        + days(D(2023, 4, 5))  # 清明节
        + days(D(2023, 4, 29), D(2023, 5, 3))  # 劳动节
        + days(D(2023, 6, 22), D(2023, 6, 24))  # 端午节
        + days(D(2023, 9, 29), D(2023, 10, 6)),  # 中秋节、国庆节
        [D(2023, 1, 28), D(2023, 1, 29), D(2023, 4, 23), D(2023, 5, 6), D(2023, 6, 25), D(2023, 10, 7), D(2023, 10, 8)],
    ),
    # 国办发明电〔2023〕7号 (除夕 2024-02-09 is only "encouraged" off: a working day)
    2024: (
        days(D(2024, 1, 1))  # 元旦
        + days(D(2024, 2, 10), D(2024, 2, 17))  # 春节
        + days(D(2024, 4, 4), D(2024, 4, 6))  # 清明节
        + days(D(2024, 5, 1), D(2024, 5, 5))  # 劳动节
        + days(D(2024, 6, 10))  # 端午节
        + days(D(2024, 9, 15), D(2024, 9, 17))  # 中秋节
        + days(D(2024, 10, 1), D(2024, 10, 7)),  # 国庆节
        [
            D(2024, 2, 4),
            D(2024, 2, 18),
            D(2024, 4, 7),
            D(2024, 4, 28),
            D(2024, 5, 11),
            D(2024, 9, 14),
            D(2024, 9, 29),
            D(2024, 10, 12),
        ],
    ),
    # 国办发明电〔2024〕12号 (the first year with 8-day Spring Festival and National Day)
    2025: (
        days(D(2025, 1, 1))  # 元旦
        + days(D(2025, 1, 28), D(2025, 2, 4))  # 春节
        + days(D(2025, 4, 4), D(2025, 4, 6))  # 清明节
        + days(D(2025, 5, 1), D(2025, 5, 5))  # 劳动节
        + days(D(2025, 5, 31), D(2025, 6, 2))  # 端午节
        + days(D(2025, 10, 1), D(2025, 10, 8)),  # 国庆节、中秋节
        [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    ),
}


def official_workday(day: date) -> bool:
    off, on = OFFICIAL[day.year]
    if day in on:
        return True
    return day.weekday() < 5 and day not in off


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_every_day_matches_the_official_arrangement(year: int) -> None:
    """Ours and the library's helper agree with the notice on every day of the year."""
    for day in days(D(year, 1, 1), D(year, 12, 31)):
        expected = official_workday(day)
        assert workdays.is_workday(day) is expected, day
        assert chinese_calendar.is_workday(day) is expected, day


def test_make_up_days_are_weekends_and_holidays_are_off() -> None:
    for year, (off, on) in OFFICIAL.items():
        assert all(d.weekday() >= 5 for d in on), year
        assert not any(workdays.is_workday(d) for d in off), year


def test_our_reading_of_the_tables_matches_the_library_everywhere_it_has_data() -> None:
    first, last = workdays.coverage()
    assert first <= 2004
    assert last >= 2025
    for day in days(D(first, 1, 1), D(last, 12, 31)):
        assert workdays.is_workday(day) is chinese_calendar.is_workday(day), day


# (anchor, n, due): the n-th working day after the anchor, the anchor itself not counted.
# Around National Day, Spring Festival and May Day, with their 调休 weekends; several
# anchors fall on a holiday or on a make-up Saturday.
WORKDAY_CASES = [
    # National Day
    (D(2022, 9, 28), 10, D(2022, 10, 17)),  # the example: 出台 2022-09-28
    (D(2022, 9, 30), 3, D(2022, 10, 10)),  # eve of the holiday: 10-08 and 10-09 are make-up days
    (D(2022, 10, 1), 1, D(2022, 10, 8)),  # anchor on a holiday: the make-up Saturday is the 1st
    (D(2022, 10, 8), 1, D(2022, 10, 9)),  # anchor on a make-up Saturday: Sunday 10-09 works too
    (D(2023, 9, 27), 5, D(2023, 10, 10)),  # 中秋国庆 8 days; make-up 10-07, 10-08
    (D(2024, 9, 27), 2, D(2024, 9, 30)),  # Sunday 09-29 is a make-up day
    (D(2024, 10, 7), 5, D(2024, 10, 12)),  # anchor on the last holiday; Saturday 10-12 works
    (D(2025, 9, 26), 2, D(2025, 9, 29)),  # Sunday 09-28 is a make-up day
    (D(2025, 9, 30), 1, D(2025, 10, 9)),  # 2025: eight days off, 10-01 to 10-08
    (D(2025, 10, 1), 3, D(2025, 10, 11)),  # anchor on a holiday; Saturday 10-11 works
    # Spring Festival
    (D(2022, 1, 28), 2, D(2022, 1, 30)),  # both make-up days before the holiday
    (D(2022, 1, 28), 3, D(2022, 2, 7)),
    (D(2024, 2, 8), 1, D(2024, 2, 9)),  # 除夕 2024-02-09 (a Friday) is a working day
    (D(2024, 2, 8), 2, D(2024, 2, 18)),  # then 02-10..17 off, Sunday 02-18 works
    (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Sunday 01-26 is a make-up day
    (D(2025, 2, 4), 4, D(2025, 2, 8)),  # anchor on the last holiday; Saturday 02-08 works
    # May Day
    (D(2022, 4, 22), 1, D(2022, 4, 24)),  # Sunday 04-24 is a make-up day
    (D(2022, 4, 29), 1, D(2022, 5, 5)),
    (D(2022, 5, 5), 2, D(2022, 5, 7)),  # Saturday 05-07 is a make-up day
    (D(2023, 4, 28), 3, D(2023, 5, 6)),
    (D(2024, 5, 1), 1, D(2024, 5, 6)),  # anchor on a holiday
    (D(2024, 5, 10), 1, D(2024, 5, 11)),  # Saturday 05-11 is a make-up day
    (D(2025, 4, 30), 1, D(2025, 5, 6)),
]


@pytest.mark.parametrize(("anchor", "n", "due"), WORKDAY_CASES, ids=[f"{a}+{n}" for a, n, _ in WORKDAY_CASES])
def test_working_days_after_an_anchor(anchor: date, n: int, due: date) -> None:
    count = workdays.add_workdays(anchor, n)
    assert count.day == due
    assert count.assumed_years == ()
    # cross-check with the library: exactly n of its working days after the anchor, the last one on ``due``
    assert len(chinese_calendar.get_workdays(anchor + timedelta(days=1), due)) == n
    assert chinese_calendar.is_workday(due)
    # and the deadline engine gives the same day for the phrase
    got = resolve_deadline(f"出台后{n}个工作日内", anchor.year, anchor=anchor)
    assert got.due == due
    assert "按周一至周五" not in got.note


@pytest.mark.parametrize(("anchor", "n", "due"), WORKDAY_CASES, ids=[f"{a}+{n}" for a, n, _ in WORKDAY_CASES])
def test_library_find_workday_is_one_day_late_when_the_anchor_is_off(anchor: date, n: int, due: date) -> None:
    """Why we count ourselves: ``find_workday`` first moves an off-day anchor to the next
    working day and counts from *there*, so it gives the (n+1)-th working day after the anchor."""
    if chinese_calendar.is_workday(anchor):
        assert chinese_calendar.find_workday(n, anchor) == due
    else:
        assert chinese_calendar.find_workday(n, anchor) == workdays.add_workdays(anchor, n + 1).day


def test_years_without_data_fall_back_to_monday_to_friday_and_say_so() -> None:
    last = workdays.coverage()[1]
    year = last + 1
    anchor = D(year, 3, 6)
    count = workdays.add_workdays(anchor, 5)
    expected = anchor
    for _ in range(5):
        expected += timedelta(days=1)
        while expected.weekday() >= 5:
            expected += timedelta(days=1)
    assert count.day == expected
    assert count.assumed_years == (year,)
    got = resolve_deadline("出台后5个工作日内", year, anchor=anchor)
    assert got.due == expected
    assert f"{year} 年的放假安排不在节假日数据中" in got.note
    assert "按周一至周五计算工作日" in got.note


def test_a_count_that_runs_past_the_data_warns_only_for_the_uncovered_year() -> None:
    last = workdays.coverage()[1]
    count = workdays.add_workdays(D(last, 12, 24), 10)
    assert count.day.year == last + 1
    assert count.assumed_years == (last + 1,)


def test_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="out of range"):
        workdays.add_workdays(D(2022, 1, 1), 0)


def test_the_holiday_data_is_imported_only_for_relative_deadlines() -> None:
    """Start-up time: loading the CLI, or reading dated phrases, must not import the calendar."""
    code = (
        "import sys, datetime\n"
        "import gkplan.cli\n"
        "from gkplan.deadlines import resolve_deadline\n"
        "resolve_deadline('9月底前', 2022); resolve_deadline('每季度', 2022)\n"
        "resolve_deadline('出台后10个工作日内', 2022)\n"
        "print('chinese_calendar' in sys.modules)\n"
        "resolve_deadline('出台后10个工作日内', 2022, anchor=datetime.date(2022, 9, 28))\n"
        "print('chinese_calendar' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
