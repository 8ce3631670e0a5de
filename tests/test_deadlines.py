"""The deadline grammar: a table of cases (refusing duplicates) and hypothesis properties.

The reference date is always passed in (plan year, anchor); nothing here reads the clock.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan import deadlines
from gkplan.deadlines import (
    ACCEPTED_FORMS,
    RULES,
    cn_number,
    deadline_for_task,
    normalize,
    resolve_deadline,
)
from gkplan.errors import DeadlineError, ExitCode
from gkplan.model import DeadlineKind, Recurrence

BY = DeadlineKind.BY_DATE
DURING = DeadlineKind.DURING
ONGOING = DeadlineKind.ONGOING
RECURRING = DeadlineKind.RECURRING
RELATIVE = DeadlineKind.RELATIVE
D = date


@dataclass(frozen=True)
class Case:
    phrase: str
    year: int
    kind: DeadlineKind
    start: date | None
    due: date | None
    anchor: date | None = None
    note: str = ""  # a fragment the note must contain; "" = the note must be empty
    leftover: str = ""
    rule: Recurrence | None = None

    @property
    def id(self) -> str:
        return f"{self.phrase}@{self.year}" + (f"+{self.anchor}" if self.anchor else "")


class CaseTable:
    """Cases keyed by (phrase, year, anchor): adding the same input twice is a mistake in the table."""

    def __init__(self) -> None:
        self.cases: dict[tuple[str, int, date | None], Case] = {}

    def add(self, phrase: str, year: int, kind: DeadlineKind, start: date | None, due: date | None, **extra: object) -> None:
        case = Case(phrase, year, kind, start, due, **extra)  # type: ignore[arg-type]
        key = (phrase, year, case.anchor)
        if key in self.cases:
            raise ValueError(f"duplicate deadline case: {key}")
        self.cases[key] = case

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.cases.values())


CASES = CaseTable()
add = CASES.add

# --- by a date: N月底前, N月底, N月N日前, N月N日, 年底前, 年底, 年内, 到2023年底 -------------
add("9月底前", 2022, BY, None, D(2022, 9, 30))
add("9 月底前", 2022, BY, None, D(2022, 9, 30))  # as the 2022 plan writes it
add("9月底", 2023, BY, None, D(2023, 9, 30))
add("9月末", 2024, BY, None, D(2024, 9, 30))
add("9月底之前", 2025, BY, None, D(2025, 9, 30))
add("9月底以前", 2022, BY, None, D(2022, 9, 30))
add("10月底前", 2022, BY, None, D(2022, 10, 31))
add("11月底前", 2023, BY, None, D(2023, 11, 30))
add("十二月底前", 2022, BY, None, D(2022, 12, 31))
add("九月底前", 2024, BY, None, D(2024, 9, 30))
add("９月底前", 2025, BY, None, D(2025, 9, 30))  # full-width digit
add("１２月底前", 2022, BY, None, D(2022, 12, 31))
add("2月底", 2024, BY, None, D(2024, 2, 29))  # leap year
add("2月底前", 2023, BY, None, D(2023, 2, 28))
add("2月底前", 2022, BY, None, D(2022, 2, 28))
add("二月底前", 2024, BY, None, D(2024, 2, 29))
add("2月29日前", 2024, BY, None, D(2024, 2, 29))
add("10月15日前", 2022, BY, None, D(2022, 10, 15))
add("10月15日", 2023, BY, None, D(2023, 10, 15))
add("10月15号", 2024, BY, None, D(2024, 10, 15))
add("十月十五日前", 2025, BY, None, D(2025, 10, 15))
add("6月30日以前", 2022, BY, None, D(2022, 6, 30))
add("截至9月30日", 2022, BY, None, D(2022, 9, 30))
add("9月30日止", 2023, BY, None, D(2023, 9, 30))
add("到3月", 2022, BY, None, D(2022, 3, 31))
add("年底前", 2022, BY, None, D(2022, 12, 31))
add("年底", 2023, BY, None, D(2023, 12, 31))
add("年内", 2024, BY, None, D(2024, 12, 31))
add("年末", 2025, BY, None, D(2025, 12, 31))
add("年度内", 2022, BY, None, D(2022, 12, 31))
add("今年底前", 2025, BY, None, D(2025, 12, 31))
add("到2023年底", 2022, BY, None, D(2023, 12, 31), note="原文写明 2023 年")
add("2023年底前", 2023, BY, None, D(2023, 12, 31))
add("2023年6月底前", 2022, BY, None, D(2023, 6, 30), note="原文写明 2023 年")
add("2023年6月30日前", 2022, BY, None, D(2023, 6, 30), note="原文写明 2023 年")
add("２０２３年６月３０日前", 2023, BY, None, D(2023, 6, 30))
add("二〇二三年六月三十日前", 2023, BY, None, D(2023, 6, 30))
add("次年3月底前", 2022, BY, None, D(2023, 3, 31), note="原文写明 2023 年")
add("2022-09-30", 2022, BY, None, D(2022, 9, 30))
add("2024/2/29", 2024, BY, None, D(2024, 2, 29))
add("三季度末", 2022, BY, None, D(2022, 9, 30))
add("第三季度末前", 2025, BY, None, D(2025, 9, 30))
add("一季度末", 2024, BY, None, D(2024, 3, 31))
add("上半年末", 2023, BY, None, D(2023, 6, 30))
add("到三季度", 2022, BY, None, D(2022, 9, 30))

# --- during a period ----------------------------------------------------------------------
add("8 月", 2022, DURING, D(2022, 8, 1), D(2022, 8, 31))
add("8月", 2023, DURING, D(2023, 8, 1), D(2023, 8, 31))
add("8月份", 2024, DURING, D(2024, 8, 1), D(2024, 8, 31))
add("八月", 2025, DURING, D(2025, 8, 1), D(2025, 8, 31))
add("九月", 2022, DURING, D(2022, 9, 1), D(2022, 9, 30))
add("十二月", 2023, DURING, D(2023, 12, 1), D(2023, 12, 31))
add("２月", 2024, DURING, D(2024, 2, 1), D(2024, 2, 29))
add("10月内", 2025, DURING, D(2025, 10, 1), D(2025, 10, 31))
add("二〇二二年十月", 2023, DURING, D(2022, 10, 1), D(2022, 10, 31), note="原文写明 2022 年")
add("二〇二二年十月", 2022, DURING, D(2022, 10, 1), D(2022, 10, 31))
add("上半年", 2022, DURING, D(2022, 1, 1), D(2022, 6, 30))
add("下半年", 2023, DURING, D(2023, 7, 1), D(2023, 12, 31))
add("上半年内", 2024, DURING, D(2024, 1, 1), D(2024, 6, 30))
add("一季度", 2022, DURING, D(2022, 1, 1), D(2022, 3, 31))
add("第一季度", 2023, DURING, D(2023, 1, 1), D(2023, 3, 31))
add("二季度", 2024, DURING, D(2024, 4, 1), D(2024, 6, 30))
add("三季度", 2025, DURING, D(2025, 7, 1), D(2025, 9, 30))
add("第四季度内", 2022, DURING, D(2022, 10, 1), D(2022, 12, 31))
add("Q4", 2025, DURING, D(2025, 10, 1), D(2025, 12, 31))
add("10月上旬", 2022, DURING, D(2022, 10, 1), D(2022, 10, 10))
add("10月中旬", 2023, DURING, D(2023, 10, 11), D(2023, 10, 20))
add("10月下旬", 2024, DURING, D(2024, 10, 21), D(2024, 10, 31))
add("2月下旬", 2024, DURING, D(2024, 2, 21), D(2024, 2, 29))
add("2月下旬", 2025, DURING, D(2025, 2, 21), D(2025, 2, 28))
add("十月中旬", 2022, DURING, D(2022, 10, 11), D(2022, 10, 20))
add("1-6月", 2022, DURING, D(2022, 1, 1), D(2022, 6, 30))
add("1—6月", 2023, DURING, D(2023, 1, 1), D(2023, 6, 30))
add("1～6月", 2024, DURING, D(2024, 1, 1), D(2024, 6, 30))
add("一至六月", 2025, DURING, D(2025, 1, 1), D(2025, 6, 30))
add("2022年1月至10月", 2022, DURING, D(2022, 1, 1), D(2022, 10, 31))
add("2022年11月至2023年3月", 2022, DURING, D(2022, 11, 1), D(2023, 3, 31), note="原文写明 2023 年")
add("11月至次年3月", 2024, DURING, D(2024, 11, 1), D(2025, 3, 31), note="原文写明 2025 年")
add("2022—2024年", 2022, DURING, D(2022, 1, 1), D(2024, 12, 31), note="原文写明 2024 年")
add("2022-2024年", 2023, DURING, D(2022, 1, 1), D(2024, 12, 31), note="原文写明 2022、2024 年")
add("二〇二二—二〇二四年", 2024, DURING, D(2022, 1, 1), D(2024, 12, 31), note="原文写明 2022 年")
add("3月至年底", 2023, DURING, D(2023, 3, 1), D(2023, 12, 31))
add("9月1日至30日", 2024, DURING, D(2024, 9, 1), D(2024, 9, 30))
add("9月1日至10月15日", 2025, DURING, D(2025, 9, 1), D(2025, 10, 15))
add("前三季度", 2022, DURING, D(2022, 1, 1), D(2022, 9, 30))
add("一至三季度", 2023, DURING, D(2023, 1, 1), D(2023, 9, 30))
add("2023年", 2022, DURING, D(2023, 1, 1), D(2023, 12, 31), note="原文写明 2023 年")
add("9月、10月", 2022, DURING, D(2022, 9, 1), D(2022, 10, 31), note="含多个时间节点")

# --- ongoing --------------------------------------------------------------------------------
for year in (2022, 2023, 2024, 2025):
    add("全年", year, ONGOING, D(year, 1, 1), D(year, 12, 31))
add("长期", 2023, ONGOING, D(2023, 1, 1), D(2023, 12, 31))
add("长期坚持", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31))
add("持续推进", 2024, ONGOING, D(2024, 1, 1), D(2024, 12, 31))
add("常态化", 2025, ONGOING, D(2025, 1, 1), D(2025, 12, 31))
add("持续", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31))
add("定期", 2023, ONGOING, D(2023, 1, 1), D(2023, 12, 31))
add("全年，常态化", 2024, ONGOING, D(2024, 1, 1), D(2024, 12, 31))
add("2022年3月起", 2022, ONGOING, D(2022, 3, 1), D(2022, 12, 31))
add("2022年3月起", 2023, ONGOING, D(2022, 3, 1), D(2023, 12, 31), note="原文写明 2022 年")
add("3月1日起", 2024, ONGOING, D(2024, 3, 1), D(2024, 12, 31))
add("自10月开始", 2025, ONGOING, D(2025, 10, 1), D(2025, 12, 31))

# --- recurring -------------------------------------------------------------------------------
add("每月", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(1, None, "每月"), note="共 12 次")
add(
    "每月25日前",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 25),
    rule=Recurrence(1, 25, "每月25日前"),
    note="首次 2023-01-25",
)
add(
    "每月二十五日前",
    2024,
    RECURRING,
    D(2024, 1, 1),
    D(2024, 12, 25),
    rule=Recurrence(1, 25, "每月25日前"),
    note="共 12 次",
)
add("每月底", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 31), rule=Recurrence(1, None, "每月底"), note="共 12 次")
add("每月上旬", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 10), rule=Recurrence(1, 10, "每月上旬"), note="共 12 次")
add("每月31日前", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(1, 31, "每月31日前"), note="按月末计")
add("每季度", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(3, None, "每季度"), note="共 4 次")
add(
    "每季度末",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 31),
    rule=Recurrence(3, None, "每季度末"),
    note="首次 2023-03-31",
)
add("按季度", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(3, None, "按季度"), note="共 4 次")
add("每半年", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(6, None, "每半年"), note="共 2 次")
add("每年", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(12, None, "每年"), note="共 1 次")
add("按年", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(12, None, "按年"), note="共 1 次")
add(
    "每年6月底前",
    2025,
    RECURRING,
    D(2025, 1, 1),
    D(2025, 6, 30),
    rule=Recurrence(12, None, "每年6月底前", 6),
    note="共 1 次",
)
add("每两个月", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(2, None, "每2个月"), note="共 6 次")
add("下半年每月", 2022, RECURRING, D(2022, 7, 1), D(2022, 12, 31), rule=Recurrence(1, None, "每月"), note="共 6 次")
add(
    "2022年3月起每季度",
    2022,
    RECURRING,
    D(2022, 3, 1),
    D(2022, 12, 31),
    rule=Recurrence(3, None, "每季度"),
    note="首次 2022-03-31",
)
add(
    "全年，每季度报送",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2022, 12, 31),
    rule=Recurrence(3, None, "每季度"),
    leftover="报送",
    note="未参与计算的文字：「报送」",
)

# --- relative: the anchor day does not count; without an anchor: waiting -----------------------
add("出台后10个工作日内", 2022, RELATIVE, None, None, note="等待触发")
add("出台后10个工作日内", 2022, RELATIVE, D(2022, 9, 28), D(2022, 10, 17), anchor=D(2022, 9, 28), note="当天不计")
add(
    "决策文件出台后的 10 个工作日内",
    2022,
    RELATIVE,
    D(2022, 9, 28),
    D(2022, 10, 17),
    anchor=D(2022, 9, 28),
    note="第 10 个工作日",
)
add("10个工作日内", 2023, RELATIVE, None, None, note="等待触发")
add("十个工作日内", 2023, RELATIVE, D(2023, 9, 27), D(2023, 10, 17), anchor=D(2023, 9, 27), note="当天不计")
add(
    "自收到申请之日起20个工作日内",
    2022,
    RELATIVE,
    D(2022, 9, 28),
    D(2022, 10, 31),
    anchor=D(2022, 9, 28),
    note="当天不计",
)
add("15日内", 2022, RELATIVE, D(2022, 9, 28), D(2022, 10, 13), anchor=D(2022, 9, 28), note="当天不计")
add("十五天内", 2024, RELATIVE, D(2024, 2, 20), D(2024, 3, 6), anchor=D(2024, 2, 20), note="当天不计")
add("印发后2周内", 2025, RELATIVE, D(2025, 1, 1), D(2025, 1, 15), anchor=D(2025, 1, 1), note="当天不计")
add("出台后3个月内", 2024, RELATIVE, D(2024, 11, 30), D(2025, 2, 28), anchor=D(2024, 11, 30), note="当天不计")
add("3个月内", 2024, RELATIVE, D(2024, 1, 31), D(2024, 4, 30), anchor=D(2024, 1, 31), note="当天不计")
add("长期，出台后5个工作日内", 2022, RELATIVE, None, None, note="等待触发")

# --- combined text: parse what is there, keep the rest ------------------------------------------
add("9月底前完成", 2022, BY, None, D(2022, 9, 30), leftover="完成", note="未参与计算的文字：「完成」")
add("  10 月底前 完成。", 2023, BY, None, D(2023, 10, 31), leftover="完成", note="「完成」")
add("全年，及时公开", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31), leftover="及时公开", note="「及时公开」")
add("全年推进，9月底前完成", 2022, BY, None, D(2022, 9, 30), leftover="推进 完成", note="「全年」视为持续推进的说明")
add(
    "6月底前完成方案，9月底前完成",
    2024,
    BY,
    None,
    D(2024, 9, 30),
    leftover="完成方案 完成",
    note="以最晚的 2024-09-30 为截止",
)
add("8月启动，10月底前完成", 2025, BY, D(2025, 8, 1), D(2025, 10, 31), leftover="启动 完成", note="含多个时间节点")
add("9月和10月", 2025, DURING, D(2025, 9, 1), D(2025, 10, 31), note="含多个时间节点")
add("9月底前。", 2022, BY, None, D(2022, 9, 30))
add("（9月底前）", 2022, BY, None, D(2022, 9, 30))


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: c.id)
def test_case_table(case: Case) -> None:
    got = resolve_deadline(case.phrase, case.year, anchor=case.anchor)
    assert (got.kind, got.start, got.due) == (case.kind, case.start, case.due)
    assert got.leftover == case.leftover
    assert got.phrase == case.phrase
    if case.rule is not None:
        assert got.rule == case.rule
    else:
        assert got.rule is None
    if case.note:
        assert case.note in got.note
    else:
        assert got.note == ""


def test_table_refuses_duplicates() -> None:
    table = CaseTable()
    table.add("9月底前", 2022, BY, None, D(2022, 9, 30))
    with pytest.raises(ValueError, match="duplicate"):
        table.add("9月底前", 2022, BY, None, D(2022, 9, 30))


def test_table_covers_every_rule_in_several_years() -> None:
    """Every grammar rule has cases, and the table spans the plan years 2022-2025."""
    years = {case.year for case in CASES}
    assert {2022, 2023, 2024, 2025} <= years
    assert len(RULES) >= 15


# --- refused: never guessed ---------------------------------------------------------------------
REFUSED = [
    ("9月份前", 2022, "N月份前"),
    ("9月前", 2022, "N月前"),
    ("十月份以前", 2023, "N月份前"),
    ("视情况", 2022, "取决于情况"),
    ("根据需要", 2023, "取决于情况"),
    ("按上级要求", 2024, "取决于情况"),
    ("国庆节前", 2022, "节日"),
    ("春节前", 2023, "节日"),
    ("十一前", 2024, "节日"),
    ("年前", 2025, "节日"),
    ("2月31日", 2022, "没有 31 日"),
    ("2月29日前", 2023, "2023 年 2 月没有 29 日"),
    ("9月31日前", 2024, "没有 31 日"),
    ("13月底前", 2022, "没有 13 月"),
    ("0月", 2022, "没有 0 月"),
    ("10月中旬前", 2022, "中旬前"),
    ("三季度前", 2023, "季度前"),
    ("上半年前", 2023, "季度前"),
    ("10月初", 2024, "月初"),
    ("年中", 2025, "年中"),
    ("9月底前后", 2022, "前后"),
    ("10月左右", 2022, "左右"),
    ("本月底前", 2022, "本月"),
    ("下季度", 2022, "下季度"),
    ("每周", 2022, "按周"),
    ("每个工作日", 2022, "按周"),
    ("9月1日后", 2022, "只说明开始"),
    ("10月以后", 2022, "只说明开始"),
    ("及时", 2022, "没有确定的日期"),
    ("尽快", 2022, "没有确定的日期"),
    ("第2批9月底前", 2022, "数字「2」"),
    ("22年底前", 2022, "数字「22」"),
    ("随便写写", 2022, "不是可识别的写法"),
    ("", 2022, "内容为空"),
    ("   ", 2022, "内容为空"),
    ("每季度15日前", 2022, "哪个月"),
    ("每7个月", 2022, "不能按年等分"),
    ("0个工作日内", 2022, "不合理"),
    ("出台后400个工作日内", 2022, "不合理"),
    ("出台后10个工作日内，9月底前", 2022, "相对时限不能与其他时间节点同用"),
    ("每月，每季度", 2022, "两种周期"),
    ("2024—2022年", 2022, "起止年份颠倒"),
    ("6—1月", 2022, "早于开始"),
    ("1899年底", 2022, "年份 1899 不合理"),
    ("8月每季度", 2022, "没有到期日"),
]


@pytest.mark.parametrize(("phrase", "year", "reason"), REFUSED, ids=[f"{p or '(empty)'}@{y}" for p, y, _ in REFUSED])
def test_refused_with_reason_and_hint(phrase: str, year: int, reason: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        resolve_deadline(phrase, year)
    error = caught.value
    assert reason in error.reason
    assert f"「{phrase}」" in str(error)
    assert error.hint, "every refusal says how to fix it"
    assert error.exit_code is ExitCode.USAGE


def test_refused_phrases_are_unique() -> None:
    keys = [(p, y) for p, y, _ in REFUSED]
    assert len(keys) == len(set(keys))


def test_unknown_phrase_lists_accepted_forms() -> None:
    with pytest.raises(DeadlineError) as caught:
        resolve_deadline("下个阶段", 2022)
    assert ACCEPTED_FORMS in caught.value.hint
    for form in ("9月底前", "三季度", "全年", "每季度", "出台后10个工作日内"):
        assert form in ACCEPTED_FORMS


def test_relative_with_anchor_on_a_holiday_counts_from_the_next_day() -> None:
    """2022-10-01 is National Day; the 1st working day after it is the make-up Saturday 2022-10-08."""
    got = resolve_deadline("出台后1个工作日内", 2022, anchor=D(2022, 10, 1))
    assert got.due == D(2022, 10, 8)


def test_anchor_is_ignored_by_dated_phrases() -> None:
    assert resolve_deadline("9月底前", 2022, anchor=D(2022, 3, 1)).due == D(2022, 9, 30)


def test_common_phrase_shortcut_agrees_with_the_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up shortcut for 全年, 9月底前, 8月 … answers exactly what the full grammar does."""
    shortcuts = dict(deadlines._COMMON)
    assert {"全年", "9月底前", "8月", "年底前"} <= set(shortcuts)
    for year in (2022, 2023, 2024, 2025):
        fast = {phrase: resolve_deadline(phrase, year) for phrase in shortcuts}
        monkeypatch.setattr(deadlines, "_COMMON", {})
        slow = {phrase: resolve_deadline(phrase, year) for phrase in shortcuts}
        monkeypatch.setattr(deadlines, "_COMMON", shortcuts)
        assert fast == slow


