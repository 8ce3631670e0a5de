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

    # Write-only: rows go to a temporary file as they are added, so 20,000 tasks' 260,000 cells are
    # never all in memory (206 -> ~90 MB); a sheet's layout is therefore set before its rows.
    workbook = Workbook(write_only=True)
    styles = _CellStyles(workbook, report)
    if report.banner:  # first and open: whoever opens the file sees it before any number
        _banner_sheet(workbook.create_sheet("数据有错误"), styles, report.banner)
    _task_sheet(workbook.create_sheet("任务"), styles, report)  # every task in scope, to filter; then the sections that are tables
    for section in report.sections:
        if section is ReportSection.UNITS:
            _unit_sheet(workbook.create_sheet(section_title(report, section)), styles, report)
        elif section is ReportSection.CHANGES and report.changes is not None and not report.changes.empty:
            _change_sheet(workbook.create_sheet("变化"), styles, report)
    _about_sheet(workbook.create_sheet("说明"), styles, report)
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


def _append(sheet: Any, values: Sequence[Any], styles: Sequence[str | None]) -> None:
    """One row of data cells (see put_value), each with its named style (``None``: the default)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value, style in zip(values, styles, strict=True):
        cell = WriteOnlyCell(sheet)
        put_value(cell, value)
        if style is not None:
            cell.style = style
        cells.append(cell)
    sheet.append(cells)


class _CellStyles:
    """The workbook's cell styles, each made once and named: a cell takes one by name (a copy of its
    ids). Setting border, alignment, fill and font cell by cell hashed each style object again:
    with the old row look-up, a report of 20,000 tasks took 257 s to write."""

    def __init__(self, workbook: Any, report: Report) -> None:
        self.workbook = workbook
        self.scheme = report.settings.scheme
        self.made: set[str] = set(workbook.named_styles)

    def header(self) -> str:
        return self._style("gkplan 表头", header=True)

    def label(self) -> str:
        return self._style("gkplan 标签", kind="标签")

    def banner(self) -> str:
        return self._style("gkplan 注意", kind="注意")

    def date(self) -> str:
        return self._style("gkplan 日期值", kind="日期值")

    def cell(self, value: Any, *, wrap: bool = False, percent: bool = False, light: Light = Light.NONE, first: bool = False) -> str:
        """A data cell's style: its layout, a real date's format, and its row's light (fill; the
        灯 column also bold in the light's ink)."""
        kind = "日期" if isinstance(value, date) else "百分比" if percent else "换行" if wrap else "顶端"
        lit = "" if light is Light.NONE else f" {light.value}{' 灯' if first else ''}"
        return self._style(f"gkplan {kind}{lit}", kind=kind, light=light, first=first)

    def _style(self, name: str, *, header: bool = False, kind: str = "", light: Light = Light.NONE, first: bool = False) -> str:
        if name in self.made:
            return name
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

        if kind in ("标签", "注意", "日期值"):  # the 说明 sheet's labels and dates; the banner of data with errors
            style = NamedStyle(name=name)
            if kind == "日期值":
                style.number_format = DATE_FORMAT
            else:
                style.font = Font(bold=True) if kind == "标签" else Font(bold=True, color="B00020", size=14)
                style.alignment = Alignment(wrap_text=kind == "注意", vertical="top")
            self.workbook.add_named_style(style)
            self.made.add(name)
            return name
        thin = Side(style="thin", color="C8CDD3")
        style = NamedStyle(name=name, border=Border(left=thin, right=thin, top=thin, bottom=thin))
        if header:
            style.font = Font(bold=True)
            style.fill = PatternFill("solid", fgColor="E4E8EE")
            style.alignment = Alignment(horizontal="center", vertical="top")
        else:
            style.alignment = Alignment(wrap_text=kind == "换行", vertical="top")
            style.number_format = {"日期": DATE_FORMAT, "百分比": PERCENT_FORMAT}.get(kind, "General")
        if light is not Light.NONE:
            look = swatch(light, self.scheme)
            style.fill = PatternFill("solid", fgColor=look.fill)
            if first:
                style.font = Font(bold=True, color=look.ink)
        self.workbook.add_named_style(style)
        self.made.add(name)
        return name


def _write_table(
    sheet: Any,
    styles: _CellStyles,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wrap: Sequence[str] = (),
    lights: Sequence[Light] = (),
    percent_last: bool = False,
) -> None:
    """Header row (bold, frozen, filtered), then rows (each in its light, when ``lights`` gives
    them); widths fitted to the widest cell, in display cells."""
    from openpyxl.utils import get_column_letter

    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
    for index, header in enumerate(headers):
        limit = MAX_WIDTH.get(header, DEFAULT_MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widths[index], limit) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    _append(sheet, headers, [styles.header()] * len(headers))
    wrapped = [header in wrap for header in headers]
    last = len(headers) - 1
    for number, row in enumerate(rows):
        light = lights[number] if lights else Light.NONE
        looks = [
            styles.cell(value, wrap=wrapped[index], percent=percent_last and index == last, light=light, first=index == 0)
            for index, value in enumerate(row)
        ]
        _append(sheet, row, looks)
    print_landscape(sheet)


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


def _task_sheet(sheet: Any, styles: _CellStyles, report: Report) -> None:
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
    _write_table(sheet, styles, TASK_HEADERS, rows, wrap=wrap, lights=[row.light for row in report.rows])


def _unit_sheet(sheet: Any, styles: _CellStyles, report: Report) -> None:
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
    _write_table(sheet, styles, headers, rows, lights=[line.light for line in report.units], percent_last=True)


def _change_sheet(sheet: Any, styles: _CellStyles, report: Report) -> None:
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
    _write_table(sheet, styles, headers, rows, wrap=("任务名称", "内容"))


def _banner_sheet(sheet: Any, styles: _CellStyles, banner: str) -> None:
    sheet.sheet_properties.tabColor = "B00020"
    sheet.column_dimensions["A"].width = 100
    sheet.row_dimensions[1].height = 90
    _append(sheet, [banner], [styles.banner()])


def _about_sheet(sheet: Any, styles: _CellStyles, report: Report) -> None:
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
    for label, value in lines:
        _append(sheet, [label, value], [styles.label(), styles.date() if isinstance(value, date) else None])
