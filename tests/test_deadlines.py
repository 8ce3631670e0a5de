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
from gkplan.model import Deadline, DeadlineKind, Recurrence

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
    count: int | None = None

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

# --- combined text: filler words go without a word, noted words are kept (deadlines.FILLER_WORDS, NOTED_WORDS)
add("9月底前完成", 2022, BY, None, D(2022, 9, 30))
add("  10 月底前 完成。", 2023, BY, None, D(2023, 10, 31))
add("原则上9月底前完成", 2022, BY, None, D(2022, 9, 30))
add("全部于9月底前完成", 2023, BY, None, D(2023, 9, 30))
add("9月底前均须完成", 2024, BY, None, D(2024, 9, 30))
add("6月30日前办结", 2025, BY, None, D(2025, 6, 30))
add("全年，及时公开", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31), leftover="及时公开", note="「及时公开」")
add("全年推进，9月底前完成", 2022, BY, None, D(2022, 9, 30), leftover="推进", note="「全年」视为持续推进的说明")
add("6月底前启动，9月底前完成", 2024, BY, None, D(2024, 9, 30), leftover="启动", note="以最晚的 2024-09-30 为截止")
add("8月启动，10月底前完成", 2025, BY, D(2025, 8, 1), D(2025, 10, 31), leftover="启动", note="含多个时间节点")
add("10月底前完成报送", 2022, BY, None, D(2022, 10, 31), leftover="报送", note="未参与计算的文字：「报送」")
add("9月底前完成报送工作", 2023, BY, None, D(2023, 9, 30), leftover="报送工作", note="「报送工作」")
add("6月底前完成任务", 2024, BY, None, D(2024, 6, 30), leftover="任务", note="「任务」")
add("全年推进工作", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31), leftover="推进工作", note="「推进工作」")
# 原则上 + 年底前, not 原则 + 上年 (last year) + 底前
add("原则上年底前完成", 2023, BY, None, D(2023, 12, 31))
# a year word where no date follows names what is reported, not the deadline's year
add("本年度", 2023, DURING, D(2023, 1, 1), D(2023, 12, 31))
add("本年度完成", 2024, DURING, D(2024, 1, 1), D(2024, 12, 31))
add("明年", 2023, DURING, D(2024, 1, 1), D(2024, 12, 31), note="原文写明 2024 年")
add("本年度内", 2024, BY, None, D(2024, 12, 31))
add("明年起", 2023, ONGOING, D(2024, 1, 1), D(2024, 12, 31), note="起始年份 2024 晚于计划年度 2023")
add("2023年年底前", 2023, BY, None, D(2023, 12, 31))
add("2023年年内", 2022, BY, None, D(2023, 12, 31), note="原文写明 2023 年")
add("每月月底前", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(1, text="每月底前"), note="共 12 次")
add("每年年底", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(12, text="每年底"), note="共 1 次")
add("每季度季末", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 31), rule=Recurrence(3, text="每季度末"), note="共 4 次")
add("每个季度", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(3, text="每个季度"), note="共 4 次")
add("9月和10月", 2025, DURING, D(2025, 9, 1), D(2025, 10, 31), note="含多个时间节点")
add("9月底前。", 2022, BY, None, D(2022, 9, 30))
add("（9月底前）", 2022, BY, None, D(2022, 9, 30))


# === Round 2 (issue 15) ===========================================================================

# --- traditional characters: normalised before parsing ------------------------------------------
add("於9月30日前完成", 2023, BY, None, D(2023, 9, 30))
add("三季度內", 2025, DURING, D(2025, 7, 1), D(2025, 9, 30))
add("6月30日前辦結", 2024, BY, None, D(2024, 6, 30))
add("於年底前全部完成", 2022, BY, None, D(2022, 12, 31))
add("10個工作日內", 2022, RELATIVE, None, None, note="等待触发")
add(
    "自發文之日起15個工作日內",
    2022,
    RELATIVE,
    D(2022, 9, 28),
    D(2022, 10, 24),
    anchor=D(2022, 9, 28),
    note="第 15 个工作日",
)
add(
    "每週五前",
    2024,
    RECURRING,
    D(2024, 1, 1),
    D(2024, 12, 27),
    rule=Recurrence(0, text="每周五前", unit="week", weekday=4),
    note="共 52 次",
)

