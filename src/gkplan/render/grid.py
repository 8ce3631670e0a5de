"""A small table value (``Grid``) and the ways to print it: terminal, plain text, Markdown, CSV.

Views build a ``Grid`` from already-filtered rows; this module only lays it out.
Plain text aligned by display width (CJK = 2 cells). A file or a pipe gets whole
rows, never wrapped or shortened; a terminal gets rows fitted to its real width
(see ``Grid``), coloured line by line through rich unless NO_COLOR is set.
"""

from __future__ import annotations

import csv
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import Any, TextIO

from gkplan.textsafe import csv_cell, json_list_pieces, markdown, printable, visible, visible_cells
from gkplan.textsafe import markdown as markdown_text  # ``write_banner`` has a flag of that name

FALLBACK_WIDTH = 100  # a terminal that will not say its size
SHORT_NAME = 8  # cells a shortened name keeps at least (header width counts too)
LONGEST_PIECE = 24  # a wrapped column need not be wider than this to keep its pieces whole


@dataclass(slots=True)
class Output:
    """Where and how to print: the stream, whether it is a terminal, colour, width
    (``cli.terminal_output`` decides them: nothing below the CLI reads the environment).

    Only a terminal's output is fitted to ``width``; a file or a pipe gets whole rows.
    """

    stream: TextIO
    terminal: bool = False
    color: bool = False
    width: int = FALLBACK_WIDTH
    raw_csv: bool = False  # ``--raw-csv``: CSV cells exactly as in the data, for scripts

    def write(self, text: str = "") -> None:
        """Text gkplan laid out (several lines allowed); a control character in it is shown, never sent."""
        self.stream.write(printable(text) + "\n")

    def write_json_list(self, items: Iterable[Any], chunk: int = 1000) -> None:
        """A JSON array (``textsafe.json_text``'s text) written ``chunk`` items at a time, however long."""
        for piece in json_list_pieces(items, chunk):
            self.stream.write(piece)
        self.stream.write("\n")

    def line(self, text: str = "") -> None:
        """One line that holds data: a line break in a value is shown (⏎), never a new line."""
        self.stream.write(visible(text) + "\n")

    def say(self, text: str = "", indent: int = 0) -> None:
        """A line of prose: on a terminal wrapped to the width, continuation lines indented by ``indent``.

        It may hold data: a line break in it is shown (⏎), never a new line."""
        text = visible(text)
        if not self.terminal or display_width(text) <= self.width:
            self.write(text)
            return
        first, *rest = wrap_cells(text, self.width)
        self.write(first)
        for line in wrap_cells("".join(rest), max(self.width - indent, 10)) if rest else []:
            self.write(" " * indent + line)


@dataclass(slots=True)
class Grid:
    """Headers, rows of cell texts, and a style name per row (``red``, ``dim``, …).

    How it gives way on a narrow terminal: ``drop`` columns go first (in that order),
    then ``shorten`` columns are cut with …, and ``wrap`` columns wrap (at 、 when
    they hold lists); headers are never cut.
    """

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    title: str = ""
    wrap: tuple[int, ...] = ()  # columns that may wrap on a narrow terminal
    shorten: tuple[int, ...] = ()  # columns that may be cut short with …
    drop: tuple[int, ...] = ()  # columns left out on a narrow terminal, least useful first

    @classmethod
    def of_columns(cls, headers: list[str], columns: list[list[str]], styles: list[str], **layout: tuple[int, ...]) -> Grid:
        """The grid of these columns (equal lengths), each made safe as ``add`` makes a row's cells:
        a long listing is built faster column by column (one comprehension per column)."""
        safe = [visible_cells(column) for column in columns]
        return cls(headers, [list(row) for row in zip(*safe, strict=True)], styles, **layout)  # type: ignore[arg-type]

    def add(self, cells: Sequence[str], style: str = "") -> None:
        """One row; each cell made one safe line here (``textsafe.visible``), for every layout."""
        self.rows.append(visible_cells(list(map(str, cells))))  # str() of a str is the str itself
        self.styles.append(style)


