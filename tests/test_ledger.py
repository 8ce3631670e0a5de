"""台账报送: ``gkplan ledger`` exports a unit's Excel ledger, ``gkplan collect`` writes the filled one back.

Ledgers are built by the real ``gkplan`` process, filled with openpyxl as a unit would
(dates typed as text, rows left alone), saved as CSV the way Excel does, and collected
in a real git repository so that ``git diff`` shows exactly what changed.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan import ledger, query
from gkplan.store import load_workspace
from tests.conftest import EXAMPLES

GKPLAN = Path(sys.executable).parent / "gkplan"
TODAY = "2022-10-08"
UNIT = "就业培训科"
HEADERS = ["序号", "任务名称", "任务内容", "时间节点", "截止日期", "当前状态", "新状态", "完成日期", "说明"]
NEW, DAY, NOTE = 7, 8, 9  # columns 新状态, 完成日期, 说明


@pytest.fixture
def repo(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The copied shipped data, committed in a real git repository (``repo/data``)."""
    root = data_dir.parent
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    for args in (["init", "-q"], ["config", "user.name", "局办公室"], ["config", "user.email", "office@example.org"]):
        git(root, *args)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def gkplan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in the repository, on its data."""
    env = {**os.environ, "NO_COLOR": "1", "GKPLAN_USER": ""}
    command = [str(GKPLAN), *args, "--data", "data"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, env=env, timeout=60, check=False)


def export(root: Path, *args: str, name: str = "台账.xlsx") -> Path:
    result = gkplan(root, "ledger", *args, "--today", TODAY, "-o", name)
    assert result.returncode == 0, result.stderr
    return root / name


def rows_by_id(sheet: Any) -> dict[int, int]:
    return {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int)}


def fill(path: Path, values: dict[int, tuple[Any, Any, Any]], *, sheet: str = "进展登记", out: Path | None = None) -> Path:
    """Type into 新状态/完成日期/说明 of the rows with these 序号 (``...`` leaves a cell as it is)."""
    book = openpyxl.load_workbook(path)
    page = book[sheet]
    rows = rows_by_id(page)
    for task_id, cells in values.items():
        for column, value in zip((NEW, DAY, NOTE), cells, strict=True):
            if value is not ...:
                page.cell(rows[task_id], column).value = value
    target = out or path
    book.save(target)
    return target


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def as_csv(path: Path, encoding: str, *, sheet: str = "进展登记") -> Path:
    """What Excel's 另存为 CSV writes: the active sheet's cells as displayed, hidden rows included."""
    page = openpyxl.load_workbook(path)[sheet]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in page.iter_rows(values_only=True):
        writer.writerow(["" if v is None else f"{v.year}/{v.month}/{v.day}" if isinstance(v, datetime) else v for v in row])
    target = path.with_suffix(".csv")
    target.write_bytes(buffer.getvalue().encode(encoding))
    return target


# --- export ----------------------------------------------------------------------------------


def test_one_unit_ledger_follows_the_contract(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["进展登记", "gkplan"]
    assert book["gkplan"].sheet_state == "hidden"
    page = book["进展登记"]
    assert [c.value for c in page[1]] == HEADERS
    listed = subprocess.run(
        [str(GKPLAN), "list", "--unit", UNIT, "--today", TODAY, "--format", "csv", "--data", "data"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected_ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(listed))]
    assert list(rows_by_id(page)) == expected_ids  # every task of the unit, groups expanded, sorted like list
    last = len(expected_ids) + 1
    # protection without a password; only 新状态, 完成日期, 说明 editable
    assert page.protection.sheet
    assert not page.protection.password
    for row in range(2, last + 1):
        locked = [page.cell(row, column).protection.locked for column in range(1, 10)]
        assert locked == [True] * 6 + [False] * 3
    rules = {str(v.sqref): v for v in page.data_validations.dataValidation}
    assert rules[f"G2:G{last}"].type == "list"
    assert rules[f"G2:G{last}"].formula1 == '"未开始,进行中,受阻,已完成"'
    assert rules[f"H2:H{last}"].type == "date"
    assert page.page_setup.orientation == "landscape"
    assert page.page_setup.fitToWidth == 1
    assert page.sheet_properties.pageSetUpPr.fitToPage
    assert page.print_title_rows == "$1:$1"
    # the stamp: in the hidden sheet and in a hidden last row (which survives saving as CSV)
    stamp = ledger.parse_stamp(book["gkplan"]["B2"].value)
    assert stamp is not None
    assert (stamp.plan, stamp.unit, stamp.exported) == ("2022", UNIT, date(2022, 10, 8))
    assert sorted(stamp.rows) == sorted(expected_ids)
    assert page.row_dimensions[last + 1].hidden
    assert ledger.parse_stamp(page.cell(last + 1, 1).value) == stamp
    assert "plan=2022" in (book.properties.keywords or "")


def test_late_rows_red_due_soon_yellow_and_notes_prefilled(tmp_path: Path) -> None:
    """On the example data (demo progress with notes, settings.yaml), lit as the report lights them."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLES / "2022-progress" / "data", root / "data")
    unit = "人才服务中心"
    path = export(root, "--unit", unit)
    page = openpyxl.load_workbook(path)["进展登记"]
    workspace = load_workspace(root / "data")
    settings = workspace.settings
    plan = workspace.plans[0]
    rows = rows_by_id(page)
    lights = {}
    for task in plan.tasks:
        if task.id not in rows:
            continue
        lights[task.id] = query.evaluate(
            task, date(2022, 10, 8), query.Scope(unit, (unit,)), settings.warn_days, stale_weeks=settings.stale_weeks
        ).light
        fills = {page.cell(rows[task.id], column).fill.fgColor.rgb[-6:] for column in range(1, 7)}
        expected = {query.Light.RED: "F8D0CD", query.Light.YELLOW: "FCEBB0"}.get(lights[task.id], "000000")
        assert fills == {expected}, task.id
        # 说明 is the unit's current note, 当前状态 its own status
        entry = task.progress.get(unit)
        assert page.cell(rows[task.id], NOTE).value == (entry.note if entry and entry.note else None)
        assert page.cell(rows[task.id], 6).value == task.unit_status(unit).label
    assert query.Light.RED in lights.values()
    assert query.Light.YELLOW in lights.values()
    assert any(page.cell(r, NOTE).value for r in rows.values())


