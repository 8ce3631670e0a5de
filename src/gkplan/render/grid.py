"""A small table value (``Grid``) and the ways to print it: terminal, plain text, Markdown, CSV.

Views build a ``Grid`` from already-filtered rows; this module only lays it out.
On a colour terminal the table goes through rich (wrapping, CJK widths, colour);
otherwise it is plain text aligned by display width, which is also what tests
and pipes see, and which stays fast for tens of thousands of rows.
"""

from __future__ import annotations

import csv
import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TextIO

RICH_MAX_ROWS = 500  # rich costs ~2 ms a row; beyond this the plain layout is used


@dataclass(slots=True)
class Output:
    """Where and how to print: the stream, whether it is a terminal, colour, width."""

    stream: TextIO
    terminal: bool = False
    color: bool = False
    width: int = 100

    @classmethod
    def for_stream(cls, stream: TextIO | None = None) -> Output:
        stream = stream or sys.stdout
        terminal = bool(getattr(stream, "isatty", lambda: False)())
        no_color = "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"
        try:
            width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
        except (ValueError, OSError):
            width = 100
        return cls(stream, terminal, terminal and not no_color, width)

    def write(self, text: str = "") -> None:
        self.stream.write(text + "\n")


@dataclass(slots=True)
class Grid:
    """Headers, rows of cell texts, and a style name per row (``red``, ``dim``, …)."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    title: str = ""
    wrap: tuple[int, ...] = ()  # columns that may wrap on a narrow terminal

    def add(self, cells: Sequence[str], style: str = "") -> None:
        self.rows.append([str(c) for c in cells])
        self.styles.append(style)


@lru_cache(maxsize=65536)  # report cells repeat a lot (names, units, dates)
def display_width(text: str) -> int:
    """Terminal cells a string takes: CJK and full-width characters take two."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def plain_lines(grid: Grid) -> list[str]:
    """The grid as aligned plain-text lines (no trailing spaces)."""
    widths = [display_width(h) for h in grid.headers]
    for row in grid.rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], display_width(cell))
    last = len(widths) - 1

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell if i == last else pad(cell, widths[i]) for i, cell in enumerate(cells)).rstrip()

    lines = [line(grid.headers), "  ".join("-" * w for w in widths)]
    lines.extend(line(row) for row in grid.rows)
    return lines


def print_grid(out: Output, grid: Grid) -> None:
    """Print for a person: rich on a colour terminal, aligned plain text otherwise."""
    if out.color and len(grid.rows) <= RICH_MAX_ROWS:
        _print_rich(out, grid)
        return
    if grid.title:
        out.write(grid.title)
    out.stream.write("\n".join(plain_lines(grid)) + "\n")


def _print_rich(out: Output, grid: Grid) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out.stream, width=out.width, highlight=False, emoji=False)
    table = Table(title=grid.title or None, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for index, header in enumerate(grid.headers):
        table.add_column(header, no_wrap=index not in grid.wrap, overflow="fold")
    for cells, style in zip(grid.rows, grid.styles, strict=True):
        table.add_row(*cells, style=style or None)
    console.print(table)


def write_banner(out: Output, text: str, *, markdown: bool = False) -> None:
    """The "data has errors" line above a report, on its own line(s); on a terminal, wrapped to fit."""
    if markdown:
        out.write(f"> **注意：{text}**")
        out.write()
        return
    lines = wrap_cells(f"！{text}", out.width) if out.terminal else [f"！{text}"]
    for line in lines:
        out.write(line)


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
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = []
    if grid.title:
        lines += [f"### {grid.title}", ""]
    lines.append("| " + " | ".join(cell(h) for h in grid.headers) + " |")
    lines.append("|" + "|".join("---" for _ in grid.headers) + "|")
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in grid.rows)
    return lines


def write_csv(stream: TextIO, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
