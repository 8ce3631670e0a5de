"""The one vocabulary of characters: what counts as running Chinese text, which spaces and
invisible characters a copy from Word or PDF leaves behind.

``importer`` cleans a table's cells with it and ``validate`` flags the data with it, so
text the importer writes is text ``gkplan check`` accepts. Regex character-class bodies
(no brackets), for building patterns.
"""

from __future__ import annotations

# Running Chinese text: ideographs and radicals, kana and bopomofo, CJK and full-width
# punctuation, Chinese quotes, dashes, ellipsis and the middle dot. Not full-width digits or
# Latin letters (０-９ Ａ-ｚ): the source sets a space between them and Chinese (在 8月,
# 至少 1 次), and that space is part of the faithful text.
CJK = (
    "\u2e80-\u2fff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # radicals and ideographs
    "\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf"  # CJK punctuation, kana, bopomofo
    "\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # full-width punctuation
    "\u2018-\u201f\u2014\u2026\u00b7"  # ‘’“” — … ·
)
# Spaces within a line, ASCII and Unicode (no-break, en/em and thin, ideographic).
SPACES = " \t\u00a0\u2000-\u200a\u202f\u205f\u3000"
# Characters that show nothing: soft hyphen, zero-width ones, direction marks, word joiner, BOM.
INVISIBLE = "\u00ad\u200b-\u200f\u2060\ufeff"
# Unicode line and paragraph separators: a line break in YAML 1.1, nothing on most screens.
LINE_SEPARATORS = "\u2028\u2029"
# Control characters: C0 (tab and line feed included), DEL and C1 (NEL, CSI…): on a terminal
# they act (escape sequences), in a log they start lines, in a spreadsheet they are refused.
CONTROLS = "\x00-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides and isolates: text shown in another order than it reads
# ("Trojan Source"). Never part of a plan.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# Private-use characters: a PDF font's glyphs that map to no real character.
PRIVATE_USE = "\ue000-\uf8ff"

INVISIBLE_NAMES = {
    "\u00ad": "软连字符",
    "\u200b": "零宽空格",
    "\ufeff": "零宽不换行空格（BOM）",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
}