def test_every_unit_one_sheet_each_and_default_name_never_overwrites(repo: Path) -> None:
    result = gkplan(repo, "ledger", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    path = repo / "2022-台账-2022-10-08.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "局办公室",
        "就业培训科",
        "人才开发科",
        "就业促进中心",
        "人才服务中心",
        "高服中心",
        "社会保障服务中心",
        "gkplan",
    ]
    stamps = {r[0].value: ledger.parse_stamp(r[1].value) for r in book["gkplan"].iter_rows(min_row=2)}
    assert {title: s.unit for title, s in stamps.items() if s} == {t: t for t in book.sheetnames[:-1]}
    before = path.read_bytes()
    again = gkplan(repo, "ledger", "--today", TODAY)
    assert again.returncode == 2
    assert "不覆盖" in again.stderr
    assert path.read_bytes() == before
    wrong = gkplan(repo, "ledger", "--unit", UNIT, "-o", "台账.csv")
    assert wrong.returncode == 2
    assert "可用的扩展名：.xlsx" in wrong.stderr  # the -o rule every command shares (issue 14)
    assert not (repo / "台账.csv").exists()
    one = gkplan(repo, "ledger", "--unit", "办公室", "--today", TODAY)
    assert one.returncode == 0
    assert (repo / "2022-台账-局办公室-2022-10-08.xlsx").is_file()


def test_data_text_never_becomes_a_formula(repo: Path) -> None:
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("name: 加强历史公文转化公开", 'name: "=HYPERLINK(\\"http://x\\",\\"点我\\")"', 1), encoding="utf-8")
    path = export(repo, "--unit", UNIT)
    page = openpyxl.load_workbook(path)["进展登记"]
    cell = page.cell(rows_by_id(page)[2], 2)
    assert cell.value == '=HYPERLINK("http://x","点我")'
    assert cell.data_type == "s"


