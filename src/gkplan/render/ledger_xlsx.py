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

from gkplan.ledger import HEADERS, SHEET_TITLE, STATUS_CHOICES, Ledger, stamp_cells
from gkplan.model import META_SHEET, Light, Scheme
from gkplan.render.grid import display_width
from gkplan.render.palette import swatch
from gkplan.render.report_xlsx import DATE_FORMAT, append_row, named_style, print_landscape
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

    # Write-only: rows go to a temporary file as they are added (all units of 20,000 tasks make
    # ~650,000 rows); each sheet's layout is set before its rows, the hidden gkplan sheet last.
    workbook = Workbook(write_only=True)
    titles = [SHEET_TITLE if len(ledgers) == 1 else sheet_title(ledger.unit) for ledger in ledgers]
    for title, ledger in zip(titles, ledgers, strict=True):
        _ledger_sheet(workbook.create_sheet(title), ledger, scheme)
    meta = workbook.create_sheet(META_SHEET)  # last: the first sheet is the one a unit sees
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    append_row(meta, ["工作表", "gkplan collect 用来核对的信息，请勿修改"])
    for title, ledger in zip(titles, ledgers, strict=True):
        append_row(meta, [title, *stamp_cells(ledger)])
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


def _column_styles(workbook: Any, scheme: Scheme, light: Light) -> list[str]:
    """A ledger row's cell styles: 新状态, 完成日期 and 说明 unlocked on white (the unit fills them
    in), the others locked, in the row's light when it is late or due soon."""
    look = swatch(light, scheme) if light in PAINTED else None
    styles = []
    for header in HEADERS:
        editable = header in ("新状态", "完成日期", "说明")
        number_format = DATE_FORMAT if header in ("截止日期", "完成日期") else "@" if header in ("新状态", "说明") else "General"
        fill = "FFFFFF" if editable else look.fill if look else None
        name = f"gkplan 台账 {header}" + ("" if editable or look is None else f" {light.value}")
        # "@" (text): Excel keeps a typed 「10-9 已报送」 as typed, not as a date
        styles.append(
            named_style(workbook, name, border=True, wrap=header in WRAP, number_format=number_format, fill=fill, locked=not editable)
        )
    return styles


def _ledger_sheet(sheet: Any, ledger: Ledger, scheme: Scheme) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = sheet.parent
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[header]
    last = len(ledger.rows) + 1
    stamp_row = last + 1
    sheet.freeze_panes = "B2"
    print_landscape(sheet)
    sheet.print_area = f"A1:I{last}"
    sheet.oddHeader.center.text = f"{ledger.plan.title} · 进展台账 · {ledger.unit}".replace("&", "&&")
    sheet.oddFooter.center.text = f"导出日期 {ledger.exported.isoformat()}　第 &P 页，共 &N 页"
    header = named_style(
        workbook, "gkplan 台账表头", bold=True, fill="E4E8EE", border=True, horizontal="center", vertical="center", wrap=True
    )
    append_row(sheet, HEADERS, [header] * len(HEADERS))
    styles: dict[Light, list[str]] = {}  # a row's styles, by its light
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
        sheet.row_dimensions[number].height = max(30, 15 * min(8, 1 + display_width(task.content) // (2 * WIDTHS["任务内容"])))
        append_row(sheet, values, styles.get(row.light) or styles.setdefault(row.light, _column_styles(workbook, scheme, row.light)))
    sheet.row_dimensions[stamp_row].hidden = True
    append_row(sheet, stamp_cells(ledger))
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
        sheet.data_validations.append(choices)
        sheet.data_validations.append(days)
    # Sheet protection without a password: formatting and resizing stay allowed, only locked cells are fixed.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False
