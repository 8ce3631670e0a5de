"""`gkplan import` / `gkplan init`: real-looking Word, Excel and CSV tables become plan YAML.

Every input file is built here with python-docx, openpyxl or csv, in the layouts bureaus
really use: title rows above the header, merged name cells, units split by 、，; and line
breaks, synonyms for the column names, 序号 not in the first column, 牵头单位 + 配合单位,
a row broken by a page break, CSV in UTF-8, UTF-8 with BOM and GB18030.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from gkplan.cli import app
from gkplan.errors import DataError, UsageError
from gkplan.importer import ImportResult, clean_text, header_field, import_tables, split_units
from gkplan.store import load_workspace
from gkplan.store.tables import read_tables
from tests.conftest import REPO, SHIPPED_DATA, Runner

FIXTURES = REPO / "tests" / "fixtures"
SEED_CSV = FIXTURES / "seed-table.csv"
KNOWN = (
    "局办公室",
    "办公室",
    "就业培训科",
    "人才开发科",
    "就业促进中心",
    "人才服务中心",
    "高服中心",
    "社会保障服务中心",
    "局机关各科室",
    "局属各单位",
)

Rows = Sequence[Sequence[Any]]


# --- building input files ---------------------------------------------------------------------


def make_docx(
    path: Path,
    tables: Sequence[Rows],
    *,
    paragraphs: Sequence[str] = (),
    merges: Sequence[tuple[int, int, int, int, int]] = (),
) -> Path:
    """Paragraphs, then tables (a page break between them); merges: (table, r1, c1, r2, c2)."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for index, rows in enumerate(tables):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = str(value)
        for t, r1, c1, r2, c2 in merges:
            if t == index:
                text = table.cell(r1, c1).text
                table.cell(r1, c1).merge(table.cell(r2, c2)).text = text
    document.save(str(path))
    return path


def make_xlsx(
    path: Path,
    rows: Rows,
    *,
    merges: Sequence[str] = (),
    hidden_rows: Sequence[int] = (),
    hidden_columns: Sequence[str] = (),
    sheets_before: Sequence[str] = (),
) -> Path:
    """One sheet (after some unrelated ones); merged ranges keep only their top-left value, as in Excel."""
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    for name in sheets_before:
        sheet = workbook.create_sheet(name)
        sheet.append(["说明", "本工作簿由办公室维护"])
    sheet = first
    sheet.title = "任务分解表"
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    for cells in merges:
        top_left = sheet[cells.split(":")[0]].value
        for line in sheet[cells]:
            for cell in line:
                cell.value = None
        sheet[cells.split(":")[0]].value = top_left
        sheet.merge_cells(cells)
    for number in hidden_rows:
        sheet.row_dimensions[number].hidden = True
    for letter in hidden_columns:
        sheet.column_dimensions[letter].hidden = True
    workbook.move_sheet(sheet, offset=len(sheets_before))
    workbook.save(str(path))
    return path


def make_csv(path: Path, rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_import(path: Path, *, known: Sequence[str] = KNOWN, **options: Any) -> ImportResult:
    return import_tables(read_tables(path), shown=path.name, known_units=known, **options)


def as_dicts(result: ImportResult) -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name, "content": t.content, "units": list(t.units), "deadline": t.deadline} for t in result.tasks]


# A next-year table the way a bureau writes it in Word: title rows inside the table, the 序号
# in the second column, synonyms for every header, wrapped header cells, merged 重点任务 cells.
WORD_TABLE: list[list[str]] = [
    ["2023年嘉定区人力资源和社会保障局政务公开工作要点任务分解表"] * 6,
    ["重点任务", "编号", "具体措施", "牵头\n单位", "配合单位", "完成\n时限"],
    ["深化政策解读", "1", "开展政策\n解读工作。", "局办公室", "就业培训科、人才开发科", "6月底前"],
    ["深化政策解读", "2", "做好 解读 材料 的发布。", "就业促进中\n心", "", "全年"],
    ["优化平台建设", "3", "更新门户网站专栏，", "局机关各科室；局属各单位", "", "按上级部署"],
    ["优化平台建设", "", "确保数据同源。", "", "", ""],
]


def word_file(tmp_path: Path) -> Path:
    return make_docx(
        tmp_path / "2023.docx",
        [WORD_TABLE],
        paragraphs=["关于印发工作要点的通知", "附件"],
        merges=[(0, 0, 0, 0, 5), (0, 2, 0, 3, 0), (0, 4, 0, 5, 0)],
    )