# --- collect: the round trip -------------------------------------------------------------------


def test_round_trip_writes_only_the_intended_lines(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(
        path,
        {
            2: ("已完成", "2022年9月20日", ...),  # a date typed as Chinese text
            5: ("进行中", None, "已起草初稿"),
            10: ("已完成", "2022/10/1", ...),  # typed with slashes
            11: ("已完成", datetime(2022, 9, 30), "已发布解读"),  # a real Excel date
            13: ("受阻", None, "等区里答复"),
            14: (..., ..., "仅补充说明"),  # note only
        },
    )
    result = gkplan(repo, "collect", path.name, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "任务 2：就业培训科 已完成（2022-09-20）；任务状态：进行中",
        "任务 5：就业培训科 进行中（2022-10-08），说明：已起草初稿；任务状态：进行中",
        "任务 10：就业培训科 已完成（2022-10-01）；任务状态：进行中",
        "任务 11：就业培训科 已完成（2022-09-30），说明：已发布解读；任务状态：进行中",
        "任务 13：就业培训科 受阻（2022-10-08），说明：等区里答复；任务状态：受阻",
        "任务 14：就业培训科 的说明已更新：仅补充说明；任务状态：未开始",
        "收集 1 份台账：已登记 6 项变更，写入 data/tasks.yaml。",
    ]
    diff = git(repo, "diff", "--", "data/tasks.yaml")
    added = changed_lines(diff)
    entry = ["+    progress:", f"+      {UNIT}:"]
    assert added == [
        *entry, "+        status: done", "+        date: 2022-09-20", f"+        by: {UNIT}",
        *entry, "+        status: doing", "+        date: 2022-10-08", f"+        by: {UNIT}", "+        note: 已起草初稿",
        *entry, "+        status: done", "+        date: 2022-10-01", f"+        by: {UNIT}",
        *entry, "+        status: done", "+        date: 2022-09-30", f"+        by: {UNIT}", "+        note: 已发布解读",
        *entry, "+        status: blocked", "+        date: 2022-10-08", f"+        by: {UNIT}", "+        note: 等区里答复",
        *entry, "+        status: todo", "+        note: 仅补充说明",
    ]  # fmt: skip
    assert git(repo, "diff", "--stat").count("\n") == 2  # one file changed
    # collecting the same ledger again changes nothing
    written = (repo / "data" / "tasks.yaml").read_bytes()
    again = gkplan(repo, "collect", path.name, "--today", "2022-10-09")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "收集 1 份台账：没有需要登记的变更，文件未改动。\n"
    assert (repo / "data" / "tasks.yaml").read_bytes() == written


def test_dry_run_prints_the_diff_and_writes_nothing(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("已完成", "2022-10-09", "已认定"), 5: ("进行中", None, ...)})
    tasks = repo / "data" / "tasks.yaml"
    before = tasks.read_bytes()
    dry = gkplan(repo, "collect", path.name, "--today", "2022-10-09", "--dry-run", "--by", "张三")
    assert dry.returncode == 0, dry.stderr
    assert tasks.read_bytes() == before
    assert "试运行，未写入" in dry.stderr
    real = gkplan(repo, "collect", path.name, "--today", "2022-10-09", "--by", "张三")
    assert real.returncode == 0, real.stderr
    assert changed_lines(dry.stdout) == changed_lines(git(repo, "diff", "--", "data/tasks.yaml"))
    assert "+        by: 张三" in changed_lines(dry.stdout)


