"""Recurring deadlines in reports: the due date that matters on a day, and who is late.

Rule (README, 时间节点的写法): on a recurring task a unit is late when the latest
occurrence before today has passed and the unit has recorded no progress dated on or
after the first day of that occurrence's period (or no dated progress at all); a unit
that marked its part done, or a verified task, is never late.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from gkplan import query
from gkplan.deadlines import deadline_for_task, due_as_of, last_passed, occurrences, resolve_deadline
from gkplan.model import Progress, Status, Task, Verification
from tests.conftest import Runner

D = date
A, B = "就业培训科", "人才开发科"


def task(phrase: str, progress: dict[str, Progress] | None = None, *, verified: bool = False, year: int = 2022) -> Task:
    return Task(
        plan="2022",
        id=99,
        name="定期报送",
        content="",
        section="",
        units=(A, B),
        responsible=(A, B),
        deadline=resolve_deadline(phrase, year),
        progress=progress or {},
        verified=Verification(D(2022, 12, 31)) if verified else None,
    )


def progress(unit: str, status: Status, day: date | None) -> Progress:
    return Progress(unit, status, day)


QUARTERLY = resolve_deadline("每季度", 2022)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (D(2022, 1, 1), D(2022, 3, 31)),
        (D(2022, 3, 31), D(2022, 3, 31)),  # due today: still this occurrence
        (D(2022, 4, 1), D(2022, 6, 30)),
        (D(2022, 10, 8), D(2022, 12, 31)),
        (D(2022, 12, 31), D(2022, 12, 31)),
        (D(2023, 1, 10), D(2022, 12, 31)),  # after the year: the last occurrence
        (D(2021, 6, 1), D(2022, 3, 31)),  # before the year: the first
    ],
)
def test_due_as_of_quarterly(today: date, due: date) -> None:
    assert due_as_of(QUARTERLY, today) == due


def test_due_as_of_monthly_on_a_day() -> None:
    monthly = resolve_deadline("每月25日前", 2022)
    assert due_as_of(monthly, D(2022, 2, 25)) == D(2022, 2, 25)
    assert due_as_of(monthly, D(2022, 2, 26)) == D(2022, 3, 25)
    assert due_as_of(monthly, D(2022, 12, 26)) == D(2022, 12, 25)


def test_due_as_of_other_kinds_is_the_due_day() -> None:
    for phrase in ("9月底前", "8 月", "全年"):
        deadline = resolve_deadline(phrase, 2022)
        assert due_as_of(deadline, D(2022, 1, 1)) == deadline.due
        assert due_as_of(deadline, D(2023, 1, 1)) == deadline.due
    assert due_as_of(deadline_for_task("出台后10个工作日内", 2022), D(2022, 1, 1)) is None


def test_occurrences_inside_a_window() -> None:
    second_half = resolve_deadline("下半年每月", 2022)
    assert [o.due for o in occurrences(second_half)] == [
        D(2022, 7, 31),
        D(2022, 8, 31),
        D(2022, 9, 30),
        D(2022, 10, 31),
        D(2022, 11, 30),
        D(2022, 12, 31),
    ]
    from_march = resolve_deadline("2022年3月起每季度", 2022)
    assert occurrences(from_march)[0] == (D(2022, 3, 1), D(2022, 3, 31))  # the period starts with the window
    assert occurrences(QUARTERLY)[2] == (D(2022, 7, 1), D(2022, 9, 30))
    assert occurrences(resolve_deadline("9月底前", 2022)) == ()


def test_last_passed() -> None:
    assert last_passed(QUARTERLY, D(2022, 3, 31)) is None  # due today has not passed
    assert last_passed(QUARTERLY, D(2022, 4, 1)) == (D(2022, 1, 1), D(2022, 3, 31))
    assert last_passed(QUARTERLY, D(2022, 10, 8)) == (D(2022, 7, 1), D(2022, 9, 30))


def test_a_unit_without_progress_in_the_missed_period_is_late() -> None:
    t = task("每季度", {A: progress(A, Status.DOING, D(2022, 7, 15))})
    row = query.evaluate(t, D(2022, 10, 8))
    assert row.late_units == (B,)
    assert row.overdue
    assert row.due == D(2022, 9, 30)  # the occurrence B missed
    assert row.days_left == -8
    assert row.light is query.Light.RED


def test_the_unit_that_reported_is_on_time_for_its_own_scope() -> None:
    t = task("每季度", {A: progress(A, Status.DOING, D(2022, 7, 15))})
    row = query.evaluate(t, D(2022, 10, 8), query.Scope(A, (A,)))
    assert not row.overdue
    assert row.due == D(2022, 12, 31)  # the next occurrence
    assert row.days_left == 84
    assert row.light is query.Light.GREEN


def test_a_late_report_still_clears_the_occurrence() -> None:
    t = task("每季度", {A: progress(A, Status.DOING, D(2022, 10, 5)), B: progress(B, Status.DOING, D(2022, 10, 8))})
    assert not query.evaluate(t, D(2022, 10, 8)).overdue


@pytest.mark.parametrize(
    ("entry", "late"),
    [
        (None, True),  # no progress at all
        (progress(B, Status.DOING, D(2022, 6, 20)), True),  # the previous quarter's report
        (progress(B, Status.DOING, None), True),  # undated: cannot be placed in a period
        (progress(B, Status.BLOCKED, D(2022, 8, 1)), False),  # dated inside the period
        (progress(B, Status.DONE, D(2022, 3, 1)), False),  # finished its part: never late
    ],
)
def test_which_progress_counts(entry: Progress | None, late: bool) -> None:
    t = task("每季度", {B: entry} if entry else {})
    row = query.evaluate(t, D(2022, 10, 8), query.Scope(B, (B,)))
    assert row.overdue is late


def test_nobody_is_late_before_the_first_occurrence() -> None:
    row = query.evaluate(task("每季度"), D(2022, 3, 31))
    assert not row.overdue
    assert row.days_left == 0


def test_a_verified_task_is_never_late() -> None:
    t = task(
        "每季度",
        {A: progress(A, Status.DONE, D(2022, 1, 5)), B: progress(B, Status.DONE, D(2022, 1, 5))},
        verified=True,
    )
    assert not query.evaluate(t, D(2022, 10, 8)).overdue


def test_after_the_year_the_last_occurrence_decides() -> None:
    t = task("每季度", {A: progress(A, Status.DOING, D(2022, 11, 1)), B: progress(B, Status.DOING, D(2022, 9, 15))})
    row = query.evaluate(t, D(2023, 1, 10))
    assert row.late_units == (B,)
    assert row.due == D(2022, 12, 31)


def test_monthly_in_the_yellow_window() -> None:
    t = task("每月25日前", {A: progress(A, Status.DOING, D(2022, 10, 3)), B: progress(B, Status.DOING, D(2022, 10, 1))})
    row = query.evaluate(t, D(2022, 10, 20))
    assert not row.overdue
    assert row.due == D(2022, 10, 25)
    assert row.light is query.Light.YELLOW


def test_summary_counts_recurring_lateness_per_unit() -> None:
    t = task("每季度", {A: progress(A, Status.DOING, D(2022, 7, 15))})
    late = {u: query.evaluate(t, D(2022, 10, 8), query.Scope(u, (u,))).overdue for u in (A, B)}
    assert late == {A: False, B: True}


# --- end to end: a recurring task in the data, through the CLI -----------------------------------


def make_task_quarterly(data_dir: Path, progress_yaml: str) -> None:
    """Turn task 24 (8 月) of the copied plan into a quarterly report with some progress."""
    path = data_dir / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    old = "      - 局属各单位\n    deadline: 8 月\n"
    assert old in text
    path.write_text(text.replace(old, "      - 局属各单位\n    deadline: 全年，每季度报送\n" + progress_yaml), encoding="utf-8")


def test_overdue_lists_the_units_that_missed_the_quarter(gkplan: Runner, data_dir: Path) -> None:
    make_task_quarterly(
        data_dir,
        "    progress:\n"
        "      局办公室: {status: doing, date: 2022-07-20}\n"
        "      就业培训科: {status: doing, date: 2022-06-28}\n"
        "      人才开发科: {status: done, date: 2022-09-01}\n",
    )
    result = gkplan("overdue", "--today", "2022-10-08", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    row = rows[24]
    assert row["kind"] == "recurring"
    assert row["due"] == "2022-09-30"
    assert row["days_left"] == -8
    assert "局办公室" not in row["late_units"]
    assert "人才开发科" not in row["late_units"]
    assert "就业培训科" in row["late_units"]  # its last report was for the previous quarter
    assert "就业促进中心" in row["late_units"]  # never reported


def test_list_shows_the_next_occurrence_for_a_unit_that_reported(gkplan: Runner, data_dir: Path) -> None:
    make_task_quarterly(data_dir, "    progress:\n      局办公室: {status: doing, date: 2022-07-20}\n")
    result = gkplan("list", "--unit", "局办公室", "--today", "2022-10-08", "--format", "json")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in json.loads(result.stdout) if r["id"] == 24)
    assert (row["due"], row["overdue"], row["days_left"]) == ("2022-12-31", False, 84)


# --- round 2 periods (issue 15) ---------------------------------------------------------------------


def test_due_as_of_weekly_and_working_daily() -> None:
    assert due_as_of(resolve_deadline("每周五前", 2024), D(2024, 10, 8)) == D(2024, 10, 11)
    assert due_as_of(resolve_deadline("每周五前", 2024), D(2024, 10, 11)) == D(2024, 10, 11)
    # National Day 2022-10-01..07; the make-up Saturday 10-08 is the next working day
    assert due_as_of(resolve_deadline("每个工作日", 2022), D(2022, 10, 1)) == D(2022, 10, 8)
    assert due_as_of(resolve_deadline("每旬", 2023), D(2023, 2, 21)) == D(2023, 2, 28)


def test_a_report_on_the_previous_period_counts_from_the_day_after_the_last_report_was_due() -> None:
    """每季度结束后10日内: the Q3 report (due 10-10) counts from 07-11, so the Q2 report sent on 07-05 is not it."""
    deadline = resolve_deadline("每季度结束后10日内", 2023)
    assert [tuple(o) for o in occurrences(deadline)] == [
        (D(2023, 1, 11), D(2023, 4, 10)),
        (D(2023, 4, 11), D(2023, 7, 10)),
        (D(2023, 7, 11), D(2023, 10, 10)),
        (D(2023, 10, 11), D(2024, 1, 10)),  # the Q4 report falls due after the plan year
    ]
    t = task(
        "每季度结束后10日内",
        {A: progress(A, Status.DOING, D(2023, 7, 5)), B: progress(B, Status.DOING, D(2023, 9, 28))},
        year=2023,
    )
    row = query.evaluate(t, D(2023, 10, 12))
    assert row.late_units == (A,)
    assert row.due == D(2023, 10, 10)


def test_the_december_report_is_still_owed_in_january() -> None:
    t = task(
        "次月5日前",
        {A: progress(A, Status.DOING, D(2023, 12, 4)), B: progress(B, Status.DOING, D(2024, 1, 3))},
        year=2023,
    )
    row = query.evaluate(t, D(2024, 1, 8))
    assert row.late_units == (A,)  # A sent November's report on 12-04; December's (due 2024-01-05) never came
    assert row.due == D(2024, 1, 5)


def test_a_count_is_kept_but_one_dated_report_still_clears_a_period() -> None:
    """每季度组织一次: the count is shown; lateness is still judged per period, as for 每季度."""
    t = task("每季度组织一次", {A: progress(A, Status.DOING, D(2022, 7, 15))})
    assert t.deadline.count == 1
    assert query.evaluate(t, D(2022, 10, 8)).late_units == (B,)
