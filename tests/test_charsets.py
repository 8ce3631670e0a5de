"""One character vocabulary: text the importer cleans is text ``gkplan check`` accepts.

``importer`` and ``validate`` once had their own tables of Chinese and invisible
characters (different ranges): a cell the importer left alone could fail the check.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.importer import clean_text
from gkplan.validate import _artefacts

PIECES = [
    "公开",
    "，",
    "。",
    "“",
    "”",
    "ア",
    "8",
    "Ａ",
    "１",
    "a",
    " ",
    "\u3000",
    "\u00a0",
    "\u2003",
    "\t",
    "\n",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "\u2028",
    "\u200e",
    "·",
    "—",
]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_cleaned_cells_have_no_stray_spaces_or_invisible_characters(pieces: list[str]) -> None:
    cleaned = clean_text("".join(pieces))
    found = [what for _, _, what in _artefacts(cleaned) if "重复的标点" not in what and "页码" not in what]
    assert found == [], (cleaned, found)


def test_a_space_beside_digits_and_latin_letters_is_kept_by_both() -> None:
    assert clean_text("在 8月，至少 1 次 Ａ 类") == "在 8月，至少 1 次 Ａ 类"
    assert _artefacts("在 8月，至少 1 次 Ａ 类") == []
    assert clean_text("政务\u2003公开\u200b") == "政务公开"
    assert [what for _, _, what in _artefacts("政务\u2003公开")] == ["在「务」和「公」之间有多余的空格"]
