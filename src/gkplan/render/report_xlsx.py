"""The meeting report as an Excel workbook (openpyxl), for leaders who read spreadsheets.

Sheets: 任务 (every task in scope: frozen header, filters, light fills, real
dates), 各单位 (one line per unit), 变化 (since last meeting, when git history
is available) and 说明 (what the workbook is, as of when, by which rules).
Widths are measured in display cells, so Chinese columns fit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from gkplan.model import Light, Scheme
from gkplan.render.grid import display_width
from gkplan.render.palette import swatch
from gkplan.render.report_text import (
    base_text,
    change_unit,
    edit_text,
    headline_cells,
    rules_text,
    section_title,
    status_label,
    subtitle,
    unfinished_units,
    unit_headers,
)
from gkplan.render.wording import days_text, deadline_text, units_text
from gkplan.report import Report, ReportSection
from gkplan.textsafe import printable

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0%"
MAX_WIDTH = {"任务内容": 60, "任务名称": 30, "责任单位": 36, "未完成单位": 36, "说明": 60, "内容": 70}
DEFAULT_MAX_WIDTH = 40

TASK_HEADERS = [
    "灯",
    "序号",
    "章节",
    "任务名称",
    "任务内容",
    "责任单位",
    "未完成单位",
    "时间节点",
    "类型",
    "截止日期",
    "状态",
    "剩余天数",  # negative: days late
    "备注",
]


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    # Write-only: rows go to a temporary file as they are added, so 20,000 tasks' 260,000 cells are
    # never all in memory (206 -> ~90 MB); a sheet's layout is therefore set before its rows.
    workbook = Workbook(write_only=True)
    if report.banner:  # first and open: whoever opens the file sees it before any number
        _banner_sheet(workbook.create_sheet("数据有错误"), report.banner)
    _task_sheet(workbook.create_sheet("任务"), report)  # every task in scope, to filter; then the sections that are tables
    for section in report.sections:
        if section is ReportSection.UNITS:
            _unit_sheet(workbook.create_sheet(section_title(report, section)), report)
        elif section is ReportSection.CHANGES and report.changes is not None and not report.changes.empty:
            _change_sheet(workbook.create_sheet("变化"), report)
    _about_sheet(workbook.create_sheet("说明"), report)
    stamp = datetime.combine(report.today, datetime.min.time())
    workbook.properties.creator = "gkplan"
    workbook.properties.title = printable(f"{report.title} · 例会报告")
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def put_value(cell: Any, value: Any) -> None:
    """The one rule for a data cell in any workbook gkplan writes: text is always a string cell,
    never a formula (openpyxl stores "=…" as one), and a control character is shown, not stored
    (Excel refuses most of them)."""
    if isinstance(value, str):
        cell.value = printable(value)
        cell.data_type = "s"
    else:
        cell.value = value


def append_row(sheet: Any, values: Sequence[Any], styles: Sequence[str | None] | None = None) -> None:
    """One row of data cells (``put_value``) at the end of a write-only sheet, each with its named
    style (``named_style``; ``None``: the default)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for index, value in enumerate(values):
        cell = WriteOnlyCell(sheet)
        put_value(cell, value)
        style = styles[index] if styles is not None else None
        if style is not None:
            cell.style = style
        cells.append(cell)
    sheet.append(cells)


def named_style(
    workbook: Any,
    name: str,
    *,
    bold: bool = False,
    ink: str | None = None,
    size: float | None = None,
    fill: str | None = None,
    border: bool = False,
    wrap: bool = False,
    horizontal: str | None = None,
    vertical: str = "top",
    number_format: str = "General",
    locked: bool = True,
) -> str:
    """A cell style, made once per workbook and named; a cell takes it by name (``cell.style =
    name``: a copy of its ids). Setting font, fill, border and alignment cell by cell hashes
    each style object again: 20,000 tasks took minutes. Colours are hex, no #."""
    if name in workbook.named_styles:
        return name
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
    from openpyxl.styles.fonts import DEFAULT_FONT

    style = NamedStyle(name=name)
    base = DEFAULT_FONT  # the workbook's own font (Calibri 11, theme colour), only bolder, coloured or larger
    style.font = Font(name=base.name, family=base.family, scheme=base.scheme, sz=size or base.sz, b=bold, color=ink or base.color)
    if fill is not None:
        style.fill = PatternFill("solid", fgColor=fill)
    if border:
        thin = Side(style="thin", color="C8CDD3")
        style.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    style.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
    style.number_format = number_format
    style.protection = Protection(locked=locked)
    workbook.add_named_style(style)
    return name


def _table_styles(workbook: Any, scheme: Scheme, kinds: Sequence[str], light: Light) -> list[str]:
    """A table row's cell styles: each column's kind (换行, 顶端, 日期, 百分比), all in the row's light
    (its fill; the 灯 column also bold in the light's ink)."""
    look = None if light is Light.NONE else swatch(light, scheme)
    lit = f" {light.value}" if look else ""
    return [
        named_style(
            workbook,
            f"gkplan {kind}{lit}{' 灯' if look and index == 0 else ''}",
            border=True,
            wrap=kind == "换行",
            number_format={"日期": DATE_FORMAT, "百分比": PERCENT_FORMAT}.get(kind, "General"),
            fill=look.fill if look else None,
            bold=bool(look and index == 0),
            ink=look.ink if look and index == 0 else None,
        )
        for index, kind in enumerate(kinds)
    ]