# --- deadline_for_task never raises ----------------------------------------------------------------


def test_task_deadline_missing_is_year_end_with_a_note() -> None:
    got = deadline_for_task(None, 2022)
    assert (got.kind, got.due) == (DeadlineKind.MISSING, D(2022, 12, 31))
    assert "2022 年底" in got.note


def test_task_deadline_unreadable_is_undated_with_the_reason() -> None:
    got = deadline_for_task("国庆节前", 2022)
    assert (got.kind, got.start, got.due) == (DeadlineKind.UNDATED, None, None)
    assert "节日" in got.note


def test_task_deadline_without_plan_year_is_undated() -> None:
    assert deadline_for_task("9月底前", 0).kind is DeadlineKind.UNDATED


def test_relative_waiting_is_not_undated() -> None:
    got = deadline_for_task("出台后10个工作日内", 2022)
    assert got.kind is DeadlineKind.RELATIVE
    assert got.waiting


# --- normaliser ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十五", 25),
        ("三十一", 31),
        ("两", 2),
        ("二〇二二", 2022),
        ("二零二五", 2025),
    ],
)
def test_cn_number(run: str, value: int) -> None:
    assert cn_number(run) == value


@pytest.mark.parametrize("run", ["", "十十", "一百", "〇十", "二十二十"])
def test_cn_number_refuses_what_is_not_a_number(run: str) -> None:
    assert cn_number(run) is None


