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

from gkplan.model import Light
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

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the default sheet; ours are named
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


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """One row of data cells (see put_value)."""
    sheet.append([None] * len(values))
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        put_value(cell, value)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="C8CDD3")
    return {
        "header_font": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="E4E8EE"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
        "center": Alignment(horizontal="center", vertical="top"),
    }


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour)


def _write_table(sheet: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]], wrap: Sequence[str] = ()) -> None:
    """Header row (bold, frozen, filtered), then rows; widths fitted to the widest cell, in display cells."""
    from openpyxl.utils import get_column_letter

    styles = _styles()
    _append(sheet, headers)
    for cell in sheet[1]:
        cell.font = styles["header_font"]
        cell.fill = styles["header_fill"]
        cell.border = styles["border"]
        cell.alignment = styles["center"]
    for row in rows:
        _append(sheet, row)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        limit = MAX_WIDTH.get(header, DEFAULT_MAX_WIDTH)
        sheet.column_dimensions[letter].width = min(widths[index], limit) + 2
        for cell in sheet[letter][1:]:
            cell.border = styles["border"]
            cell.alignment = styles["wrap"] if header in wrap else styles["top"]
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    print_landscape(sheet)


def print_landscape(sheet: Any) -> None:
    """How every gkplan sheet prints: A4 landscape, as wide as one page, the header row on every page."""
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    return display_width(str(value))


def _paint(sheet: Any, row_number: int, light: Light, report: Report, columns: int) -> None:
    """A light colours its whole row (fill and text), and its word stays in the 灯 column."""
    from openpyxl.styles import Font

    if light is Light.NONE:
        return
    look = swatch(light, report.settings.scheme)
    fill = _fill(look.fill)
    for column in range(1, columns + 1):
        cell = sheet.cell(row=row_number, column=column)
        cell.fill = fill
    sheet.cell(row=row_number, column=1).font = Font(bold=True, color=look.ink)


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
    _write_table(sheet, TASK_HEADERS, rows, wrap=("任务名称", "任务内容", "责任单位", "未完成单位"))
    for index, row in enumerate(report.rows, start=2):
        _paint(sheet, index, row.light, report, len(TASK_HEADERS))


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
    _write_table(sheet, headers, rows)
    for index, line in enumerate(report.units, start=2):
        sheet.cell(row=index, column=len(headers)).number_format = PERCENT_FORMAT
        _paint(sheet, index, line.light, report, len(headers))


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
    _write_table(sheet, headers, rows, wrap=("任务名称", "内容"))


def _banner_sheet(sheet: Any, banner: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.sheet_properties.tabColor = "B00020"
    sheet["A1"] = banner
    sheet["A1"].font = Font(bold=True, color="B00020", size=14)
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100
    sheet.row_dimensions[1].height = 90


def _about_sheet(sheet: Any, report: Report) -> None:
    from openpyxl.styles import Font

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
    for label, value in lines:
        _append(sheet, [label, value])
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
    for cell in sheet["B"]:
        if isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