class _CellsPerCharacter(dict[int, str]):
    """A ``str.translate`` table: each character -> as many spaces as the cells it takes (CJK
    and full-width: two; combining marks: none), worked out the first time it is met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if unicodedata.combining(char):
            cells = ""
        else:
            cells = "  " if unicodedata.east_asian_width(char) in ("W", "F") else " "
        self[code] = cells
        return cells


_CELLS = _CellsPerCharacter()


@lru_cache(maxsize=65536)  # report cells repeat a lot (names, units, dates)
def display_width(text: str) -> int:
    """Terminal cells a string takes: CJK and full-width characters take two."""
    if text.isascii():
        return len(text)
    return len(text.translate(_CELLS))  # one pass in C, not a Python loop per character


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def cell_widths(cells: Sequence[str]) -> list[int]:
    """``display_width`` of each cell, for a whole column at once (the loops run in C)."""
    if "".join(cells).isascii():
        return list(map(len, cells))
    return list(map(display_width, cells))  # cached: names, units and dates repeat


def plain_lines(grid: Grid) -> list[str]:
    """The grid as aligned plain-text lines (no trailing spaces).

    Column by column, with the loops in C (hot: a listing of 20,000 rows has 180,000 cells):
    each cell's width is taken once, then the cells of a column are padded to the widest."""
    columns = list(zip(grid.headers, *grid.rows, strict=True)) if grid.rows else [(h,) for h in grid.headers]
    used = [cell_widths(column) for column in columns]
    widths = [max(found) for found in used]
    spaces = [" " * n for n in range(max(widths) + 3)]  # shared: no new string per padded cell
    pieces: list[Iterable[str]] = []
    for column, found, width in zip(columns[:-1], used, widths, strict=False):  # the last column is not padded
        pieces += [column, map(spaces.__getitem__, map(operator.sub, repeat(width + 2), found))]  # cell, then its padding
    pieces.append(columns[-1])
    lines = list(map(str.rstrip, map("".join, zip(*pieces, strict=True))))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def print_grid(out: Output, grid: Grid) -> None:
    """Print for a person: on a terminal fitted to its width (coloured unless NO_COLOR), else whole rows."""
    if grid.title:
        out.line(grid.title)
    if not out.terminal:
        write_lines(out.stream, plain_lines(grid))
        return
    lines = fitted_lines(grid, out.width)
    if not out.color:
        write_lines(out.stream, [line for line, _ in lines])
        return
    from rich.color import ColorSystem
    from rich.style import Style

    # The styles are the 16 basic colours: ANSI codes per line, no rich layout (fast for 10,000 rows).
    styles = {style: Style.parse(style) for style in {style for _, style in lines} if style}
    write_lines(out.stream, [styles[style].render(line, color_system=ColorSystem.STANDARD) if style else line for line, style in lines])


def write_lines(stream: TextIO, lines: list[str], chunk: int = 2000) -> None:
    """Lines in pieces of ``chunk``: a 20,000-row listing is never one more 10 MB string in memory."""
    for start in range(0, len(lines), chunk):
        stream.write("\n".join(lines[start : start + chunk]) + "\n")


_BREAK_AFTER = re.compile(r"(?<=[、，])")


def _pieces(text: str) -> list[str]:
    """A cell cut where it may wrap: after each 、 (a unit list) or ，, else nowhere."""
    return _BREAK_AFTER.split(text)


def _min_width(grid: Grid, index: int, header: int) -> int:
    if index in grid.shorten:
        return header if header >= SHORT_NAME else SHORT_NAME
    if index in grid.wrap:
        longest = max((display_width(p) for row in grid.rows for p in _pieces(row[index])), default=0)
        return max(header, min(longest, LONGEST_PIECE))
    return -1  # not flexible


def column_widths(grid: Grid, width: int) -> tuple[list[int], list[int]]:
    """The columns kept and their widths so that a row fits ``width`` cells, as far as headers allow."""
    natural = [display_width(h) for h in grid.headers]
    for row in grid.rows:
        for index, cell in enumerate(row):
            natural[index] = max(natural[index], display_width(cell))
    kept = list(range(len(natural)))

    def total() -> int:
        return sum(natural[c] for c in kept) + 2 * (len(kept) - 1)

    for index in grid.drop:
        if total() > width and index in kept:
            kept.remove(index)
    floors = {c: _min_width(grid, c, display_width(grid.headers[c])) for c in kept}
    flexible = [c for c in kept if floors[c] >= 0]
    _shrink(natural, {c: floors[c] for c in flexible}, total, width)
    if total() > width:  # still too wide: headers wider than their cells wrap onto two lines (never cut)
        cells = {c: max((display_width(row[c]) for row in grid.rows), default=0) for c in kept}
        header_floors = {c: max(cells[c], _header_floor(grid.headers[c]), floors[c]) for c in kept if c not in flexible}
        for c in sorted(header_floors, key=lambda c: natural[c] - header_floors[c], reverse=True):
            if total() <= width:
                break
            natural[c] = min(natural[c], header_floors[c])  # whole columns: 按时/完成 rather than 按时完/成
    return kept, [natural[c] for c in kept]