# --- Chinese-numeral days -------------------------------------------------------------------------
add("十月二十日前", 2022, BY, None, D(2022, 10, 20))
add("十二月三十一日", 2023, BY, None, D(2023, 12, 31))
add("三月十五日至四月十日", 2024, DURING, D(2024, 3, 15), D(2024, 4, 10))
add("2023年十二月三十一日前", 2022, BY, None, D(2023, 12, 31), note="原文写明 2023 年")
add("每月十五日前", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 15), rule=Recurrence(1, 15, "每月15日前"), note="首次 2025-01-15")

# --- daily and working-daily duties -----------------------------------------------------------------
add("每天", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(0, text="每天", unit="day"), note="共 365 次")
add("每日", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(0, text="每日", unit="day"), note="共 365 次")
add("逐日", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(0, text="逐日", unit="day"), note="共 366 次")
# 2022-01-01..03 are the New Year holiday; 2022-12-31 is a Saturday
add(
    "每个工作日",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2022, 12, 30),
    rule=Recurrence(0, text="每个工作日", unit="workday"),
    note="共 249 次，首次 2022-01-04",
)
add(
    "按工作日",
    2025,
    RECURRING,
    D(2025, 1, 1),
    D(2025, 12, 31),
    rule=Recurrence(0, text="按工作日", unit="workday"),
    note="首次 2025-01-02",
)

# --- weekly: Monday to Sunday; the weekday written is the due day, else Sunday ----------------------------
add(
    "每周",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2022, 12, 25),
    rule=Recurrence(0, text="每周", unit="week"),
    note="未写星期几：每周按周一至周日计，周日到期",
)
add("按周", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(0, text="按周", unit="week"), note="共 53 次")
add(
    "每周一前",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 25),
    rule=Recurrence(0, text="每周一前", unit="week", weekday=0),
    note="首次 2023-01-02",
)
add(
    "每周五",
    2024,
    RECURRING,
    D(2024, 1, 1),
    D(2024, 12, 27),
    rule=Recurrence(0, text="每周五", unit="week", weekday=4),
    note="首次 2024-01-05",
)
add(
    "每星期三",
    2025,
    RECURRING,
    D(2025, 1, 1),
    D(2025, 12, 31),
    rule=Recurrence(0, text="每星期三", unit="week", weekday=2),
    note="共 53 次",
)
add(
    "每周日",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 31),
    rule=Recurrence(0, text="每周日", unit="week", weekday=6),
    note="首次 2023-01-01",
)

# --- 旬: the 10th, the 20th and the month's last day --------------------------------------------------
add(
    "每旬", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(0, text="每旬", unit="dekad"), note="共 36 次，首次 2022-01-10"
)
add("每旬末", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(0, text="每旬末", unit="dekad"), note="共 36 次")
add("按旬", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(0, text="按旬", unit="dekad"), note="共 36 次")
add("每月中旬", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 20), rule=Recurrence(1, 20, "每月中旬"), note="共 12 次")

# --- every N months -----------------------------------------------------------------------------------
add("双月", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 31), rule=Recurrence(2, text="每2个月"), note="共 6 次，首次 2022-02-28")
add("每双月", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(2, text="每2个月"), note="共 6 次")
add("每三个月", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(3, text="每3个月"), note="共 4 次")
add("每4个月", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 31), rule=Recurrence(4, text="每4个月"), note="首次 2025-04-30")

# --- a day in a given month of each quarter ---------------------------------------------------------------
add(
    "每季度第二个月的十日前",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2022, 11, 10),
    rule=Recurrence(3, 10, "每季度第2个月的10日前", 2),
    note="首次 2022-02-10",
)
add(
    "每季度首月10日前",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 10, 10),
    rule=Recurrence(3, 10, "每季度首月10日前", 1),
    note="首次 2023-01-10",
)
add(
    "每季度末月15日前",
    2024,
    RECURRING,
    D(2024, 1, 1),
    D(2024, 12, 15),
    rule=Recurrence(3, 15, "每季度末月15日前", 3),
    note="首次 2024-03-15",
)
add(
    "每季度最后一个月20日前",
    2025,
    RECURRING,
    D(2025, 1, 1),
    D(2025, 12, 20),
    rule=Recurrence(3, 20, "每季度最后1个月20日前", 3),
    note="首次 2025-03-20",
)
add(
    "每季度第二个月",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2022, 11, 30),
    rule=Recurrence(3, None, "每季度第2个月", 2, first_month=2),
    note="首次 2022-02-28",
)

