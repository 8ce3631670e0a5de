"""Untrusted text made safe for each kind of output: one rule per output, used by every renderer.

Every value in the data came through a pull request, so it may hold terminal escape
sequences, line breaks that forge CI log commands (``::error::``), rich markup, HTML,
Markdown or spreadsheet formulas. ``gkplan check`` refuses control characters, but a
report must stay safe on data that was never checked, so the renderers apply:

- ``visible``: one line of text for a terminal, a log or a plain file. Control characters
  are shown, never sent: C0 as Control Pictures (ESC -> ␛, so an escape sequence is
  printed as harmless letters), DEL as ␡, C1 and bidirectional overrides as ``\\x9b`` /
  ``\\u202e``; line breaks (LF, CR, NEL, U+2028, U+2029) as ⏎, so a value never starts a
  new line; text that a CI runner would take for a command (``::error::`` at the start
  of a line, ``##[``) gets a full-width ``：``/``＃`` instead.
- ``printable``: the same, but LF kept: for multi-line blocks built by gkplan itself
  (Markdown, JSON) and cells where a line break is data (CSV, xlsx).
- ``markdown``: ``visible`` plus escaping, so a value is never Markdown or raw HTML.
- ``csv_cell``: OWASP CSV-injection neutralisation (``'`` before a cell a spreadsheet would
  evaluate); ``--raw-csv`` skips it for scripts.
- ``json_text``: JSON whose strings carry no raw control character (DEL, C1, U+2028/9
  escaped as ``\\uXXXX``, which ``json.dumps(ensure_ascii=False)`` leaves raw) and no CI
  log command, losslessly.

rich markup is avoided where rich is used (``rich.text.Text``, never a markup string).
Pure stdlib, cheap to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from gkplan.charsets import BIDI_CONTROLS, CONTROLS, LINE_SEPARATORS

LINE_BREAKS = "\n\r\x85\u2028\u2029"
# C0, DEL, C1, and the bidirectional embeddings/overrides/isolates ("Trojan Source" reordering).
CONTROL = re.compile(f"[{CONTROLS}{BIDI_CONTROLS}{LINE_SEPARATORS}]")
_CONTROL = CONTROL
_CONTROL_BUT_LF = re.compile(f"(?!\n)[{CONTROLS}{BIDI_CONTROLS}{LINE_SEPARATORS}]")
_JSON_RAW = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}{LINE_SEPARATORS}]")  # json.dumps escapes C0 itself
NEWLINE_MARK = "⏎"


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in LINE_BREAKS:
        return NEWLINE_MARK
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ … ␟ (ESC -> ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


# A CI runner acts on a log line that starts (after blanks) with "::" (GitHub/Gitea workflow
# commands) or holds "##[" (the older form): such text from the data gets a full-width
# character in place of the first ":" or "#", so it is still readable but never a command.
_CI_COMMAND = re.compile(r"^([ \u3000]*):(?=:)|##\[", re.MULTILINE)


def _ci_safe(text: str) -> str:
    if "::" not in text and "##[" not in text:
        return text
    return _CI_COMMAND.sub(lambda m: m.group(1) + "：" if m.group().endswith(":") else "＃#[", text)


def visible(text: str) -> str:
    """One safe line: every control character and line break shown, none sent; never a CI command."""
    # str.isprintable() is False for every character of CONTROL (Cc, Cf, Zl, Zp): a fast first look
    if not text.isprintable() and _CONTROL.search(text) is not None:
        text = _CONTROL.sub(_shown, text.replace("\r\n", "\n"))
    return _ci_safe(text)


def visible_cells(cells: list[str]) -> list[str]:
    """``visible`` for each cell of a table row; hot (72,000 cells for 8,000 rows), so one look
    at the whole row first: cells that are printable and hold no CI marker are left as they are,
    and the joined row has a control character or a marker whenever one of its cells does."""
    joined = "".join(cells)
    if joined.isprintable() and "::" not in joined and "##[" not in joined:
        return cells
    return [visible(cell) for cell in cells]


def printable(text: str) -> str:
    """Like ``visible`` but keeps LF (CRLF becomes LF): for text that is allowed several lines."""
    if not text.isprintable() and _CONTROL_BUT_LF.search(text) is not None:
        text = _CONTROL_BUT_LF.sub(_shown, text.replace("\r\n", "\n"))
    return _ci_safe(text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")  # emphasis, code, links/images, HTML, headings, table cells


def markdown(text: str) -> str:
    """A value inside a Markdown line or table cell: never markup, never raw HTML, never two lines."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # also full-width = + - @


def neutralise_formula(text: str) -> str:
    """A cell a spreadsheet would evaluate (``=…``, ``+…``, ``-…``, ``@…``, also after leading
    blanks) gets a leading ``'`` (OWASP CSV injection guidance); other text is unchanged."""
    if text.lstrip(" \u3000").startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_cell(value: Any, *, raw: bool = False) -> Any:
    """One CSV cell: strings made printable and neutralised unless ``raw``; other values as they are."""
    if raw or not isinstance(value, str):
        return value
    return neutralise_formula(printable(value))


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``json.dumps`` with Chinese kept readable and no raw control character in any string."""
    text = None
    if indent == 2:
        # The standard library's C encoder cannot indent and its Python one took 3.6 s and 270 MB
        # for a list of 20,000 tasks; orjson writes the same text (2 spaces, ": ", no escapes of
        # Chinese) in ~0.03 s. An integer beyond 64 bits is the one thing it refuses.
        import orjson

        try:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        except TypeError:  # orjson.JSONEncodeError
            text = None
    if text is None:
        import json

        text = json.dumps(value, ensure_ascii=False, indent=indent)
    if _JSON_RAW.search(text) is not None:
        text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    # "##[" (an old-style CI log command anywhere in a line) as "\u0023#[": the same string to a
    # JSON reader, no command to a runner. A line of indented JSON never starts with "::".
    return text.replace("##[", "\\u0023#[")


def json_list_pieces(items: Iterable[Any], chunk: int = 1000) -> Iterator[str]:
    """``json_text(list(items))`` in pieces that join to exactly that text, ``chunk`` items at a
    time: a list of 20,000 tasks is never one 20 MB string (nor 20,000 dicts) in memory."""
    pending: list[Any] = []
    written = 0
    for item in items:
        pending.append(item)
        if len(pending) == chunk:
            yield ("," if written else "[") + json_text(pending)[1:-2]  # "[\n  A,\n  B\n]" -> "\n  A,\n  B"
            written, pending = written + len(pending), []
    if pending:
        yield ("," if written else "[") + json_text(pending)[1:-2]
        written += len(pending)
    yield "\n]" if written else "[]"


def has_control(text: str) -> str | None:
    """The first control character (line breaks included) in ``text``, or ``None``."""
    found = _CONTROL.search(text)
    return found.group() if found else None
