"""Read the tables of a Word, Excel or CSV file into plain rows of cell texts.

This is the disk side of ``gkplan import``: it knows file formats, nothing about
task tables. Every reader returns ``SourceTable``s whose rows hold one string per
column, merged cells already filled with their text (python-docx repeats a merged
cell's text by itself; openpyxl keeps it only in the top-left cell, so ranges are
filled here), hidden spreadsheet rows and columns dropped. Which table is the task
table, and what its columns mean, is decided by ``gkplan.importer``.

A file must be what its name says: a ``.xlsx`` that is really CSV text, or a
``.docx`` that is not a Word package, is refused with the fix, never guessed at.
python-docx and openpyxl are imported only here, and only when such a file is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from gkplan.errors import DataError
from gkplan.store.reader import display_path, read_bytes

WORD_SUFFIXES = (".docx", ".docm")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
ACCEPTED = "Word（.docx）、Excel（.xlsx）或 CSV（.csv）"
MAX_ROWS = 100_000  # a task table has tens of rows; a sheet of a million formatted rows is not one

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, WPS files, and password-protected Office files


@dataclass(slots=True)
class SourceTable:
    """One table as read from a file: rows of cell texts, all rows as wide as the widest."""

    rows: list[list[str]]
    lines: list[int]  # the 1-based row (Excel), table row (Word) or line (CSV) of each row, for messages
    where: str = ""  # which table: 表 2, 工作表「Sheet1」; empty for CSV
    preamble: list[str] = field(default_factory=list)  # text above the table (Word paragraphs)
    kind: str = ""  # docx, xlsx or csv


def read_tables(path: Path) -> list[SourceTable]:
    """Every table of ``path``, in document order. Raises ``DataError`` for unusable files."""
    shown = display_path(path)
    suffix = path.suffix.lower()
    raw = read_bytes(path, shown)
    actual = sniff(raw)
    expected = _expected_kind(suffix, shown)
    if actual != expected:
        raise _mismatch(shown, suffix, actual)
    if expected == "docx":
        return read_docx(raw, shown)
    if expected == "xlsx":
        return read_xlsx(raw, shown)
    return [read_csv(raw, shown)]


def sniff(raw: bytes) -> str:
    """What the bytes are: docx, xlsx, zip, ole2, pdf, rtf, html, empty or csv (any other text)."""
    if not raw.strip():
        return "empty"
    if raw.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if raw.startswith(_OLE2):
        return "ole2"
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table")):
        return "html"
    return "csv"


def _expected_kind(suffix: str, shown: str) -> str:
    if suffix in WORD_SUFFIXES:
        return "docx"
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in TEXT_SUFFIXES:
        return "csv"
    if suffix in (".doc", ".wps"):
        hint = "请用 Word 或 WPS 打开，另存为 .docx 后再导入"
    elif suffix in (".xls", ".et"):
        hint = "请用 Excel 或 WPS 打开，另存为 .xlsx 后再导入"
    elif suffix == ".pdf":
        hint = "PDF 里的表格无法可靠读取：请用原始的 Word/Excel 文件，或把表格复制到 Excel 另存为 .xlsx"
    else:
        hint = f"gkplan 能导入 {ACCEPTED}"
    raise DataError(f"不支持的文件类型「{suffix or '（无扩展名）'}」", where=shown, hint=hint)


_KIND_NAMES = {
    "docx": "Word 文档（.docx）",
    "xlsx": "Excel 工作簿（.xlsx）",
    "csv": "纯文本（像 CSV）",
    "zip": "一个 zip 压缩包，但不是 Word 或 Excel 文件",
    "ole2": "旧版 Office 文件（.doc/.xls）或加密的文件",
    "pdf": "PDF 文件",
    "rtf": "RTF 文档",
    "html": "网页（HTML/XML），常见于系统导出的“假 .xls”",
    "empty": "空文件",
}


def _mismatch(shown: str, suffix: str, actual: str) -> DataError:
    fixes = {
        "docx": "如果它是 Word 文档，请把扩展名改为 .docx",
        "xlsx": "如果它是 Excel 工作簿，请把扩展名改为 .xlsx",
        "csv": "如果它是 CSV，请把扩展名改为 .csv；否则请用 Excel 重新另存为 .xlsx",
        "ole2": "请用 Word/Excel 打开（如有密码先取消密码），另存为 .docx 或 .xlsx",
        "pdf": "请用原始的 Word/Excel 文件，或把表格复制到 Excel 另存为 .xlsx",
        "html": "请用 Excel 打开它，另存为 .xlsx 后再导入",
        "empty": "请检查是否选错了文件",
    }
    hint = fixes.get(actual, f"gkplan 能导入 {ACCEPTED}")
    return DataError(f"文件名是 {suffix}，但内容是{_KIND_NAMES.get(actual, actual)}", where=shown, hint=hint)


# --- Word -------------------------------------------------------------------------------------


def read_docx(raw: bytes, shown: str) -> list[SourceTable]:
    """The document's top-level tables in order, each with the paragraphs above it."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(raw))
        tables: list[SourceTable] = []
        preamble: list[str] = []
        for block in document.iter_inner_content():
            if not isinstance(block, Table):
                text = block.text.strip()
                if text:
                    preamble.append(text)
                continue
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            # Word tables keep their empty last columns: the width tells a continued table apart.
            table = _rectangle(rows, list(range(1, len(rows) + 1)), trim=False)
            table.where = f"第 {len(tables) + 1} 个表格"
            table.preamble = preamble
            table.kind = "docx"
            tables.append(table)
            preamble = []
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile, AttributeError) as exc:
        hint = "请用 Word 打开后重新另存为 .docx"
        raise DataError(f"Word 文档已损坏，无法读取（{type(exc).__name__}）", where=shown, hint=hint) from None
    return tables