# --- yearly windows: the window opens with its first month, due at its end ------------------------------
add("每年上半年", 2022, RECURRING, D(2022, 1, 1), D(2022, 6, 30), rule=Recurrence(12, None, "每年上半年", 6, first_month=1), note="共 1 次")
add(
    "每年下半年",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 31),
    rule=Recurrence(12, None, "每年下半年", 12, first_month=7),
    note="共 1 次",
)
add("每年11月", 2024, RECURRING, D(2024, 1, 1), D(2024, 11, 30), rule=Recurrence(12, None, "每年11月", 11, first_month=11), note="共 1 次")
add(
    "每年第四季度",
    2025,
    RECURRING,
    D(2025, 1, 1),
    D(2025, 12, 31),
    rule=Recurrence(12, None, "每年第4季度", 12, first_month=10),
    note="共 1 次",
)
add("每年三季度", 2022, RECURRING, D(2022, 1, 1), D(2022, 9, 30), rule=Recurrence(12, None, "每年3季度", 9, first_month=7), note="共 1 次")

# --- reporting on the previous period: each period falls due in the next one -----------------------------
add(
    "次月5日前",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2023, 1, 5),
    rule=Recurrence(1, 5, "次月5日前", 2),
    note="共 12 次，首次 2022-02-05，末次 2023-01-05",
)
add("次月十日前", 2023, RECURRING, D(2023, 1, 1), D(2024, 1, 10), rule=Recurrence(1, 10, "次月10日前", 2), note="按每月报送上一期理解")
add(
    "每月，次月5日前报送",
    2024,
    RECURRING,
    D(2024, 1, 1),
    D(2025, 1, 5),
    rule=Recurrence(1, 5, "次月5日前", 2),
    leftover="报送",
    note="首次 2024-02-05",
)
add(
    "次季度首月10日前",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2023, 1, 10),
    rule=Recurrence(3, 10, "次季度首月10日前", 4),
    note="首次 2022-04-10",
)
add(
    "每季度结束后10日内",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2024, 1, 10),
    rule=Recurrence(3, 10, "每季度结束后10日内", 4),
    note="共 4 次，首次 2023-04-10",
)
add("季度结束后15日内", 2024, RECURRING, D(2024, 1, 1), D(2025, 1, 15), rule=Recurrence(3, 15, "季度结束后15日内", 4), note="共 4 次")
add("每半年结束后10日内", 2025, RECURRING, D(2025, 1, 1), D(2026, 1, 10), rule=Recurrence(6, 10, "每半年结束后10日内", 7), note="共 2 次")
# January 2022: Spring Festival from 01-31 to 02-06; the 5th working day after 01-31 is 02-11
add(
    "每月结束后5个工作日内",
    2022,
    RECURRING,
    D(2022, 1, 1),
    D(2023, 1, 9),
    rule=Recurrence(1, None, "每月结束后5个工作日内", after_workdays=5),
    note="首次 2022-02-11",
)

# --- counts per period: a per-period duty due at the period's end; the count is kept -------------------------
add("全年至少2次", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31), count=2, note="期内至少 2 次")
add("年内不少于4次", 2022, BY, None, D(2022, 12, 31), count=4, note="期内至少 4 次，到期日为 2022-12-31")
add("每半年不少于1次", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(6, text="每半年"), count=1, note="每期至少 1 次")
add("每季度组织一次", 2024, RECURRING, D(2024, 1, 1), D(2024, 12, 31), rule=Recurrence(3, text="每季度"), count=1, note="共 4 次")
add("每月至少开展两次", 2025, RECURRING, D(2025, 1, 1), D(2025, 12, 31), rule=Recurrence(1, text="每月"), count=2, note="共 12 次")
add("每年召开1次", 2023, RECURRING, D(2023, 1, 1), D(2023, 12, 31), rule=Recurrence(12, text="每年"), count=1, note="每期至少 1 次")
add("全年开展不少于2次", 2022, ONGOING, D(2022, 1, 1), D(2022, 12, 31), count=2, note="期内至少 2 次")
add(
    "每半年组织开展1次",
    2023,
    RECURRING,
    D(2023, 1, 1),
    D(2023, 12, 31),
    rule=Recurrence(6, text="每半年"),
    count=1,
    leftover="组织",
    note="「组织」",
)
add("每周两次", 2022, RECURRING, D(2022, 1, 1), D(2022, 12, 25), rule=Recurrence(0, text="每周", unit="week"), count=2, note="共 52 次")