def _shrink(widths: list[int], floors: dict[int, int], total: Callable[[], int], width: int) -> None:
    """Narrow the widest columns of ``floors`` first, none below its floor, until ``total()`` fits."""
    while (excess := total() - width) > 0:
        roomy = [c for c in floors if widths[c] > floors[c]]
        if not roomy:
            return  # whole unit names and headers do not fit: the terminal wraps this once
        widest = max(roomy, key=lambda c: widths[c])
        others = max((widths[c] for c in roomy if c != widest), default=floors[widest])
        widths[widest] -= max(1, min(excess, widths[widest] - max(others, floors[widest])))


def _header_floor(header: str) -> int:
    """A header wraps onto at most two lines, before （ when it has one."""
    if "（" in header:
        head, _, tail = header.partition("（")
        return max(display_width(head), display_width("（" + tail))
    half = (display_width(header) + 1) // 2
    return max(half + half % 2 if not header.isascii() else half, 4)  # a two-character header stays whole


def header_lines(header: str, width: int) -> list[str]:
    if display_width(header) <= width:
        return [header]
    if "（" in header:
        head, _, tail = header.partition("（")
        if display_width(head) <= width and display_width("（" + tail) <= width:
            return [head, "（" + tail]
    middle = (len(header) + 1) // 2
    if display_width(header[:middle]) <= width and display_width(header[middle:]) <= width:
        return [header[:middle], header[middle:]]
    return wrap_cells(header, width)


@lru_cache(maxsize=65536)  # cells repeat (unit lists, names): lay each out once
def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in … when it had to be shortened."""
    if display_width(text) <= width:
        return text
    kept, used = "", 0
    for char in text:
        cells = display_width(char)
        if used + cells > width - 1:
            break
        kept += char
        used += cells
    return kept + "…"


@lru_cache(maxsize=65536)
def wrap_pieces(text: str, width: int) -> tuple[str, ...]:
    """``text`` in lines of at most ``width`` cells, broken after 、 where it can be, else anywhere."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if display_width(line + piece) <= width:
            line += piece
            continue
        if line:
            lines.append(line)
        line = ""
        if display_width(piece) > width:
            *whole, piece = wrap_cells(piece, width)
            lines += whole
        line = piece
    return (*lines, line) if line or not lines else tuple(lines)


def fitted_lines(grid: Grid, width: int) -> list[tuple[str, str]]:
    """The grid as (line, style) pairs that fit ``width`` cells: see ``Grid`` for how it gives way."""
    kept, widths = column_widths(grid, width)
    last = len(kept) - 1

    def lines_of(cells: Sequence[str], header: bool = False) -> list[str]:
        columns: list[list[str]] = []
        for index, cell in zip(kept, widths, strict=True):
            text = cells[index]
            if header:
                columns.append(header_lines(text, cell))
            elif index in grid.shorten:
                columns.append([cut(text, cell)])
            elif index in grid.wrap and display_width(text) > cell:
                columns.append(list(wrap_pieces(text, cell)))
            else:
                columns.append([text])
        height = max(len(column) for column in columns)
        return [
            "  ".join(
                (column[n] if n < len(column) else "") if i == last else pad(column[n] if n < len(column) else "", widths[i])
                for i, column in enumerate(columns)
            ).rstrip()
            for n in range(height)
        ]

    result = [(line, "bold") for line in lines_of(grid.headers, header=True)]
    result.append(("  ".join("-" * w for w in widths), ""))
    for row, style in zip(grid.rows, grid.styles, strict=True):
        result.extend((line, style) for line in lines_of(row))
    return result


def write_banner(out: Output, text: str, *, markdown: bool = False) -> None:
    """The "data has errors" line above a report, on its own line(s); on a terminal, wrapped to fit."""
    if markdown:
        out.write(f"> **注意：{markdown_text(text)}**")
        out.write()
        return
    out.say(f"！{text}", indent=2)


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` display cells (at any character: for prose, not names)."""
    lines, line, used = [], "", 0
    for char in text:
        cells = display_width(char)
        if used + cells > width and line:
            lines.append(line)
            line, used = "", 0
        line += char
        used += cells
    return [*lines, line] if line else lines


def markdown_lines(grid: Grid) -> list[str]:
    """The grid as a Markdown table; every cell escaped (``textsafe.markdown``): never markup or HTML."""
    cell = markdown
    lines = []
    if grid.title:
        lines += [f"### {markdown(grid.title)}", ""]
    lines.append("| " + " | ".join(cell(h) for h in grid.headers) + " |")
    lines.append("|" + "|".join("---" for _ in grid.headers) + "|")
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in grid.rows)
    return lines


def write_csv(stream: TextIO, headers: Sequence[str], rows: Sequence[Sequence[object]], *, raw: bool = False) -> None:
    """CSV with formula-like cells neutralised (``textsafe.csv_cell``) unless ``raw`` (``--raw-csv``)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([csv_cell(value, raw=raw) for value in row] for row in rows)