def test_untouched_prefilled_note_is_not_a_change_and_a_cleared_one_is(repo: Path) -> None:
    assert gkplan(repo, "block", "2", "--unit", UNIT, "--note", "等区里答复", "--today", "2022-10-01").returncode == 0
    assert gkplan(repo, "note", "5", "--unit", UNIT, "旧说明").returncode == 0
    git(repo, "commit", "-qam", "progress")
    path = export(repo, "--unit", UNIT)
    page = openpyxl.load_workbook(path)["进展登记"]
    assert page.cell(rows_by_id(page)[2], NOTE).value == "等区里答复"
    fill(path, {2: ("已完成", "2022-10-08", ...), 5: (..., ..., None)})
    result = gkplan(repo, "collect", path.name, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "任务 2：就业培训科 已完成（2022-10-08）；任务状态：进行中；原说明「等区里答复」已随状态变更删除",
        "任务 5：就业培训科 的说明已删除；任务状态：未开始",
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_saved_from_excel_is_collected_like_the_workbook(repo: Path, encoding: str) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("已完成", "2022/9/20", "共认定 120 件"), 5: ("进行中", None, ...)})
    saved = as_csv(path, encoding)
    result = gkplan(repo, "collect", saved.name, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "任务 2：就业培训科 已完成（2022-09-20），说明：共认定 120 件；任务状态：进行中"
    assert "已登记 2 项变更" in result.stdout


def test_csv_refusals_name_the_cell_as_excel_shows_it(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {5: ("做完了", None, ...)})
    row = rows_by_id(openpyxl.load_workbook(path)["进展登记"])[5]
    saved = as_csv(path, "gb18030")
    assert f"台账.csv:台账!G{row}：新状态「做完了」无法识别" in refused(repo, saved.name)


def test_every_unit_round_trips_with_a_minimal_diff(repo: Path) -> None:
    """The whole office's workbook: each unit fills its own sheet; one collect, one small diff."""
    assert gkplan(repo, "ledger", "--today", TODAY, "-o", "全部.xlsx").returncode == 0
    book = openpyxl.load_workbook(repo / "全部.xlsx")
    units = book.sheetnames[:-1]
    choices = [("已完成", "2022-09-20", None), ("进行中", None, "在办"), ("受阻", None, "等答复"), (None, None, "备注")]
    expected_lines: list[str] = []
    for index, unit in enumerate(units):
        status, day, note = choices[index % len(choices)]
        page = book[unit]
        row = rows_by_id(page)[2]  # task 2 belongs to every unit
        page.cell(row, NEW).value, page.cell(row, DAY).value, page.cell(row, NOTE).value = status, day, note
        word = {"已完成": "done", "进行中": "doing", "受阻": "blocked", None: "todo"}[status]
        expected_lines += [f"+      {unit}:", f"+        status: {word}"]
        if status:
            expected_lines += [f"+        date: {day or TODAY}", f"+        by: {unit}"]
        if note:
            expected_lines.append(f"+        note: {note}")
    book.save(repo / "全部.xlsx")
    result = gkplan(repo, "collect", "全部.xlsx", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(units) + 1
    assert result.stdout.splitlines()[-1] == f"收集 {len(units)} 份台账：已登记 {len(units)} 项变更，写入 data/tasks.yaml。"
    assert changed_lines(git(repo, "diff", "--", "data/tasks.yaml")) == ["+    progress:", *expected_lines]
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == " M data/tasks.yaml\n"


# --- collect: refusals leave every data file byte-identical ------------------------------------


def data_bytes(repo: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((repo / "data").iterdir()) if not p.name.startswith(".")}  # not lock files


def refused(repo: Path, *files: str, extra: tuple[str, ...] = ()) -> str:
    before = data_bytes(repo)
    result = gkplan(repo, "collect", *files, "--today", TODAY, *extra)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert data_bytes(repo) == before
    return result.stderr


BAD_ROWS = [
    ({5: ("完成了", None, ...)}, "G", "新状态「完成了」无法识别"),
    ({5: ("已核销", None, ...)}, "G", "核销由局办公室"),
    ({5: ("已完成", "十月九日", ...)}, "H", "不是日期"),
    ({5: ("已完成", "2022-02-30", ...)}, "H", "没有这一天"),
    ({5: ("已完成", "2022-10-09", ...)}, "H", "晚于今天（2022-10-08）"),
    ({5: ("已完成", None, ...)}, "H", "请填写完成日期"),
    ({5: ("进行中", "2022-10-01", ...)}, "H", "新状态不是「已完成」"),
    ({5: (..., "2022-10-01", ...)}, "H", "新状态不是「已完成」"),
    ({5: ("已完成", "2012-10-01", ...)}, "H", "早于计划年度"),
    ({5: ("已完成", "=TODAY()", ...)}, "H", "公式"),
]


@pytest.mark.parametrize(("cells", "column", "reason"), BAD_ROWS, ids=[r[2] for r in BAD_ROWS])
def test_a_bad_row_refuses_the_whole_ledger(repo: Path, cells: dict[int, Any], column: str, reason: str) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("已完成", "2022-09-20", ...), **cells})  # a good row too: it must not be applied either
    row = rows_by_id(openpyxl.load_workbook(path)["进展登记"])[5]
    message = refused(repo, path.name)
    assert f"台账.xlsx:进展登记!{column}{row}：" in message
    assert reason in message