# --- ranges with 开始/起/结束/至/到; the end takes the start's year and month when it omits them -----------
add("5月10日开始，6月30日结束", 2023, DURING, D(2023, 5, 10), D(2023, 6, 30))
add("2024年5月10日-6月30日", 2023, DURING, D(2024, 5, 10), D(2024, 6, 30), note="原文写明 2024 年")
add("3月1日至15日", 2023, DURING, D(2023, 3, 1), D(2023, 3, 15))
add("5月10日起至6月30日", 2024, DURING, D(2024, 5, 10), D(2024, 6, 30))
add("2024年5月10日开始，6月30日结束", 2023, DURING, D(2024, 5, 10), D(2024, 6, 30), note="原文写明 2024 年")
add("自7月1日起至9月30日止", 2022, DURING, D(2022, 7, 1), D(2022, 9, 30))
add("2022年3月起，9月底前完成", 2022, DURING, D(2022, 3, 1), D(2022, 9, 30))
add("6月30日结束", 2025, BY, None, D(2025, 6, 30))
add("9月中旬至10月底", 2023, DURING, D(2023, 9, 11), D(2023, 10, 31))
add("三季度至年底", 2023, DURING, D(2023, 7, 1), D(2023, 12, 31))
add("8月启动，到10月底", 2024, DURING, D(2024, 8, 1), D(2024, 10, 31), leftover="启动", note="「启动」")
add("5月10日开始实施，6月30日结束", 2023, DURING, D(2023, 5, 10), D(2023, 6, 30), leftover="实施", note="「实施」")
add("2023年3月起，推进，9月底前完成", 2023, DURING, D(2023, 3, 1), D(2023, 9, 30), leftover="推进", note="「推进」")
add("下半年开始，11月底前结束", 2024, DURING, D(2024, 7, 1), D(2024, 11, 30))

# --- start-only: from that day on, due at the plan year's end, or that year's end if it is later ---------------
add("2023年下半年起", 2023, ONGOING, D(2023, 7, 1), D(2023, 12, 31))
add("2023年下半年起", 2022, ONGOING, D(2023, 7, 1), D(2023, 12, 31), note="起始年份 2023 晚于计划年度 2022")
add("2024年起", 2023, ONGOING, D(2024, 1, 1), D(2024, 12, 31), note="按 2024 年底计")
add("2025年3月起", 2024, ONGOING, D(2025, 3, 1), D(2025, 12, 31), note="起始年份 2025 晚于计划年度 2024")
add("自2024年7月1日起", 2023, ONGOING, D(2024, 7, 1), D(2024, 12, 31), note="自 2024-07-01 起，按 2024 年底计")
add("自2023年下半年起", 2023, ONGOING, D(2023, 7, 1), D(2023, 12, 31))
add("下半年起", 2024, ONGOING, D(2024, 7, 1), D(2024, 12, 31))
add("三季度起", 2025, ONGOING, D(2025, 7, 1), D(2025, 12, 31))
add("10月中旬起", 2022, ONGOING, D(2022, 10, 11), D(2022, 12, 31))
add("9月底起", 2022, ONGOING, D(2022, 9, 30), D(2022, 12, 31))
add("下半年开始实施", 2023, ONGOING, D(2023, 7, 1), D(2023, 12, 31), leftover="实施", note="「实施」")
add("下半年起每月", 2023, RECURRING, D(2023, 7, 1), D(2023, 12, 31), rule=Recurrence(1, text="每月"), note="共 6 次")

# --- words that contain a calendar word but are not one ----------------------------------------------------
add("年底基本建成", 2022, BY, None, D(2022, 12, 31), leftover="基本建成", note="「基本建成」")
add("2023年初步建成", 2023, DURING, D(2023, 1, 1), D(2023, 12, 31), leftover="初步建成", note="「初步建成」")
add("年底前初步完成", 2024, BY, None, D(2024, 12, 31), leftover="初步", note="「初步」")
add("2025年基本建成", 2023, DURING, D(2025, 1, 1), D(2025, 12, 31), leftover="基本建成", note="原文写明 2025 年")