def test_normalize_keeps_words_that_only_contain_numerals() -> None:
    """统一 or 一把手 are words, not numbers: only numerals next to a date word are converted."""
    assert normalize("统一到三月") == "统一到3月"
    assert normalize("第一季度") == "第1季度"
    assert normalize("十一前") == "十一前"
    assert normalize("今年底前", 2023) == "2023年底前"


# --- properties ------------------------------------------------------------------------------------

YEARS = st.integers(min_value=2000, max_value=2099)
MONTHS = st.integers(min_value=1, max_value=12)
CN_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def month_text(month: int, style: int) -> str:
    if style == 1:
        return CN_MONTHS[month - 1]
    if style == 2:
        return "".join(chr(ord(c) + 0xFEE0) for c in str(month))  # full-width digits
    return str(month)


@given(YEARS, MONTHS, st.integers(0, 2), st.sampled_from(["", " "]))
def test_month_end_before_is_that_months_last_day(year: int, month: int, style: int, space: str) -> None:
    got = resolve_deadline(f"{month_text(month, style)}{space}月底前", year)
    assert got.kind is BY
    assert got.due == D(year, month, calendar.monthrange(year, month)[1])


@given(YEARS, MONTHS, st.integers(0, 2))
def test_month_is_a_window_inside_that_month(year: int, month: int, style: int) -> None:
    got = resolve_deadline(f"{month_text(month, style)}月", year)
    assert got.kind is DURING
    assert got.start is not None
    assert got.due is not None
    assert (got.start.year, got.start.month, got.start.day) == (year, month, 1)
    assert (got.due.year, got.due.month) == (year, month)
    assert got.start <= got.due


