"""The display rule for untrusted text (``gkplan.textsafe``): a case table and properties."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan.textsafe import csv_cell, json_list_pieces, json_text, markdown, printable, visible, visible_cells

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

CASES = [
    ("就业培训科", "就业培训科", "ordinary text is unchanged"),
    ("\x1b[2J清屏", "␛[2J清屏", "ESC as a Control Picture: the sequence is printed as letters"),
    ("\x1b]52;c;ZWNobw==\x07", "␛]52;c;ZWNobw==␇", "OSC 52 clipboard write and its BEL"),
    ("a\nb", "a⏎b", "a value never starts a new line"),
    ("a\r\nb", "a⏎b", "CRLF is one line break"),
    ("a\rb", "a⏎b", "CR alone would overwrite the line"),
    ("a\u2028b\u2029c\x85d", "a⏎b⏎c⏎d", "Unicode line and paragraph separators, NEL"),
    ("\t=1", "␉=1", "tab"),
    ("\x7f", "␡", "DEL"),
    ("\x9b2J", "\\x9b2J", "C1 CSI"),
    ("\u202e反转", "\\u202e反转", "bidi override"),
    ("::error::x", "：:error::x", "a CI workflow command at the start"),
    ("  ::set-output name=a::b", "  ：:set-output name=a::b", "also after blanks (runners trim them)"),
    ("a ::error:: b", "a ::error:: b", "mid-line is no command"),
    ("x ##[error]y", "x ＃#[error]y", "the older ##[ form, anywhere"),
    ("[/]", "[/]", "rich markup is not the text rule's business: renderers use Text objects"),
]


@pytest.mark.parametrize(("text", "shown", "note"), CASES, ids=[c[2] for c in CASES])
def test_visible(text: str, shown: str, note: str) -> None:
    assert visible(text) == shown, note


def test_cases_are_not_repeated() -> None:
    assert len({c[0] for c in CASES}) == len(CASES)


def test_printable_keeps_line_feeds_only() -> None:
    assert printable("a\nb\r\nc\x1b") == "a\nb\nc␛"
    assert printable("标题\n::stop-commands::x") == "标题\n：:stop-commands::x"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("[点我](javascript:alert(1))", "\\[点我\\](javascript:alert(1))"),
        ("**粗** _斜_ `代码` # 标题 | 表格", "\\*\\*粗\\*\\* \\_斜\\_ \\`代码\\` \\# 标题 \\| 表格"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_markdown(text: str, escaped: str) -> None:
    assert markdown(text) == escaped


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =A1", "'  =A1"),
        ("\u3000=A1", "'\u3000=A1"),
        ("＝A1", "'＝A1"),
        ("\t=A1", "␉=A1"),  # the tab is shown: no longer a formula
        ("就业培训科", "就业培训科"),
        (-5, -5),  # numbers written by gkplan stay numbers
        (None, None),
    ],
)
def test_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell
    assert csv_cell(value, raw=True) == value


def test_json_text_escapes_what_json_dumps_leaves_raw() -> None:
    value = {"a": "\x1b\x7f\x9b\u2028\u202e中文"}
    text = json_text(value)
    assert not CONTROL.search(text.replace("\n", ""))  # the indentation's own line breaks only
    assert "中文" in text
    assert json.loads(text) == value


@given(st.text())
def test_visible_is_one_safe_line(text: str) -> None:
    shown = visible(text)
    assert not CONTROL.search(shown)
    assert not shown.lstrip(" \u3000").startswith("::")
    assert "##[" not in shown


@given(st.text())
def test_markdown_has_no_raw_html_or_markup(text: str) -> None:
    escaped = markdown(text)
    assert not re.search(r"(?<!\\)(\\\\)*[<>\[\]`*_#|]", escaped.replace("\\\\", ""))
    assert "\n" not in escaped


@given(st.text())
def test_json_text_round_trips(text: str) -> None:
    assert json.loads(json_text({"t": text})) == {"t": text}
    assert "##[" not in json_text({"t": text})


@given(st.lists(st.text(), max_size=9))
def test_a_row_is_made_safe_exactly_as_its_cells_one_by_one(cells: list[str]) -> None:
    """``visible_cells`` looks at a whole row at once first: it must never let through what
    ``visible`` would change in any cell (``a:`` + ``:b`` joined is a CI marker too)."""
    assert visible_cells(cells) == [visible(cell) for cell in cells]


@pytest.mark.parametrize("cells", [["a:", ":b"], ["x", "\x1b[2J"], ["##", "[x"], ["第一", "第二\u2028"]])
def test_rows_with_a_marker_or_control_across_cells(cells: list[str]) -> None:
    assert visible_cells(cells) == [visible(cell) for cell in cells]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 9])
@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_a_json_list_in_pieces_is_the_same_text(count: int, chunk: int) -> None:
    items = [{"id": n, "name": f"任务{n}##[", "units": ["局办公室"] * (n % 3), "note": "a\u2028b"} for n in range(count)]
    assert "".join(json_list_pieces(items, chunk=chunk)) == json_text(items)


def test_json_text_keeps_numbers_orjson_cannot_write() -> None:
    assert json.loads(json_text([{"id": 10**30}])) == [{"id": 10**30}]