# --- relative phrases with 之日起 / 次日起 / 自…起 ------------------------------------------------------------
add("发文之日起10个工作日内", 2022, RELATIVE, D(2022, 9, 28), D(2022, 10, 17), anchor=D(2022, 9, 28), note="当天不计")
add("发文之日起10个工作日内", 2022, RELATIVE, None, None, note="等待触发")
add("自印发之日起30日内", 2023, RELATIVE, D(2023, 1, 31), D(2023, 3, 2), anchor=D(2023, 1, 31), note="当天不计")
# 2024-09-29 (Sunday) is a make-up working day; 10-01..07 is National Day
add("收到通知次日起5个工作日内", 2024, RELATIVE, D(2024, 9, 27), D(2024, 10, 10), anchor=D(2024, 9, 27), note="第 5 个工作日")
# Labour Day 2023: 04-29..05-03 off, Saturday 05-06 a working day
add("年报公布后10个工作日内", 2023, RELATIVE, D(2023, 4, 28), D(2023, 5, 16), anchor=D(2023, 4, 28), note="第 10 个工作日")
add("自印发当日起5个工作日内", 2023, RELATIVE, None, None, note="「印发」后5个工作日内")
add("發文之日起10個工作日內", 2025, RELATIVE, D(2025, 4, 30), D(2025, 5, 19), anchor=D(2025, 4, 30), note="第 10 个工作日")


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: c.id)
def test_case_table(case: Case) -> None:
    got = resolve_deadline(case.phrase, case.year, anchor=case.anchor)
    assert (got.kind, got.start, got.due) == (case.kind, case.start, case.due)
    assert got.leftover == case.leftover
    assert got.phrase == case.phrase
    assert got.count == case.count
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
    # round 2: what is left over is refused, quoted, unless it is a filler or a noted word
    ("2023年下半年起施行", 2023, "「施行」不是可识别的时间用语"),
    ("6月底前完成方案，9月底前完成", 2024, "「方案」不是可识别的时间用语"),
    ("9月底前以后", 2022, "「以后」不是可识别的时间用语"),
    ("每月以后", 2023, "「以后」"),
    ("2023年中期评估", 2023, "「中期评估」"),
    ("每年1月底前报送上一年度", 2023, "「上一年度」可能是报送的内容"),  # not 2022年度 as the window of 每年
    ("明年，每季度", 2023, "「明年」可能是报送的内容"),
    ("每年12月底前报送次年工作计划", 2023, "「计划」"),
    ("10月1日起施行", 2022, "「施行」"),
    # 起/开始/结束/自 need a date to act on
    ("全年起", 2022, "前面没有可以作为起点的日期"),
    ("每月起", 2022, "前面没有可以作为起点的日期"),
    ("9月底前起", 2022, "前面没有可以作为起点的日期"),
    ("年内起", 2023, "前面没有可以作为起点的日期"),
    ("3月1日至15日起", 2023, "前面没有可以作为起点的日期"),  # a range already has its end
    ("5月10日开始，6月30日结束起", 2023, "前面没有可以作为起点的日期"),
    ("出台后10个工作日内起", 2022, "前面没有可以作为起点的日期"),
    ("开始", 2022, "前面没有可以作为起点的日期"),
    ("结束", 2022, "前面没有可以作为终点的日期"),
    ("自9月", 2022, "后面要写明从哪天起"),
    ("6月30日开始，5月1日结束", 2022, "早于开始"),
    # counts need a period
    ("2次", 2022, "没有说明是多长时间内的次数"),
    ("出台后10个工作日内1次", 2022, "没有说明是多长时间内的次数"),
    ("全年至少2次，每季度1次", 2022, "两个次数"),
    # periods that cannot be placed
    ("每季度结束后30日内", 2022, "超过 28 日"),
    ("每月结束后20个工作日内", 2022, "不合理"),
    ("每月第二个月10日前", 2022, "没有第几个月"),
    ("每季度第四个月", 2022, "没有第 4 个月"),
    ("每年上半年10日前", 2022, "不能再写日期"),
    ("每季度3月", 2022, "只有「每年」可以写月份"),
    ("每周第二个月", 2022, "每周只能写星期几"),
    ("每天10日前", 2022, "不能再写月份或日期"),
    ("次月", 2022, "要看登记的时间"),
    ("每月，每周", 2022, "两种周期"),
    # calendar words that are calendar words still refused, with their own reason
    ("10月中旬前", 2023, "中旬前"),
    ("2023年初", 2023, "年初"),
    ("6月中", 2024, "月中"),
    ("20日前", 2022, "数字「20」"),
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