def test_every_problem_is_listed_at_once(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("好了", None, ...), 5: ("已完成", None, ...), 10: (..., "2022/13/1", ...)})
    message = refused(repo, path.name)
    head, *cells = message.strip().splitlines()
    assert head.startswith("gkplan: 错误：台账有 3 处问题，未写入任何文件（改正后重新收集即可）")
    assert len(cells) == 3  # one line per refused cell, each naming FILE:SHEET!CELL
    assert all(line.startswith("  台账.xlsx:进展登记!") for line in cells)


def test_a_task_the_unit_is_not_responsible_for(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    book = openpyxl.load_workbook(path)
    page = book["进展登记"]
    row = rows_by_id(page)[5]
    page.cell(row, 1).value = 1  # task 1 belongs to 局办公室 only
    page.cell(row, NEW).value = "进行中"
    book.save(path)
    message = refused(repo, path.name)
    assert f"进展登记!A{row}：导出的台账中没有序号 1 的任务" in message
    # responsibility changed in the data after export
    path = export(repo, "--unit", UNIT, name="台账2.xlsx")
    fill(path, {2: ("进行中", None, ...)})
    tasks = repo / "data" / "tasks.yaml"
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace(
            "      - 局机关各科室\n      - 局属各单位\n    deadline: 9 月底前", "      - 局办公室\n    deadline: 9 月底前", 1
        ),
        encoding="utf-8",
    )
    message = refused(repo, path.name)
    assert "「就业培训科」不是任务 2 的责任单位（责任单位：局办公室）" in message


def test_conflict_shows_both_versions_and_force_applies(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("已完成", "2022-09-20", "已认定")})
    assert gkplan(repo, "block", "2", "--unit", UNIT, "--note", "等待答复", "--today", TODAY).returncode == 0
    row = rows_by_id(openpyxl.load_workbook(path)["进展登记"])[2]
    message = refused(repo, path.name)
    assert f"台账.xlsx:进展登记!A{row}：冲突：导出后本单位的进展已在数据中改动" in message
    assert "导出时：未开始，无说明；现在：受阻（2022-10-08）" in message
    assert "等待答复" in message
    assert "--force" in message
    forced = gkplan(repo, "collect", path.name, "--today", TODAY, "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith("任务 2：就业培训科 已完成（2022-09-20），说明：已认定")


def test_a_renumbered_task_is_a_conflict(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("进行中", None, ...)})
    tasks = repo / "data" / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("name: 加强历史公文转化公开", "name: 另一项任务", 1), encoding="utf-8")
    assert "名称、内容或时间节点已修改" in refused(repo, path.name)


