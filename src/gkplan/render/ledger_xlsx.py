"""The 台账 a unit fills in (``gkplan ledger``), as an Excel workbook.

One sheet per unit (「进展登记」 when there is one unit), the nine columns of
``ledger.HEADERS``. Only 新状态 (a drop-down), 完成日期 (a date check) and 说明 are
unlocked; the sheet is protected without a password, so nobody is ever locked out.
Late rows are red and due-soon rows yellow in the office's colours (``settings.swatch``).
The stamp ``collect`` needs is kept twice, out of the way: in the hidden sheet
``gkplan`` (one row per ledger sheet) and in a hidden last row of the sheet itself,
which is what survives when a unit saves the sheet as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gkplan.ledger import HEADERS, SHEET_TITLE, STATUS_CHOICES, Ledger, stamp_text
from gkplan.model import META_SHEET, Light, Scheme
from gkplan.render.grid import display_width
from gkplan.render.palette import swatch
from gkplan.render.report_xlsx import DATE_FORMAT, print_landscape, put_value
from gkplan.render.wording import deadline_text

WIDTHS = {
    "序号": 6,
    "任务名称": 22,
    "任务内容": 48,
    "时间节点": 14,
    "截止日期": 12,
    "当前状态": 10,
    "新状态": 10,
    "完成日期": 13,
    "说明": 36,
}
WRAP = ("任务名称", "任务内容", "时间节点", "说明")
PAINTED = (Light.RED, Light.YELLOW)
_SHEET_NAME_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def render_ledgers(ledgers: Sequence[Ledger], scheme: Scheme = Scheme.RED_YELLOW_GREEN) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    meta = workbook.create_sheet(META_SHEET)
    put_value(meta.cell(row=1, column=1), "工作表")
    put_value(meta.cell(row=1, column=2), "gkplan collect 用来核对的信息，请勿修改")
    for number, ledger in enumerate(ledgers, start=2):
        title = SHEET_TITLE if len(ledgers) == 1 else sheet_title(ledger.unit)
        _ledger_sheet(workbook.create_sheet(title), ledger, scheme)
        put_value(meta.cell(row=number, column=1), title)
        put_value(meta.cell(row=number, column=2), stamp_text(ledger))
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    workbook.move_sheet(meta, offset=len(ledgers))  # last: the first sheet is the one a unit sees
    workbook.active = 0
    first = ledgers[0]
    units = "、".join(ledger.unit for ledger in ledgers)
    stamp = datetime.combine(first.exported, datetime.min.time())
    workbook.properties.creator = "gkplan"
    workbook.properties.title = f"{first.plan.title} · 进展台账 · {units}"
    workbook.properties.subject = "gkplan 台账"
    workbook.properties.keywords = f"gkplan-ledger plan={first.plan.id}"
    workbook.properties.description = f"计划 {first.plan.id}；单位 {units}；导出日期 {first.exported.isoformat()}"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(unit: str) -> str:
    """A unit's name as a sheet title (Excel: at most 31 characters, none of []:*?/\\)."""
    return unit.translate(_SHEET_NAME_BAD)[:31] or "单位"


def _ledger_sheet(sheet: Any, ledger: Ledger, scheme: Scheme) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="C8CDD3")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="E4E8EE")
    editable_fill = PatternFill("solid", fgColor="FFFFFF")
    unlocked = Protection(locked=False)
    for index, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        put_value(cell, header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[header]
    for number, entry in enumerate(ledger.rows, start=2):
        row, task = entry.row, entry.row.task
        values = [
            task.id,
            task.name,
            task.content,
            deadline_text(task),
            row.due,
            task.unit_status(ledger.unit).label,
            None,
            None,
            entry.snapshot.note or None,
        ]
        fill = PatternFill("solid", fgColor=swatch(row.light, scheme).fill) if row.light in PAINTED else None
        for index, (header, value) in enumerate(zip(HEADERS, values, strict=True), start=1):
            cell = sheet.cell(row=number, column=index)
            put_value(cell, value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=header in WRAP)
            if header in ("截止日期", "完成日期"):
                cell.number_format = DATE_FORMAT
            elif header in ("新状态", "说明"):
                cell.number_format = "@"  # text: Excel keeps a typed 「10-9 已报送」 as typed, not as a date
            if header in ("新状态", "完成日期", "说明"):
                cell.protection = unlocked
                cell.fill = editable_fill
            elif fill is not None:
                cell.fill = fill
        sheet.row_dimensions[number].height = max(30, 15 * min(8, 1 + display_width(task.content) // (2 * WIDTHS["任务内容"])))
    last = len(ledger.rows) + 1
    stamp_row = last + 1
    put_value(sheet.cell(row=stamp_row, column=1), stamp_text(ledger))
    sheet.row_dimensions[stamp_row].hidden = True
    if ledger.rows:
        choices = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUS_CHOICES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="新状态",
            error="请从下拉列表选择：" + "、".join(STATUS_CHOICES) + "；不变请留空",
            showInputMessage=True,
            promptTitle="新状态",
            prompt="有变化时选择；不变请留空",
        )
        choices.add(f"G2:G{last}")
        days = DataValidation(
            type="date",
            operator="between",
            formula1=f"DATE({ledger.plan.year},1,1)",
            formula2=f"DATE({ledger.plan.year + 1},12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="完成日期",
            error="请填写日期，如 2022-10-09",
            showInputMessage=True,
            promptTitle="完成日期",
            prompt="新状态为「已完成」时必填，如 2022-10-09",
        )
        days.add(f"H2:H{last}")
        sheet.add_data_validation(choices)
        sheet.add_data_validation(days)
    sheet.freeze_panes = "B2"
    print_landscape(sheet)
    sheet.print_area = f"A1:I{last}"
    sheet.oddHeader.center.text = f"{ledger.plan.title} · 进展台账 · {ledger.unit}".replace("&", "&&")
    sheet.oddFooter.center.text = f"导出日期 {ledger.exported.isoformat()}　第 &P 页，共 &N 页"
    # Sheet protection without a password: formatting and resizing stay allowed, only locked cells are fixed.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False