GRAMMAR_ALPHABET = (
    "0123456789０９一二三十〇两年月日号底末前后内起至到-—～上中下旬半季度第每按个工作全长期持续常态化定出台的，。、 Q"
    "周星期旬次双首末起开始结束自从之工作至少于组织最后个於個內週"
)


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


# --- round 2 properties: what is left over ------------------------------------------------------------
#
# Phrases are built from the grammar's own pieces (not taken from the table), so that the
# property covers forms and combinations nobody wrote down.

DAYS = st.integers(min_value=1, max_value=28)
QUARTERS = st.integers(min_value=1, max_value=4)


def _range(m1: int, d1: int, m2: int, d2: int) -> str:
    first, last = sorted([(m1, d1), (m2, d2)])
    return f"{first[0]}月{first[1]}日至{last[0]}月{last[1]}日"


GRAMMAR_PHRASES = st.one_of(
    st.builds(lambda m: f"{m}月底前", MONTHS),
    st.builds(lambda m: f"{m}月底", MONTHS),
    st.builds(lambda m, d: f"{m}月{d}日前", MONTHS, DAYS),
    st.builds(lambda m, d: f"{m}月{d}日", MONTHS, DAYS),
    st.builds(lambda m: f"{m}月", MONTHS),
    st.builds(lambda m, x: f"{m}月{x}旬", MONTHS, st.sampled_from("上中下")),
    st.builds(lambda q: f"第{q}季度", QUARTERS),
    st.builds(lambda q: f"{q}季度末", QUARTERS),
    st.builds(lambda h, end: f"{h}半年{end}", st.sampled_from("上下"), st.sampled_from(["", "末"])),
    st.sampled_from(["年底前", "年底", "年内", "全年", "长期坚持", "常态化", "持续推进"]),
    st.builds(lambda m: f"{m}月起", MONTHS),
    st.builds(lambda y: f"{y}年起", st.integers(2020, 2026)),
    st.builds(lambda h: f"{h}半年起", st.sampled_from("上下")),
    st.builds(_range, MONTHS, DAYS, MONTHS, DAYS),
    st.builds(lambda m, d: f"{m}月{d}日开始，12月31日结束", MONTHS, DAYS),
    st.sampled_from(["每月", "每季度", "每季度末", "每半年", "每年", "每天", "每个工作日", "每旬", "双月", "每三个月"]),
    st.builds(lambda d: f"每月{d}日前", DAYS),
    st.builds(lambda m: f"每年{m}月", MONTHS),
    st.builds(lambda m: f"每年{m}月底前", MONTHS),
    st.builds(lambda w: f"每周{w}", st.sampled_from("一二三四五六日")),
    st.builds(lambda k, d: f"每季度第{k}个月{d}日前", st.integers(1, 3), DAYS),
    st.builds(lambda d: f"次月{d}日前", DAYS),
    st.builds(lambda d: f"每季度结束后{d}日内", st.integers(1, 28)),
    st.builds(lambda n: f"全年至少{n}次", st.integers(1, 12)),
    st.builds(lambda p, n: f"{p}组织{n}次", st.sampled_from(["每月", "每季度", "每半年"]), st.integers(1, 5)),
    st.builds(lambda h, p: f"{h}半年{p}", st.sampled_from("上下"), st.sampled_from(["每月", "每季度"])),
    st.builds(lambda n: f"出台后{n}个工作日内", st.integers(1, 60)),
    st.builds(lambda n: f"自印发之日起{n}日内", st.integers(1, 90)),
)
# Words that change what a phrase means when written after it. (结束 is not one of them:
# after a date it only restates that the date is the end: 9月底结束 = 9月底.)
MEANING_WORDS = ["起", "开始", "以后", "之后", "后", "以来", "每月", "每季度", "每周", "每年"]
PLAN_YEARS = st.sampled_from([2022, 2023, 2024, 2025])


def _dates(got: Deadline) -> tuple[object, ...]:
    return (got.kind, got.start, got.due, got.rule, got.count)