def test_ledgers_of_another_plan_or_unit_and_files_that_are_not_ledgers(repo: Path) -> None:
    path = export(repo, "--unit", UNIT)
    fill(path, {2: ("进行中", None, ...)})
    assert "这是「就业培训科」的台账，不是「局办公室」的" in refused(repo, path.name, extra=("--unit", "办公室"))
    other = repo.parent / "other"
    (other / "data").mkdir(parents=True)
    for name in ("tasks.yaml", "units.yaml"):
        text = (repo / "data" / name).read_text(encoding="utf-8")
        (other / "data" / name).write_text(text.replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    foreign = export(other, "--unit", UNIT)
    fill(foreign, {2: ("进行中", None, ...)})
    (repo / "foreign.xlsx").write_bytes(foreign.read_bytes())
    assert "foreign.xlsx:进展登记!A1：这是计划「2023」的台账，数据中没有这个计划" in refused(repo, "foreign.xlsx")
    plain = openpyxl.Workbook()
    plain.active.append(["随便", "一张表"])
    plain.save(repo / "random.xlsx")
    (repo / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (repo / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    message = refused(repo, path.name, "random.xlsx", "notes.csv", "old.xls", "missing.xlsx")
    assert "random.xlsx：不是 gkplan 导出的台账" in message
    assert "notes.csv：不是 gkplan 导出的台账" in message
    assert "old.xls" in message
    assert "另存为 .xlsx" in message
    assert "找不到文件「missing.xlsx」" in message
    # a ledger whose stamp row and hidden sheet were both removed
    book = openpyxl.load_workbook(path)
    del book["gkplan"]
    book["进展登记"].delete_rows(book["进展登记"].max_row)
    book.save(repo / "stripped.xlsx")
    assert "stripped.xlsx:进展登记!A1：表头像台账，但找不到 gkplan 的校验信息" in refused(repo, "stripped.xlsx")


def test_one_bad_ledger_stops_the_good_ones(repo: Path) -> None:
    good = export(repo, "--unit", UNIT, name="培训科.xlsx")
    fill(good, {2: ("已完成", "2022-09-20", ...)})
    bad = export(repo, "--unit", "局办公室", name="办公室.xlsx")
    fill(bad, {2: ("做完了", None, ...)})
    message = refused(repo, good.name, bad.name)
    assert "办公室.xlsx:进展登记!G" in message
    twice = refused(repo, good.name, good.name)
    assert "「就业培训科」的台账给了两份" in twice


# --- the cell readers ---------------------------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_way_of_typing_a_date_reads_back(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (day.isoformat(), f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}.{m:02d}.{d:02d}", f" {y}年 {m}月{d}号 ", f"{y}{m:02d}{d:02d}"):
        assert ledger.parse_day(text) == day, text
    assert ledger.parse_day(datetime(y, m, d)) == day
    assert ledger.parse_day(f"{y}/{m}/{d} 0:00") == day  # what some Excel CSVs write for a date cell


@given(st.text(max_size=12))
def test_a_date_cell_is_a_date_or_a_clear_refusal(text: str) -> None:
    try:
        result = ledger.parse_day(text)
    except ledger.CellError as exc:
        reason = str(exc)
    else:
        assert result is None or isinstance(result, date)
        return
    assert reason.startswith("完成日期")


def test_status_words() -> None:
    assert [ledger.parse_status(w) for w in ("未开始", " 进行中 ", "受阻", "已完成", "done", "", None)] == [
        *(ledger.Status(s) for s in ("todo", "doing", "blocked", "done", "done")),
        None,
        None,
    ]
    with pytest.raises(ledger.CellError, match="无法识别"):
        ledger.parse_status("完成")


def test_a_group_exports_its_members_and_several_plans_need_plan(repo: Path) -> None:
    path = export(repo, "--unit", "局属各单位")
    assert openpyxl.load_workbook(path).sheetnames == ["就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心", "gkplan"]
    text = (repo / "data" / "tasks.yaml").read_text(encoding="utf-8")
    (repo / "data" / "2023.yaml").write_text(text.replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    result = gkplan(repo, "ledger", "--unit", UNIT, "--today", TODAY)
    assert result.returncode == 2
    assert "台账按计划导出" in result.stderr
    assert "--plan" in result.stderr
    chosen = export(repo, "--unit", UNIT, "--plan", "2023", name="2023.xlsx")
    fill(chosen, {2: ("进行中", None, ...)})
    collected = gkplan(repo, "collect", chosen.name, "--today", TODAY)
    assert collected.returncode == 0, collected.stderr
    assert collected.stdout.startswith("任务 2023:2：就业培训科 进行中（2022-10-08）")
    assert git(repo, "diff", "--", "data/tasks.yaml") == ""  # the other plan's file is untouched


def test_a_refusal_under_the_lock_writes_nothing(repo: Path) -> None:
    """Two plan files, the second change refused while the locks are held: neither file is written."""
    from gkplan.errors import UpdateRefused
    from gkplan.store.writer import FileEdit, plan_file, update_files
    from gkplan.updates import Action, Request

    text = (repo / "data" / "tasks.yaml").read_text(encoding="utf-8")
    (repo / "data" / "2023.yaml").write_text(text.replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    workspace = load_workspace(repo / "data")
    before = data_bytes(repo)

    def start(task: Any) -> Request:
        return Request(Action.START, unit=UNIT, day=date(2022, 10, 8), by=UNIT)

    def refuse(task: Any) -> Request:
        raise UpdateRefused(f"任务 {task.id} 在加锁后已被改动")

    plans = {plan.id: plan for plan in workspace.plans}
    first, second = plans["2022"], plans["2023"]
    edits = [
        FileEdit(plan_file(first), first, ((2, "2022:2", start), (5, "2022:5", start))),
        FileEdit(plan_file(second), second, ((2, "2023:2", start), (5, "2023:5", refuse))),
    ]
    with pytest.raises(UpdateRefused, match="任务 5 在加锁后已被改动"):
        update_files(edits)
    assert data_bytes(repo) == before
    dry = update_files(edits[:1], write=False)
    assert [s.key for s in dry[0].steps] == ["2022:2", "2022:5"]
    assert data_bytes(repo) == before
    update_files(edits[:1])
    assert data_bytes(repo)["tasks.yaml"] == dry[0].text.encode("utf-8")


def test_data_with_errors_still_exports_but_says_so(repo: Path) -> None:
    tasks = repo / "data" / "tasks.yaml"
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace("deadline: 9 月底前", "deadline: 9 月底前\n    units: [不存在的科]", 1), encoding="utf-8"
    )
    result = gkplan(repo, "ledger", "--unit", UNIT, "--today", TODAY)
    assert result.returncode == 5
    assert "数据有" in result.stderr
    assert (repo / "2022-台账-就业培训科-2022-10-08.xlsx").is_file()
    allowed = gkplan(repo, "ledger", "--unit", UNIT, "--today", TODAY, "-o", "x.xlsx", "--allow-errors")
    assert allowed.returncode == 0


@pytest.mark.parametrize("saved_as", ["xlsx", "csv"])
def test_a_ledger_too_long_for_one_stamp_cell_round_trips(tmp_path: Path, saved_as: str) -> None:
    """2,400 tasks make a stamp of ~90,000 characters; a cell holds 32,767 (Excel cut the stamp, and
    collect refused every ledger of more than ~2,000 tasks). It spans several cells of its row."""
    make_plans = Path(__file__).parents[1] / "bench" / "make_plans.py"
    data = tmp_path / "data"
    subprocess.run([sys.executable, str(make_plans), "--tasks", "2400", "--layout", "single", "--out", str(data)], check=True)
    root = tmp_path
    for args in (["init", "-q"], ["config", "user.name", "局办公室"], ["config", "user.email", "office@example.org"], ["add", "-A"]):
        git(root, *args)
    git(root, "commit", "-qm", "plan")
    workspace = load_workspace(data)
    task = next(t for t in workspace.tasks if t.responsible and not t.unit_status(t.responsible[0]).finished)
    unit = task.responsible[0]
    path = export(root, "--unit", unit)
    assert len(ledger.stamp_text(ledger.build_ledger(workspace.plans[0], unit, date(2022, 10, 8)))) > ledger.CELL_CHARS
    book = openpyxl.load_workbook(path, read_only=True)
    assert all(len(str(v)) <= ledger.CELL_CHARS for row in book["gkplan"].iter_rows(values_only=True) for v in row if v is not None)
    book.close()
    filled = fill(path, {task.id: ("已完成", "2022-10-09", "已报送")})
    target = as_csv(filled, "utf-8-sig") if saved_as == "csv" else filled
    result = gkplan(root, "collect", str(target), "--today", "2022-10-09")
    assert result.returncode == 0, result.stderr
    assert "done" in git(root, "diff", "--", "data")
