"""Read the 台账 units send back (``gkplan collect``): an .xlsx saved by Excel or WPS, or a CSV saved from one.

Only cells are read here, with their row numbers; what they mean is ``gkplan.ledger``'s
business. Unlike ``tables.read_xlsx`` (for imports), hidden rows are kept: the ledger's
stamp sits in a hidden last row, so that it survives "save as CSV". The hidden sheet
``gkplan`` holds the same stamp per sheet title, and is preferred when present.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gkplan.errors import DataError, GkplanError, UsageError
from gkplan.model import META_SHEET, RawSheet, Refusal
from gkplan.store.reader import display_path, read_bytes
from gkplan.store.tables import MAX_ROWS, decode_text, detect_delimiter, sniff

ACCEPTED = "gkplan ledger 导出的 .xlsx，或从它另存的 .csv"


def read_ledger_files(paths: Sequence[Path]) -> tuple[list[RawSheet], list[Refusal]]:
    """Every sheet of every file, and a refusal for each file that cannot be read (all are reported at once)."""
    sheets: list[RawSheet] = []
    refusals: list[Refusal] = []
    for path in paths:
        try:
            sheets += read_ledger_file(path)
        except GkplanError as exc:
            where = exc.where or display_path(path)
            refusals.append(Refusal(where, exc.message + (f"；{exc.hint}" if exc.hint else "")))
    return sheets, refusals


def read_ledger_file(path: Path) -> list[RawSheet]:
    shown = display_path(path)
    if not path.is_file():
        raise UsageError(f"找不到文件「{shown}」", hint="请检查文件名和路径")
    raw = read_bytes(path, shown)
    suffix = path.suffix.lower()
    kind = sniff(raw)
    if suffix in (".xlsx", ".xlsm") and kind == "xlsx":
        return _read_xlsx(raw, shown)
    if suffix in (".csv", ".txt") and kind == "csv":
        return [_read_csv(raw, shown, path.stem)]
    if suffix in (".xls", ".et") or kind == "ole2":
        hint = "请用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）后再收集"
        raise DataError("旧版 Excel 文件（.xls）或加密的文件无法读取", where=shown, hint=hint)
    raise DataError(f"不是台账文件（扩展名 {suffix or '无'}，内容为 {kind}）", where=shown, hint=f"gkplan collect 读取 {ACCEPTED}")


def _read_xlsx(raw: bytes, shown: str) -> list[RawSheet]:
    import openpyxl

    try:
        # Formulas as written (not their cached results): a formula in a ledger is refused, never evaluated.
        # Read-only: rows are read as they are walked (a unit's ledger of 13,000 tasks: 235 -> ~110 MB).
        workbook = openpyxl.load_workbook(io.BytesIO(raw), data_only=False, read_only=True)
    except (KeyError, ValueError, OSError, TypeError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"Excel 工作簿已损坏，无法读取（{type(exc).__name__}）", where=shown, hint="请用 Excel 打开后重新另存为 .xlsx"
        ) from None
    stamps: dict[str, str] = {}
    if META_SHEET in workbook.sheetnames:
        for title, *pieces in workbook[META_SHEET].iter_rows(max_row=1000, min_col=1, max_col=100, values_only=True):
            if isinstance(title, str) and pieces and isinstance(pieces[0], str):  # a long stamp spans cells (ledger.stamp_cells)
                stamps[title] = "".join(piece for piece in pieces if isinstance(piece, str))
    sheets = []
    for sheet in workbook.worksheets:
        if sheet.title == META_SHEET and sheet.sheet_state != "visible":
            continue
        rows: list[tuple[int, tuple[object, ...]]] = []
        formulas: set[tuple[int, int]] = set()
        # (A read-only sheet yields rows in order, empty ones included, and an empty cell has no row number.)
        for number, cells in enumerate(sheet.iter_rows(max_row=MAX_ROWS), start=1):
            values: list[Any] = []
            for column, cell in enumerate(cells, start=1):
                value = cell.value
                if cell.data_type == "f":
                    formulas.add((number, column))
                    value = str(value)
                values.append(value)
            while values and values[-1] is None:
                values.pop()
            if values:
                rows.append((number, tuple(values)))
        sheets.append(RawSheet(shown, sheet.title, tuple(rows), stamps.get(sheet.title), frozenset(formulas)))
    workbook.close()
    return sheets


def _read_csv(raw: bytes, shown: str, title: str) -> RawSheet:
    """UTF-8 (with or without BOM), GB18030 (Excel's "CSV" on a Chinese Windows) or UTF-16 "Unicode text"."""
    text, _ = decode_text(raw, shown)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    rows: list[tuple[int, tuple[object, ...]]] = []
    try:
        for number, row in enumerate(reader, start=1):  # the row number Excel shows when it opens the CSV
            if number > MAX_ROWS:
                raise DataError(f"CSV 超过 {MAX_ROWS} 行，不像台账", where=shown)
            if any(cell.strip() for cell in row):
                rows.append((number, tuple(row)))
    except csv.Error as exc:
        raise DataError(f"CSV 格式错误：{exc}", where=f"{shown}:{reader.line_num}", hint="请检查引号是否成对") from None
    return RawSheet(shown, title, tuple(rows))