@given(GRAMMAR_PHRASES, PLAN_YEARS, ANCHORS, st.sampled_from(MEANING_WORDS))
def test_a_meaning_word_after_a_phrase_never_leaves_the_dates_silently_alone(
    phrase: str, year: int, anchor: date | None, word: str
) -> None:
    try:
        plain = resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError:
        return  # e.g. 2月29日 in a common year, or a range written backwards
    try:
        longer = resolve_deadline(phrase + word, year, anchor=anchor)
    except DeadlineError:
        return  # refused (the reason is checked by the refusal table)
    assert _dates(longer) != _dates(plain), f"「{phrase}{word}」 was read as 「{phrase}」"


@given(GRAMMAR_PHRASES, PLAN_YEARS, ANCHORS, st.sampled_from(deadlines.FILLER_WORDS), st.sampled_from(["", "原则上"]))
def test_filler_words_change_nothing_and_are_not_shown(phrase: str, year: int, anchor: date | None, filler: str, before: str) -> None:
    try:
        plain = resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError:
        return
    padded = resolve_deadline(f"{before}{phrase}，{filler}", year, anchor=anchor)
    assert _dates(padded) == _dates(plain)
    assert padded.leftover == plain.leftover == ""


@given(GRAMMAR_PHRASES, PLAN_YEARS, st.sampled_from(deadlines.NOTED_VERBS))
def test_noted_words_change_nothing_but_are_shown(phrase: str, year: int, verb: str) -> None:
    try:
        plain = resolve_deadline(phrase, year)
    except DeadlineError:
        return
    noted = resolve_deadline(f"{phrase}，{verb}", year)
    assert _dates(noted) == _dates(plain)
    assert noted.leftover == verb
    assert f"「{verb}」" in noted.note


# The grammar's characters and every simplified character the table maps to, mixed.
SIMPLIFIED_OF_TRADITIONAL = "".join(sorted({chr(v) for v in deadlines.TRADITIONAL.values() if isinstance(v, int)}))


@given(st.text(alphabet=GRAMMAR_ALPHABET + SIMPLIFIED_OF_TRADITIONAL + "自起之日发文办结", max_size=14), PLAN_YEARS)
def test_traditional_characters_read_as_simplified(text: str, year: int) -> None:
    """Writing a phrase in traditional characters never changes how it is read."""
    back = {simplified: traditional for traditional, simplified in ((chr(k), chr(v)) for k, v in deadlines.TRADITIONAL.items())}
    traditional = "".join(back.get(char, char) for char in text)
    try:
        plain = _dates(resolve_deadline(text, year))
    except DeadlineError:
        with pytest.raises(DeadlineError):
            resolve_deadline(traditional, year)
        return
    assert _dates(resolve_deadline(traditional, year)) == plain


@pytest.mark.parametrize("case", [c for c in CASES if c.anchor is None], ids=lambda c: c.id)
def test_table_phrases_in_traditional_characters(case: Case) -> None:
    back = {chr(v): chr(k) for k, v in deadlines.TRADITIONAL.items()}
    traditional = "".join(back.get(char, char) for char in case.phrase)
    assert _dates(resolve_deadline(traditional, case.year)) == _dates(resolve_deadline(case.phrase, case.year))


@given(GRAMMAR_PHRASES, PLAN_YEARS)
def test_occurrences_agree_with_the_note_and_are_in_order(phrase: str, year: int) -> None:
    """What a report recomputes from (start, due, rule) is what the phrase was read as."""
    try:
        got = resolve_deadline(phrase, year)
    except DeadlineError:
        return
    found = deadlines.occurrences(got)
    if got.kind is not RECURRING:
        assert found == ()
        return
    assert f"共 {len(found)} 次" in got.note
    assert found[-1].due == got.due
    assert all(o.start <= o.due for o in found)
    assert [o.due for o in found] == sorted({o.due for o in found})


@pytest.mark.parametrize(("phrase", "reason"), [("10月中旬前", "中旬前"), ("月中旬前", "中旬前"), ("2023年中期评估", "「中期评估」")])
def test_words_that_only_contain_a_calendar_word_are_not_refused_as_one(phrase: str, reason: str) -> None:
    """中旬 is a 旬 and 中期 "mid-term": neither is 月中 or 年中 (初步, 基本建成: accepted, see the table)."""
    with pytest.raises(DeadlineError) as caught:
        resolve_deadline(phrase, 2023)
    assert reason in caught.value.reason
    assert "「月初」「月中」「年初」「年中」" not in caught.value.reason