VALID_PHRASES = sorted({case.phrase for case in CASES})
ANCHORS = st.one_of(st.none(), st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31)))


@given(st.sampled_from(VALID_PHRASES), YEARS, ANCHORS)
def test_due_is_never_before_start(phrase: str, year: int, anchor: date | None) -> None:
    try:
        got = resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError:
        return  # e.g. 2月29日前 in a common year
    if got.start is not None and got.due is not None:
        assert got.start <= got.due


GRAMMAR_ALPHABET = "0123456789０９一二三十〇两年月日号底末前后内起至到-—～上中下旬半季度第每按个工作全长期持续常态化定出台的，。、 Q"


@given(st.one_of(st.text(max_size=30), st.text(alphabet=GRAMMAR_ALPHABET, max_size=20)), st.integers(1800, 2200), ANCHORS)
def test_parsing_raises_nothing_but_deadline_error(text: str, year: int, anchor: date | None) -> None:
    try:
        got = resolve_deadline(text, year, anchor=anchor)
    except DeadlineError:
        return
    if got.start is not None and got.due is not None:
        assert got.start <= got.due
    task = deadline_for_task(text, year, anchor)  # and what a task carries never raises at all
    assert task.kind is got.kind


AROUND = st.tuples(st.sampled_from(["", " ", "（", "“", "【"]), st.sampled_from(["", "完成", "。", "；", " 完成。", "）", "！"]))


@given(st.sampled_from(VALID_PHRASES), st.sampled_from([2022, 2023, 2024, 2025]), AROUND)
def test_text_around_a_phrase_does_not_change_the_answer(phrase: str, year: int, around: tuple[str, str]) -> None:
    anchor = D(2022, 9, 28)
    try:
        plain = resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError:
        return
    before, after = around
    decorated = resolve_deadline(f"{before}{phrase}{after}", year, anchor=anchor)
    assert (decorated.kind, decorated.start, decorated.due, decorated.rule) == (
        plain.kind,
        plain.start,
        plain.due,
        plain.rule,
    )
