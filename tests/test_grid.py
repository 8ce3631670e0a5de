"""Fitting a table to a terminal width: properties that hold for any names and unit lists."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render.grid import Grid, column_widths, cut, display_width, fitted_lines, wrap_pieces

UNITS = [
    "局办公室",
    "就业培训科",
    "人才开发科",
    "就业促进中心",
    "人才服务中心",
    "高服中心",
    "社会保障服务中心",
    "局机关各科室",
    "局属各单位",
]
HEADERS = ["灯", "序号", "任务名称", "责任单位", "时间节点", "类型", "截止日期", "状态", "剩余"]

names = st.text(alphabet=st.sampled_from("政务公开工作要点推动政府开放活动常态化ABC 1"), min_size=1, max_size=40)
unit_lists = st.lists(st.sampled_from(UNITS), min_size=1, max_size=7, unique=True).map("、".join)
rows = st.lists(st.tuples(names, unit_lists), min_size=1, max_size=12)


def task_grid(cells: list[tuple[str, str]]) -> Grid:
    grid = Grid(HEADERS, wrap=(3, 8), shorten=(2,), drop=(5, 4))
    for index, (name, units) in enumerate(cells, start=1):
        grid.add(["红", str(index), name, units, "9 月底前", "限期", "2022-09-30", "未开始", "剩 84 天，久无进展"])
    return grid


@settings(max_examples=200, deadline=None)
@given(rows, st.integers(min_value=70, max_value=200))
def test_every_line_fits_and_every_unit_stays_whole(cells: list[tuple[str, str]], width: int) -> None:
    grid = task_grid(cells)
    lines = fitted_lines(grid, width)
    assert all(display_width(line) <= width for line, _ in lines)
    kept, _ = column_widths(grid, width)
    if 3 in kept:
        column = [piece for line, _ in lines[2:] for piece in line.split() if "、" in piece or piece in UNITS]
        assert all(part in UNITS for piece in column for part in piece.split("、") if part)


@given(rows)
def test_wide_enough_means_nothing_changes(cells: list[tuple[str, str]]) -> None:
    grid = task_grid(cells)
    lines = fitted_lines(grid, 1000)
    assert len(lines) == len(grid.rows) + 2
    assert not any("…" in line for line, _ in lines)


@given(names, st.integers(min_value=2, max_value=30))
def test_cut_keeps_a_prefix_and_marks_it(text: str, width: int) -> None:
    short = cut(text, width)
    assert display_width(short) <= max(width, 1)
    assert short == text or (short.endswith("…") and text.startswith(short[:-1]))


@given(unit_lists, st.integers(min_value=18, max_value=60))  # the longest unit and its 、 fit, as column floors ensure
def test_unit_lists_break_only_after_the_comma(units: str, width: int) -> None:
    lines = wrap_pieces(units, width)
    assert "".join(lines) == units
    assert all(display_width(line) <= width for line in lines)
    assert all(line.endswith("、") for line in lines[:-1])


def test_headers_wrap_whole_rather_than_being_cut() -> None:
    grid = Grid(["单位", "任务", "按时完成", "逾期完成", "已完成（未登记日期）", "逾期未完成", "未到期", "按时率"])
    grid.add(["社会保障服务中心", "27", "4", "0", "1", "0", "23", "100%"])
    lines = [line for line, _ in fitted_lines(grid, 80)]
    assert lines[0].split() == ["单位", "任务", "按时", "逾期", "已完成", "逾期未完成", "未到期", "按时率"]
    assert lines[1].split() == ["完成", "完成", "（未登记日期）"]
    assert all(display_width(line) <= 80 for line in lines)


def _cells_one_by_one(text: str) -> int:
    """The rule, spelled out: CJK and full-width take two cells, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


@given(st.text())
def test_display_width_counts_cells_as_the_rule_says(text: str) -> None:
    assert display_width(text) == _cells_one_by_one(text)


def test_display_width_examples() -> None:
    assert display_width("就业培训科") == 10
    assert display_width("ＡＢ1") == 5  # full-width letters
    assert display_width("e\u0301") == 1  # a combining accent takes no cell
    assert display_width("…") == 1
