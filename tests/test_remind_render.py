"""The message layout rules, property by property: one line per value, escaping, splitting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gkplan.render.remind_text import Line, Segment, escape_markdown, markdown_line, one_line, split_blocks


@given(st.text())
def test_one_line_never_holds_a_line_break_or_control_character(text: str) -> None:
    clean = one_line(text)
    assert clean.splitlines() in ([], [clean])
    assert not any(ord(c) < 32 or c in "\x7f\u2028\u2029\u0085" for c in clean)
    assert len(clean) <= 200


@given(st.text())
def test_escaped_markdown_holds_no_markup_character(text: str) -> None:
    escaped = escape_markdown(one_line(text))
    assert not set(escaped) & set("*_`#[]<>|~@&!\\$")


lines = st.lists(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8), max_size=12)


@given(lines, st.integers(min_value=200, max_value=600))
def test_split_keeps_every_line_in_order_within_the_room(blocks: list[list[str]], room: int) -> None:
    as_lines: list[list[Line]] = [[(Segment(one_line(text)),) for text in block] for block in blocks]

    def size(line: Line) -> int:
        return len(markdown_line(line).encode()) + 1

    chunks = split_blocks(as_lines, room, size)
    assert [line for chunk in chunks for line in chunk if line] == [line for block in as_lines for line in block]
    assert all(sum(size(line) for line in chunk) <= room for chunk in chunks)
    assert all(chunk[0] != () for chunk in chunks)  # no chunk starts with the blank line between units