# --- cell text and units ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean", "why"),
    [
        ("通过市政务公开平台开展OA\n公文和主动公开公文", "通过市政务公开平台开展OA公文和主动公开公文", "wrap after Latin"),
        ("照区政府统一部署，在 8月\n全市政府开放月期间", "照区政府统一部署，在 8月全市政府开放月期间", "digit spaces kept"),
        ("9 月底\n前", "9 月底前", "deadline wrapped"),
        ("年内至少 1 次向主要领导进行工\n作汇报。", "年内至少 1 次向主要领导进行工作汇报。", "spaces around digits kept"),
        ("做好 解读 材料", "做好解读材料", "stray spaces between Chinese"),
        ("政务\u3000公开\u200b工作", "政务公开工作", "ideographic space and zero-width space"),
        ("policy\ndocument", "policy document", "Latin words keep a space"),
        ("  前后空白  \r\n", "前后空白", "CRLF and edges"),
        ("“依申\n请转主动公开”栏目", "“依申请转主动公开”栏目", "Chinese quotes"),
    ],
)
def test_clean_text(raw: str, clean: str, why: str) -> None:
    assert clean_text(raw) == clean, why


@pytest.mark.parametrize(
    ("cell", "known", "lead", "support"),
    [
        ("局机关各科\n室、局属各\n单位", (), ["局机关各科室", "局属各单位"], []),
        (
            "就业培训科\n人才开发科\n就业促进中\n心\n人才服务中\n心\n高服中心",
            (),
            ["就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心"],
            [],
        ),
        ("就业培训科\n就业促进中\n心\n社会保障服\n务中心", (), ["就业培训科", "就业促进中心", "社会保障服务中心"], []),
        (
            "局办公室，就业培训科,人才开发科；高服中心;局属各单位",
            (),
            ["局办公室", "就业培训科", "人才开发科", "高服中心", "局属各单位"],
            [],
        ),
        ("局办\n公室\n就业培训科", KNOWN, ["局办公室", "就业培训科"], []),
        ("局办公室（牵头）、就业培训科（配合）", (), ["局办公室"], ["就业培训科"]),
        ("局办公室、局办公室", (), ["局办公室"], []),
        ("区财政局\n区税务局", (), ["区财政局", "区税务局"], []),
        ("", (), [], []),
    ],
)
def test_split_units(cell: str, known: tuple[str, ...], lead: list[str], support: list[str]) -> None:
    assert split_units(cell, known) == (lead, support)


@given(st.text(alphabet=st.sampled_from("政务公开工作，。、“” \n\u3000ab12"), max_size=40))
def test_clean_text_is_one_clean_line(raw: str) -> None:
    clean = clean_text(raw)
    assert "\n" not in clean
    assert clean == clean.strip()
    assert clean_text(clean) == clean
    assert not re.search("[政务公开工作，。、“”] +[政务公开工作，。、“”]", clean)


