"""query: per-unit status and lateness, derived task status, scopes, sorting (no files involved)."""

from __future__ import annotations

from datetime import date

import pytest

from gkplan.errors import NotFoundError
from gkplan.model import Deadline, DeadlineKind, Group, Light, Plan, Progress, Status, Task, Unit, UnitDirectory, Verification
from gkplan.query import EVERYONE, Scope, due_within, evaluate, find_task, resolve_scope, rows_for, sort_rows

UNITS = UnitDirectory(
    units={
        "局办公室": Unit("局办公室", "局机关科室", ("办公室",)),
        "就业培训科": Unit("就业培训科", "局机关科室"),
        "就业促进中心": Unit("就业促进中心", "局属单位"),
    },
    groups={"局属各单位": Group("局属各单位", ("就业促进中心",))},
)
ALL = ("局办公室", "就业培训科", "就业促进中心")
SEPT_END = Deadline("9月底前", DeadlineKind.BY_DATE, None, date(2022, 9, 30))


def task(progress: dict[str, Status] | None = None, *, verified: bool = False, deadline: Deadline = SEPT_END, id: int = 2) -> Task:
    return Task(
        plan="2022",
        id=id,
        name="任务",
        content="内容",
        section="一（一）",
        units=ALL,
        responsible=ALL,
        deadline=deadline,
        progress={u: Progress(u, s) for u, s in (progress or {}).items()},
        verified=Verification(date(2022, 10, 1)) if verified else None,
    )


@pytest.mark.parametrize(
    ("progress", "verified", "expected"),
    [
        ({}, False, Status.TODO),
        ({"局办公室": Status.DOING}, False, Status.DOING),
        ({"局办公室": Status.DONE}, False, Status.DOING),  # one unit done: the task has started
        ({"局办公室": Status.DONE, "就业培训科": Status.BLOCKED}, False, Status.BLOCKED),
        (dict.fromkeys(ALL, Status.DONE), False, Status.DONE),
        (dict.fromkeys(ALL, Status.DONE), True, Status.VERIFIED),
    ],
)
def test_task_status_is_derived_from_its_units(progress: dict[str, Status], verified: bool, expected: Status) -> None:
    assert task(progress, verified=verified).status is expected


def test_lateness_is_per_unit() -> None:
    late_day = date(2022, 10, 8)
    t = task({"局办公室": Status.DONE, "就业培训科": Status.DOING})
    row = evaluate(t, late_day)
    assert row.overdue
    assert row.late_units == ("就业培训科", "就业促进中心")
    assert row.light is Light.RED
    assert row.days_left == -8
    mine = evaluate(t, late_day, Scope("局办公室", ("局办公室",)))
    assert not mine.overdue
    assert mine.status is Status.DONE
    assert mine.light is Light.DONE


def test_due_today_is_not_late_and_is_yellow() -> None:
    row = evaluate(task(), date(2022, 9, 30))
    assert not row.overdue
    assert row.days_left == 0
    assert row.light is Light.YELLOW
    assert evaluate(task(), date(2022, 10, 1)).overdue


def test_warning_window() -> None:
    assert evaluate(task(), date(2022, 9, 16), warn_days=14).light is Light.YELLOW
    assert evaluate(task(), date(2022, 9, 15), warn_days=14).light is Light.GREEN
    assert evaluate(task(), date(2022, 9, 15), warn_days=15).light is Light.YELLOW


def test_undated_and_waiting_are_never_late() -> None:
    waiting = Deadline("出台后10个工作日内", DeadlineKind.RELATIVE, None, None, note="等待触发")
    row = evaluate(task(deadline=waiting), date(2023, 6, 1))
    assert not row.overdue
    assert row.light is Light.NONE
    assert due_within([row], date(2023, 6, 1), 365) == []


def test_scope_by_alias_group_and_unknown() -> None:
    plans = [Plan("2022", "计划", 2022, tasks=(task(),), units=UNITS)]
    assert resolve_scope(plans, None) is EVERYONE
    assert resolve_scope(plans, "办公室") == Scope("局办公室", ("局办公室",))
    assert resolve_scope(plans, "局属各单位") == Scope("局属各单位", ("就业促进中心",))
    with pytest.raises(NotFoundError) as caught:
        resolve_scope(plans, "就业陪训科")
    assert "就业培训科" in caught.value.suggestions


def test_rows_for_a_scope_skip_other_units_tasks() -> None:
    mine = Task("2022", 9, "n", "c", "", ("局办公室",), ("局办公室",), SEPT_END)
    rows = rows_for([task(), mine], date(2022, 9, 1), Scope("就业培训科", ("就业培训科",)))
    assert [r.task.id for r in rows] == [2]


def test_sorting_puts_undated_last() -> None:
    undated = Deadline("视情况", DeadlineKind.UNDATED, None, None)
    year_end = Deadline("全年", DeadlineKind.ONGOING, date(2022, 1, 1), date(2022, 12, 31))
    tasks = [task(deadline=undated, id=1), task(deadline=year_end, id=3), task(id=5), task(id=4)]
    rows = sort_rows(rows_for(tasks, date(2022, 6, 1)))
    assert [r.task.id for r in rows] == [4, 5, 3, 1]


def test_find_task_qualified_and_ambiguous() -> None:
    a = Plan("2022", "a", 2022, tasks=(task(id=2),), units=UNITS)
    b = Plan("2023", "b", 2023, tasks=(Task("2023", 2, "n", "c", "", (), (), SEPT_END),), units=UNITS)
    assert find_task([a, b], "2023:2").plan == "2023"
    assert find_task([a, b], "2022：2").plan == "2022"  # a full-width colon typed by a Chinese IME
    with pytest.raises(NotFoundError) as caught:
        find_task([a, b], "2")
    assert caught.value.suggestions == ("2022:2", "2023:2")