def _write_table(
    sheet: Any,
    scheme: Scheme,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wrap: Sequence[str] = (),
    lights: Sequence[Light] = (),
    percent_last: bool = False,
) -> None:
    """Header row (bold, frozen, filtered), then rows (each in its light, when ``lights`` gives
    them); widths fitted to the widest cell, in display cells. Layout first: a write-only sheet
    takes its columns' widths before its rows."""
    from openpyxl.utils import get_column_letter

    workbook = sheet.parent
    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
    for index, header in enumerate(headers):
        limit = MAX_WIDTH.get(header, DEFAULT_MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widths[index], limit) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    print_landscape(sheet)
    header_style = named_style(workbook, "gkplan 表头", bold=True, fill="E4E8EE", border=True, horizontal="center")
    append_row(sheet, headers, [header_style] * len(headers))
    last = len(headers) - 1
    kinds = [
        "日期"
        if any(isinstance(row[index], date) for row in rows)
        else "百分比"
        if percent_last and index == last
        else "换行"
        if header in wrap
        else "顶端"
        for index, header in enumerate(headers)
    ]
    styles: dict[Light, list[str]] = {}  # a row's styles, by its light
    for number, row in enumerate(rows):
        light = lights[number] if lights else Light.NONE
        append_row(sheet, row, styles.get(light) or styles.setdefault(light, _table_styles(workbook, scheme, kinds, light)))


def print_landscape(sheet: Any) -> None:
    """How every gkplan sheet prints: A4 landscape, as wide as one page, the header row on every page."""
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # (a write-only sheet lacks the constant)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    return display_width(str(value))


def _task_sheet(sheet: Any, report: Report) -> None:
    scheme = report.settings.scheme
    rows = []
    for row in report.rows:
        task = row.task
        key: Any = task.id if not report.qualified else task.key(True)
        rows.append(
            [
                swatch(row.light, scheme).label,
                key,
                task.section,
                task.name,
                task.content,
                units_text(task.units),
                units_text(unfinished_units(row)),
                deadline_text(task),
                task.deadline.kind.label,
                row.due,
                row.status.label,
                None if row.status.finished else row.days_left,  # negative = days late
                days_text(row),
            ]
        )
    wrap = ("任务名称", "任务内容", "责任单位", "未完成单位")
    _write_table(sheet, scheme, TASK_HEADERS, rows, wrap=wrap, lights=[row.light for row in report.rows])


def _unit_sheet(sheet: Any, report: Report) -> None:
    headers = unit_headers(report)
    rows = []
    for line in report.units:
        cells: list[Any] = [swatch(line.light, report.settings.scheme).label]
        cells += [line.bureau] if report.several_bureaus else []
        cells += [line.unit, line.kind, line.tasks, line.done, line.verified, line.late, line.due_soon]
        cells += [line.stale] if report.settings.stale_weeks else []
        cells += [line.blocked] if report.headline.blocked else []
        cells.append(line.done / line.tasks if line.tasks else 0)
        rows.append(cells)
    _write_table(sheet, report.settings.scheme, headers, rows, lights=[line.light for line in report.units], percent_last=True)


def _change_sheet(sheet: Any, report: Report) -> None:
    changes = report.changes
    assert changes is not None
    q = report.qualified
    headers = ["类别", "序号", "任务名称", "单位", "原状态", "现状态", "日期", "登记人", "内容"]
    rows: list[list[Any]] = []
    for c in changes.statuses:
        rows.append(["进展", c.task.key(q), c.task.name, change_unit(c), status_label(c.before), status_label(c.after), c.date, c.by, ""])
    for n in changes.notes:
        rows.append(["说明", n.task.key(q), n.task.name, change_unit(n), "", "", n.date, n.by, n.note])
    for e in changes.edits:
        rows.append(["计划修改", e.key, e.name, "", "", "", None, "", edit_text(e)])
    _write_table(sheet, report.settings.scheme, headers, rows, wrap=("任务名称", "内容"))


def _banner_sheet(sheet: Any, banner: str) -> None:
    sheet.sheet_properties.tabColor = "B00020"
    sheet.column_dimensions["A"].width = 100
    sheet.row_dimensions[1].height = 90
    append_row(sheet, [banner], [named_style(sheet.parent, "gkplan 注意", bold=True, ink="B00020", size=14, wrap=True)])


def _about_sheet(sheet: Any, report: Report) -> None:
    lines: list[tuple[str, Any]] = [("注意", report.banner)] if report.banner else []
    lines += [
        ("报表", f"{report.title} · 例会报告"),
        ("范围", subtitle(report)),
        ("截至", report.today),
        ("规则", rules_text(report)),
    ]
    lines += [(label, int(value) if value.isdigit() else value) for label, value in headline_cells(report)]
    if report.changes is not None:
        lines.append(("上次例会以来", base_text(report.changes.history)))
    elif report.history_note:
        lines.append(("上次例会以来", report.history_note))
    lines += [("注", note) for note in report.notes]
    lines.append(("生成", "gkplan（政务公开工作要点任务跟踪）"))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
    label = named_style(sheet.parent, "gkplan 标签", bold=True)
    day = named_style(sheet.parent, "gkplan 日期值", number_format=DATE_FORMAT)
    for name, value in lines:
        append_row(sheet, [name, value], [label, day if isinstance(value, date) else None])