@given(
    st.lists(st.sampled_from(KNOWN), min_size=1, max_size=6, unique=True).flatmap(
        lambda names: st.tuples(
            st.just(names),
            st.lists(st.sampled_from(["、", "，", ",", "；", ";", "\n", "、\n"]), min_size=len(names), max_size=len(names)),
            st.lists(st.integers(min_value=0, max_value=8), min_size=len(names), max_size=len(names)),
        )
    )
)
def test_wrapped_known_units_are_split_and_rejoined(case: tuple[list[str], list[str], list[int]]) -> None:
    """Known names joined by any separator, each possibly broken by a line wrap, come back whole."""
    names, separators, breaks = case
    parts = []
    for name, separator, at in zip(names, separators, breaks, strict=True):
        if 0 < at < len(name):
            name = name[:at] + "\n" + name[at:]
        parts.append(name + separator)
    assert split_units("".join(parts), KNOWN) == (names, [])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("序号", "id"),
        ("序\n号", "id"),
        ("编 号", "id"),
        ("任务名称", "name"),
        ("工作任务", "name"),
        ("重点任务", "name"),
        ("任务内容", "content"),
        ("具体任务", "content"),
        ("工作措施", "content"),
        ("具体要求", "content"),
        ("责任单位", "lead"),
        ("牵头单位", "lead"),
        ("责任科室", "lead"),
        ("责任单位（牵头）", "lead"),
        ("配合单位", "support"),
        ("协办单位", "support"),
        ("时间节\n点", "deadline"),
        ("完成时限", "deadline"),
        ("时限要求", "deadline"),
        ("进度安排", "deadline"),
        ("备注", "note"),
        ("2022年嘉定区人力资源和社会保障局政务公开工作要点任务分解表", None),
        ("局办公室", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert header_field(header) == field


# --- Word -------------------------------------------------------------------------------------


def test_word_table_with_title_rows_merged_names_and_lead_and_support_units(tmp_path: Path) -> None:
    result = run_import(word_file(tmp_path))
    assert result.plan.year == 2023
    assert result.plan.title == "2023年嘉定区人力资源和社会保障局政务公开工作要点"
    assert result.headers == {
        "name": "重点任务",
        "id": "编号",
        "content": "具体措施",
        "lead": "牵头单位",
        "support": "配合单位",
        "deadline": "完成时限",
    }
    assert as_dicts(result) == [
        {
            "id": 1,
            "name": "深化政策解读",
            "content": "开展政策解读工作。",
            "units": ["局办公室", "就业培训科", "人才开发科"],
            "deadline": "6月底前",
        },
        {"id": 2, "name": "深化政策解读", "content": "做好解读材料的发布。", "units": ["就业促进中心"], "deadline": "全年"},
        {
            "id": 3,
            "name": "优化平台建设",
            "content": "更新门户网站专栏，确保数据同源。",
            "units": ["局机关各科室", "局属各单位"],
            "deadline": "按上级部署",
        },
    ]
    assert result.tasks[0].support == ("就业培训科", "人才开发科")
    assert result.rows_read == 4
    assert result.continuation_rows == 1


def test_word_table_split_across_pages_with_repeated_or_missing_header(tmp_path: Path) -> None:
    header = ["序号", "工作任务", "工作内容", "责任部门", "时间要求"]
    part1 = [header, ["1", "任务甲", "内容一", "局办公室", "全年"], ["2", "任务乙", "内容二的前半，", "就业培训科", "9月底前"]]
    part2 = [header, ["", "", "内容二的后半。", "", ""], ["3", "任务丙", "内容三", "高服中心", "8 月"]]
    part3 = [["4", "任务丁", "内容四", "人才开发科", "全年"]]
    other = [["序号", "联系人", "电话"], ["1", "张三", "123"]]
    path = make_docx(tmp_path / "split.docx", [part1, part2, part3, other], paragraphs=["2024年工作要点任务分解表"])
    result = run_import(path)
    assert [t.id for t in result.tasks] == [1, 2, 3, 4]
    assert result.tasks[1].content == "内容二的前半，内容二的后半。"
    assert result.tasks[1].units == ("就业培训科",)
    assert result.repeated_headers == 1
    assert result.continuation_rows == 1
    assert result.tables_used == 3
    assert result.plan.year == 2024


def test_word_title_from_the_paragraphs_above_the_table(tmp_path: Path) -> None:
    """Like the seed: the notice's body, 附件, then a two-line title, then the table."""
    paragraphs = [
        "嘉人社发〔2023〕5号",
        "现将《2023 年工作要点》印发给你们，请认真贯彻落实。",
        "附件：2023 年嘉定区人力资源和社会保障局政务公开工作要点任务分解表",
        "附件",
        "2023 年嘉定区人力资源和社会保障局",
        "政务公开工作要点任务分解表",
    ]
    rows = [["序\n号", "任务名称", "任务内容", "责任单位", "时间节\n点"], ["1", "甲", "内容", "局办公室", "全年"]]
    result = run_import(make_docx(tmp_path / "notice.docx", [rows], paragraphs=paragraphs))
    assert result.plan.title == "2023 年嘉定区人力资源和社会保障局政务公开工作要点"
    assert result.plan.year == 2023


def test_word_picks_the_task_table_among_others(tmp_path: Path) -> None:
    contacts = [["单位", "联系人"], ["局办公室", "张三"]]
    tasks = [["序号", "任务名称", "任务内容", "责任单位", "时间节点"], ["1", "甲", "内容", "局办公室", "全年"]]
    path = make_docx(tmp_path / "two.docx", [contacts, tasks])
    result = run_import(path, year=2023)
    assert result.table_where == "第 2 个表格"
    assert [t.name for t in result.tasks] == ["甲"]


def test_section_heading_rows_become_sections(tmp_path: Path) -> None:
    rows = [
        ["序号", "任务名称", "任务内容", "责任单位", "时间节点"],
        ["一、进一步优化政务公开基础工作"] * 5,
        ["（一）强化公文公开"] * 5,
        ["1", "公文备案", "备案工作", "局办公室", "全年"],
        ["（二）依申请公开"] * 5,
        ["2", "依申请答复", "答复工作", "局机关各科室", "全年"],
        ["二、进一步提升服务效能"] * 5,
        ["3", "政策解读", "解读工作", "局属各单位", "全年"],
    ]
    result = run_import(make_docx(tmp_path / "sections.docx", [rows]), year=2023)
    assert [(s.code, s.title) for s in result.plan.sections] == [
        ("一", "进一步优化政务公开基础工作"),
        ("一（一）", "强化公文公开"),
        ("一（二）", "依申请公开"),
        ("二", "进一步提升服务效能"),
    ]
    assert [t.section for t in result.tasks] == ["一（一）", "一（二）", "二"]
    assert result.section_rows == 4


# --- Excel ------------------------------------------------------------------------------------


def excel_rows() -> list[list[Any]]:
    return [
        ["2023年政务公开工作要点任务分解表", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["序\n号", "工作任务", "具体任务", "责任单位", "", "时间节\n点"],
        ["", "", "", "牵头单位", "配合单位", ""],
        [1.0, "多元化开展政策解读", "落实“三同步”\n工作机制。", "局办公室", "就业培训科\n人才开发科", "全年"],
        [2.0, "", "综合选用 解读 形式。", "局机关各科\n室、局属各\n单位", "", "10月中旬"],
        ["（隐藏行）", "不应导入", "", "", "", ""],
        [3.0, "回应社会关切", "在规定时限内答复。", "局办公室", "", "9 月底前"],
        ["", "", "提高答复质量。", "", "", ""],
    ]


def test_excel_merged_cells_two_row_header_and_hidden_rows(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "plan.xlsx",
        excel_rows(),
        merges=["A1:F1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "B5:B6"],
        hidden_rows=[7],
        sheets_before=["说明"],
    )
    result = run_import(path)
    assert result.table_where == "工作表「任务分解表」"
    assert result.header_line == 4
    assert result.plan.year == 2023
    assert as_dicts(result) == [
        {
            "id": 1,
            "name": "多元化开展政策解读",
            "content": "落实“三同步”工作机制。",
            "units": ["局办公室", "就业培训科", "人才开发科"],
            "deadline": "全年",
        },
        {
            "id": 2,
            "name": "多元化开展政策解读",
            "content": "综合选用解读形式。",
            "units": ["局机关各科室", "局属各单位"],
            "deadline": "10月中旬",
        },
        {"id": 3, "name": "回应社会关切", "content": "在规定时限内答复。提高答复质量。", "units": ["局办公室"], "deadline": "9 月底前"},
    ]
    assert result.tasks[0].support == ("就业培训科", "人才开发科")
    assert result.continuation_rows == 1


def test_excel_dates_and_hidden_columns(tmp_path: Path) -> None:
    from datetime import datetime

    rows = [
        ["序号", "内部编码", "任务名称", "责任单位", "完成时间"],
        [1, "X-1", "任务甲", "局办公室", datetime(2023, 6, 30)],
    ]
    path = make_xlsx(tmp_path / "dates.xlsx", rows, hidden_columns=["B"])
    result = run_import(path, year=2023)
    assert as_dicts(result) == [{"id": 1, "name": "任务甲", "content": "任务甲", "units": ["局办公室"], "deadline": "2023年6月30日"}]


# --- CSV --------------------------------------------------------------------------------------

CSV_ROWS = [
    ["2023年政务公开工作要点任务分解表", "", "", "", ""],
    ["任务名称", "任务内容", "序号", "责任科室", "完成时限"],
    ["政策解读", "开展解读，\n做好发布。", "1", "局办公室、就业培训科", "6月底前"],
    ["", "加强宣传。", "2", "局机关各科室;局属各单位", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = make_csv(tmp_path / "plan.csv", CSV_ROWS, encoding=encoding, delimiter=delimiter)
    result = run_import(path)
    assert as_dicts(result) == [
        {"id": 1, "name": "政策解读", "content": "开展解读，做好发布。", "units": ["局办公室", "就业培训科"], "deadline": "6月底前"},
        {"id": 2, "name": "政策解读", "content": "加强宣传。", "units": ["局机关各科室", "局属各单位"], "deadline": None},
    ]
    assert result.plan.year == 2023


def test_csv_without_a_title_needs_the_year(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "plan.csv", CSV_ROWS[1:])
    with pytest.raises(UsageError, match="年份") as caught:
        run_import(path)
    assert "--year" in caught.value.hint
    assert run_import(path, year=2025).plan.year == 2025


def test_restarted_numbering_is_renumbered_and_said(tmp_path: Path) -> None:
    rows = [["序号", "任务", "责任单位"], ["1", "甲", "局办公室"], ["2", "乙", "局办公室"], ["1", "丙", "高服中心"]]
    result = run_import(make_csv(tmp_path / "plan.csv", rows), year=2023)
    assert [t.id for t in result.tasks] == [1, 2, 3]
    assert any("重新编号" in note or "连续编号" in note for note in result.notes)


# --- the seed's own table ---------------------------------------------------------------------


def shipped_tasks() -> list[dict[str, Any]]:
    tasks = yaml.safe_load((SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8"))["tasks"]
    return [{k: v for k, v in task.items() if k != "section"} for task in tasks]


@pytest.mark.parametrize("known", [KNOWN, ()], ids=["with-units-yaml", "without-units-yaml"])
def test_seed_table_csv_reproduces_the_shipped_tasks(known: Sequence[str]) -> None:
    """The seed's 任务分解表 as Excel exports it (PDF line breaks in the cells, merged names empty
    below their first row, row 15's 时间节点 empty) gives the shipped tasks exactly."""
    result = run_import(SEED_CSV, known=known)
    assert as_dicts(result) == shipped_tasks()
    assert result.rows_read == 32
    assert result.continuation_rows == 0
    assert result.plan.year == 2022
    assert result.plan.title == "2022 年嘉定区人力资源和社会保障局政务公开工作要点"


def test_clean_export_of_the_shipped_tasks_round_trips(tmp_path: Path) -> None:
    """The shipped tasks written as a tidy table (names merged, units joined with 、) come back."""
    rows: list[list[str]] = [["序号", "任务名称", "任务内容", "责任单位", "时间节点"]]
    previous = None
    for task in shipped_tasks():
        rows.append(
            [
                str(task["id"]),
                "" if task["name"] == previous else task["name"],
                task["content"],
                "、".join(task["units"]),
                task["deadline"] or "",
            ]
        )
        previous = task["name"]
    result = run_import(make_csv(tmp_path / "tidy.csv", rows, encoding="gb18030"), known=(), year=2022)
    assert as_dicts(result) == shipped_tasks()


# --- refusals ---------------------------------------------------------------------------------


def test_refuses_a_docx_that_is_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_text("序号,任务\n1,甲\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\.docx，但内容是纯文本") as caught:
        read_tables(path)
    assert ".csv" in caught.value.hint


def test_refuses_an_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "plan.xlsx", CSV_ROWS)
    with pytest.raises(DataError, match=r"\.xlsx，但内容是纯文本"):
        read_tables(path)


def test_refuses_a_docx_that_is_an_excel_workbook(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "plan.xlsx", excel_rows())
    renamed = path.rename(tmp_path / "plan.docx")
    with pytest.raises(DataError, match="Excel 工作簿") as caught:
        read_tables(renamed)
    assert ".xlsx" in caught.value.hint


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "另存为 .docx"),
        ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "另存为 .xlsx"),
        ("plan.pdf", b"%PDF-1.7", "PDF"),
        ("plan.numbers", b"x", "能导入"),
    ],
)
def test_refuses_formats_it_cannot_read(tmp_path: Path, name: str, content: bytes, said: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match="不支持的文件类型") as caught:
        read_tables(path)
    assert said in caught.value.hint


def test_refuses_a_password_protected_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)  # encrypted Office files are OLE2
    with pytest.raises(DataError, match=r"旧版 Office 文件.*或加密"):
        read_tables(path)


def test_refuses_a_csv_in_an_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes("序号,任务\n".encode() + b"\xff\xfe\xff\x80\n")
    with pytest.raises(DataError, match="无法识别文件编码"):
        read_tables(path)


def test_refuses_a_file_without_a_table(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "notice.docx"
    document = docx.Document()
    document.add_paragraph("关于印发工作要点的通知")
    document.save(str(path))
    with pytest.raises(DataError, match="没有表格"):
        import_tables(read_tables(path), shown=path.name)


def test_refuses_a_table_without_a_recognisable_header_and_says_what_it_saw(tmp_path: Path) -> None:
    rows = [["姓名", "电话", "科室"], ["张三", "123", "局办公室"]]
    path = make_csv(tmp_path / "contacts.csv", rows)
    with pytest.raises(DataError, match="找不到任务表的表头") as caught:
        import_tables(read_tables(path), shown=path.name)
    assert "「姓名、电话、科室」" in caught.value.message
    assert "任务名称：" in caught.value.hint
    assert "工作措施" in caught.value.hint


def test_refuses_a_task_table_without_units_or_deadlines(tmp_path: Path) -> None:
    rows = [["序号", "任务名称", "任务内容", "分管领导"], ["1", "甲", "做甲。", "王局长"]]
    with pytest.raises(DataError, match="没有“责任单位”列，也没有“时间节点”列"):
        run_import(make_csv(tmp_path / "plan.csv", rows), year=2023)


def test_a_table_with_a_task_column_and_deadlines_only_imports_and_says_the_units_are_missing(tmp_path: Path) -> None:
    rows = [["序号", "任务名称", "时间节点"], ["1", "甲", "全年"]]
    result = run_import(make_csv(tmp_path / "plan.csv", rows), year=2023)
    assert as_dicts(result) == [{"id": 1, "name": "甲", "content": "甲", "units": [], "deadline": "全年"}]
    assert any("没有责任单位" in note for note in result.notes)


# An ordinary 任务分解表 as an office keeps it: a title row, and columns gkplan has no use for.
EXTRA_COLUMNS_TABLE: list[list[Any]] = [
    ["2023年嘉定区人力资源和社会保障局政务公开工作要点任务分解表", "", "", "", "", "", "", "", "", ""],
    ["序号", "工作任务", "具体措施", "分管领导", "责任单位", "责任人", "时间节点", "完成情况", "联系电话", "备注"],
    [1, "深化政策解读", "开展政策解读工作。", "王局长", "局办公室", "张三", "6月底前", "进行中", "69989999", ""],
    [2, "优化平台建设", "更新门户网站专栏。", "李局长", "就业培训科、就业促进中心", "李四", "全年", "", "69980000", "重点"],
]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_table_with_extra_columns_and_a_title_row_imports_and_lists_what_it_ignored(tmp_path: Path, kind: str) -> None:
    path = (
        make_xlsx(tmp_path / "plan.xlsx", EXTRA_COLUMNS_TABLE) if kind == "xlsx" else make_csv(tmp_path / "plan.csv", EXTRA_COLUMNS_TABLE)
    )
    result = run_import(path)
    assert as_dicts(result) == [
        {"id": 1, "name": "深化政策解读", "content": "开展政策解读工作。", "units": ["局办公室"], "deadline": "6月底前"},
        {"id": 2, "name": "优化平台建设", "content": "更新门户网站专栏。", "units": ["就业培训科", "就业促进中心"], "deadline": "全年"},
    ]
    assert result.ignored == ["分管领导", "责任人", "完成情况", "联系电话", "备注"]
    assert result.plan.year == 2023


def test_import_says_which_columns_it_did_not_import(gkplan: Runner, data_dir: Path, tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "plan.xlsx", EXTRA_COLUMNS_TABLE)
    result = gkplan("import", str(source))
    assert result.exit_code == 0, result.stderr
    assert "  未导入的列：分管领导、责任人、完成情况、联系电话、备注" in result.stdout.splitlines()
    plans = {plan.id: plan for plan in load_workspace(data_dir).plans}
    assert [t.name for t in plans["2023"].tasks] == ["深化政策解读", "优化平台建设"]


def test_gkplans_own_report_workbook_imports_back(tmp_path: Path) -> None:
    """gkplan report -o 例会.xlsx, then gkplan import of that file: the same tasks, year and title, no flags."""
    import os
    import subprocess
    import sys

    data = tmp_path / "repo" / "data"
    shutil.copytree(SHIPPED_DATA, data)
    gkplan_bin = str(Path(sys.executable).with_name("gkplan"))
    env = {k: v for k, v in os.environ.items() if k != "GKPLAN_DATA"}
    made = subprocess.run(
        [gkplan_bin, "report", "--today", "2022-10-08", "-o", str(tmp_path / "例会.xlsx"), "--data", str(data)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    back = subprocess.run(
        [gkplan_bin, "import", str(tmp_path / "例会.xlsx"), "-o", str(tmp_path / "back.yaml"), "--data", str(data)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert back.returncode == 0, back.stderr
    assert "未导入的列：灯、章节、未完成单位、类型、截止日期、状态、剩余天数、备注" in back.stdout
    plan = yaml.safe_load((tmp_path / "back.yaml").read_text(encoding="utf-8"))
    assert plan["plan"]["year"] == 2022
    assert plan["plan"]["title"] == "2022年嘉定区人力资源和社会保障局政务公开工作要点"
    imported = sorted(plan["tasks"], key=lambda task: task["id"])
    assert [{k: v for k, v in task.items() if k != "section"} for task in imported] == shipped_tasks()  # 15's blank 时间节点 too


# --- the commands -----------------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_import_writes_the_year_file_that_loads_beside_the_shipped_plan(gkplan: Runner, data_dir: Path, tmp_path: Path) -> None:
    source = word_file(tmp_path)
    result = gkplan("import", str(source))
    assert result.exit_code == 0, result.stderr
    written = data_dir / "2023.yaml"
    assert result.stdout.splitlines()[0].startswith("读取：")
    assert "写入：data/2023.yaml（任务 3 项）" in result.stdout
    assert "行数：读到 4 行（续行并入上一项 1 行）→ 任务 3 项" in result.stdout
    assert "责任单位：6 个，data/units.yaml 中已有 6 个，未知 0 个" in result.stdout
    assert "时间节点：可换算 2 项；无法识别 1 项：" in result.stdout
    assert "  第 3 项「按上级部署」：无法识别时间节点「按上级部署」" in result.stdout
    text = written.read_text(encoding="utf-8")
    assert "      # 配合单位（原表“配合单位”栏）：\n      - 就业培训科\n" in text
    workspace = load_workspace(data_dir)
    assert [p.id for p in workspace.plans] == ["2023", "2022"]
    assert {p.code for p in workspace.problems} == {"bad-deadline"}  # 按上级部署: listed in the summary
    listed = gkplan("list", "--unit", "就业培训科", "--search", "政策解读", "--today", "2023-01-10")
    assert "2023:1" in listed.stdout


def test_import_lists_unknown_units_with_lines_to_add(gkplan: Runner, data_dir: Path, tmp_path: Path) -> None:
    rows = [["2023年工作要点"], ["序号", "任务名称", "责任单位", "时间节点"], ["1", "甲", "劳动监察\n大队、信息中心", "全年"]]
    result = gkplan("import", str(make_csv(tmp_path / "p.csv", rows)))
    assert result.exit_code == 0, result.stderr
    assert "未知 2 个：劳动监察大队、信息中心" in result.stdout
    assert "    劳动监察大队: {kind: 局属单位}" in result.stdout
    problems = load_workspace(data_dir).problems
    assert {p.code for p in problems} == {"unknown-unit"}
    assert "检查：通过（上面列出的未知单位、无法识别的时间节点除外）" in result.stdout


def test_import_to_stdout_keeps_the_summary_on_stderr(gkplan: Runner, data_dir: Path) -> None:
    before = sorted(p.name for p in data_dir.iterdir())
    result = gkplan("import", str(SEED_CSV), "-o", "-")
    assert result.exit_code == 0, result.stderr
    parsed = yaml.safe_load(result.stdout)
    assert [dict(t.items()) for t in parsed["tasks"]] == shipped_tasks()
    assert "读到 32 行" in result.stderr
    assert "未填 1 项（第 15 项，按 2022-12-31 计）" in result.stderr
    assert sorted(p.name for p in data_dir.iterdir()) == before


def test_import_refuses_a_second_plan_with_the_same_id_and_existing_files(gkplan: Runner, data_dir: Path, tmp_path: Path) -> None:
    result = gkplan("import", str(SEED_CSV))
    assert result.exit_code == 2
    assert "已有编号为 2022 的计划" in result.stderr
    assert "-o" in result.stderr
    assert not (data_dir / "2022.yaml").exists()
    taken = data_dir / "2023.yaml"
    taken.write_text("# mine\n", encoding="utf-8")
    result = gkplan("import", str(word_file(tmp_path)), "-o", str(taken))
    assert result.exit_code == 2
    assert "不会覆盖" in result.stderr
    assert taken.read_text(encoding="utf-8") == "# mine\n"


def test_import_of_a_bad_file_is_one_clear_line(gkplan: Runner, tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_text("序号,任务\n", encoding="utf-8")
    result = gkplan("import", str(path))
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "plan.xlsx: 文件名是 .xlsx，但内容是纯文本（像 CSV）" in result.stderr


def test_init_creates_a_data_folder_that_loads(tmp_path: Path) -> None:
    result = invoke("init", "newdata", "--from", str(SEED_CSV))
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "newdata"
    units = (folder / "units.yaml").read_text(encoding="utf-8")
    assert "  就业促进中心: {kind: 局属单位}\n" in units
    assert "  局机关各科室: {kind: 局机关科室}" in units
    workspace = load_workspace(folder)
    assert workspace.problems == []
    shipped = load_workspace(SHIPPED_DATA)
    assert [(t.id, t.responsible) for t in workspace.tasks] == [(t.id, t.responsible) for t in shipped.tasks]
    assert "单位：写入 newdata/units.yaml：单位 7 个，单位组 2 个（类别按名称推断，请核对）" in result.stdout


def test_init_leaves_groups_it_cannot_fill_commented_out(tmp_path: Path) -> None:
    rows = [["2023年工作要点"], ["序号", "任务名称", "责任单位", "时间节点"], ["1", "甲", "局办公室、各有关单位", "全年"]]
    result = invoke("init", "d", "--from", str(make_csv(tmp_path / "p.csv", rows)))
    assert result.exit_code == 0, result.stderr
    assert "  # 各有关单位: {members: []}" in (tmp_path / "d" / "units.yaml").read_text(encoding="utf-8")
    assert "待补充成员的单位组（已注释掉，补好后删去行首的 #）：各有关单位" in result.stdout
    assert {p.code for p in load_workspace(tmp_path / "d").problems} == {"unknown-unit"}


def test_init_without_a_table_and_its_refusal_to_overwrite(tmp_path: Path) -> None:
    result = invoke("init", "d", "--year", "2023", "--title", "2023年政务公开工作要点")
    assert result.exit_code == 0, result.stderr
    assert "下一步：d/tasks.yaml 还没有任务（tasks: []）" in result.stdout
    workspace = load_workspace(tmp_path / "d")
    assert [p.code for p in workspace.problems] == ["no-tasks"]  # loud until tasks are added, like an empty file
    assert workspace.plans[0].title == "2023年政务公开工作要点"
    before = (tmp_path / "d" / "tasks.yaml").read_bytes()
    again = invoke("init", "d", "--from", str(SEED_CSV))
    assert again.exit_code == 2
    assert "不会覆盖" in again.stderr
    assert (tmp_path / "d" / "tasks.yaml").read_bytes() == before


def test_seed_fixture_is_the_shipped_source_table() -> None:
    """The fixture's cells, squashed, are the seed's table text: it was transcribed, not invented."""
    source = (REPO / "docs" / "source" / "jiarenshefa-2022-23.txt").read_text(encoding="utf-8")
    table = re.sub(r"\s+", "", source[source.index("时间节\n点") + len("时间节\n点") :])
    with SEED_CSV.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))[3:]
    assert re.sub(r"\s+", "", "".join("".join(row) for row in rows)) == table


def test_no_temp_files_are_left_behind(gkplan: Runner, data_dir: Path, tmp_path: Path) -> None:
    assert gkplan("import", str(word_file(tmp_path))).exit_code == 0
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".")]


README = REPO / "README.md"
EXAMPLE = re.compile(r"<!-- import-example: (?P<cmd>[^\n]+?) -->\n```text\n(?P<out>.*?)```", re.S)


def readme_examples() -> list[tuple[str, str]]:
    return [(m.group("cmd"), m.group("out")) for m in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("command", "shown"), readme_examples(), ids=[c for c, _ in readme_examples()])
def test_readme_import_examples_are_real(command: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's import/init runs, repeated in a copy of the repository, print exactly what it shows."""
    repo = tmp_path / "repo"
    shutil.copytree(SHIPPED_DATA, repo / "data")
    shutil.copytree(REPO / "examples", repo / "examples")
    (repo / "tests" / "fixtures").mkdir(parents=True)
    shutil.copy(SEED_CSV, repo / "tests" / "fixtures")
    monkeypatch.chdir(repo)
    result = invoke(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == shown


def test_readme_lists_every_accepted_header() -> None:
    from gkplan.importer import HEADER_SYNONYMS

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## 导入新计划") :]
    for synonyms in HEADER_SYNONYMS.values():
        assert "、".join(synonyms) in section