# --- Excel ------------------------------------------------------------------------------------


def read_xlsx(raw: bytes, shown: str) -> list[SourceTable]:
    """Every visible sheet as one table: merged ranges filled, hidden rows and columns dropped."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        hint = "请用 Excel 打开后重新另存为 .xlsx"
        raise DataError(f"Excel 工作簿已损坏，无法读取（{type(exc).__name__}）", where=shown, hint=hint) from None
    tables = []
    # The workbook's own title (gkplan's report sets it: 2022年…工作要点 · 例会报告) tells the year
    # when no title row sits above the header.
    title = str(workbook.properties.title or "").strip()
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        table = _read_sheet(sheet)
        table.where = f"工作表「{sheet.title}」"
        table.kind = "xlsx"
        table.preamble = [title] if title else []
        tables.append(table)
    workbook.close()
    return tables


def _read_sheet(sheet: Any) -> SourceTable:
    grid: dict[tuple[int, int], Any] = {}
    for row in sheet.iter_rows(max_row=min(sheet.max_row, MAX_ROWS)):  # styled empty rows can run far
        for cell in row:
            if cell.value is not None:
                grid[(cell.row, cell.column)] = cell.value
    for merged in sheet.merged_cells.ranges:
        value = grid.get((merged.min_row, merged.min_col))
        if value is None:
            continue
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[(r, c)] = value
    hidden_columns: set[int] = set()
    for dimension in sheet.column_dimensions.values():
        if dimension.hidden and dimension.min and dimension.max:
            hidden_columns.update(range(dimension.min, dimension.max + 1))
    rows: list[list[str]] = []
    lines: list[int] = []
    width = max((c for _, c in grid), default=0)
    for r in range(1, (max((r for r, _ in grid), default=0)) + 1):
        if sheet.row_dimensions[r].hidden:
            continue
        rows.append([cell_text(grid.get((r, c))) for c in range(1, width + 1) if c not in hidden_columns])
        lines.append(r)
    return _rectangle(rows, lines)


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person sees: 3.0 -> 3, a date -> 2023年6月30日."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            value = value.date()
        else:
            return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


# --- CSV --------------------------------------------------------------------------------------

DELIMITERS = ",\t;"


def decode_text(raw: bytes, shown: str) -> tuple[str, str]:
    """Decode strictly: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
    else GB18030 (Excel's CSV on a Chinese Windows). Never returns mojibake: refuses instead."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "UTF-8（带 BOM）")]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GB18030")]
    for codec, name in candidates:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        return text, name
    raise DataError(
        "无法识别文件编码：既不是 UTF-8，也不是 GB18030（GBK）",
        where=shown,
        hint="请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”",
    )


def detect_delimiter(text: str) -> str:
    """csv.Sniffer first; if it fails or gives a one-column reading, the delimiter that gives
    the most rows of the same width (ties: comma, then tab, then semicolon)."""
    sample = text[:65536]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and _consistency(sample, sniffed)[1] >= 2:
        return sniffed
    best = max(DELIMITERS, key=lambda d: _consistency(sample, d))
    return best


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(rows having the most common width, that width) for a delimiter; width 1 scores nothing."""
    counts: dict[int, int] = {}
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            width = len(row)
            if width > 1:
                counts[width] = counts.get(width, 0) + 1
    except csv.Error:
        return (0, 0)
    if not counts:
        return (0, 1)
    width = max(counts, key=lambda w: (counts[w], w))
    return (counts[width], width)


def read_csv(raw: bytes, shown: str) -> SourceTable:
    text, encoding = decode_text(raw, shown)
    delimiter = detect_delimiter(text)
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise DataError(f"CSV 超过 {MAX_ROWS} 行，不像任务分解表", where=shown, hint="请只导出任务表")
    except csv.Error as exc:
        raise DataError(f"CSV 格式错误：{exc}", where=f"{shown}:{start}", hint="请检查引号是否成对") from None
    table = _rectangle(rows, lines)
    table.kind = "csv"
    table.where = f"CSV（{encoding}，分隔符 {_DELIMITER_NAMES[delimiter]}）"
    return table


_DELIMITER_NAMES = {",": "逗号", "\t": "Tab", ";": "分号"}


def _rectangle(rows: list[list[str]], lines: list[int], *, trim: bool = True) -> SourceTable:
    """Pad rows to the same width and (``trim``) drop trailing columns that are empty everywhere."""
    width = max((len(r) for r in rows), default=0)
    padded = [[(c or "") for c in r] + [""] * (width - len(r)) for r in rows]
    while trim and width and all(not row[width - 1].strip() for row in padded):
        width -= 1
        padded = [row[:width] for row in padded]
    return SourceTable(padded, lines)
