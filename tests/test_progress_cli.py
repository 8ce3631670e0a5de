"""Recording progress from the command line: start/done/block/reopen/verify/note, on a copy of the shipped plan."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Runner

SEVEN = ("局办公室", "就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心")
NOBODY = {"GKPLAN_USER": ""}  # no --by, no git lookup: nothing recorded as "by"


@pytest.fixture
def tasks_file(data_dir: Path) -> Path:
    return data_dir / "tasks.yaml"


def git_style_diff(before: str, after: str, name: str = "data/tasks.yaml") -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{name}", f"b/{name}"))


def task_json(gkplan: Runner, key: str, today: str = "2022-10-08") -> dict[str, object]:
    result = gkplan("show", key, "--today", today, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def progress_of(gkplan: Runner, key: str, today: str = "2022-10-08") -> dict[str, dict[str, object]]:
    entries = task_json(gkplan, key, today)["progress"]
    assert isinstance(entries, list)
    return {entry["unit"]: entry for entry in entries}


# --- the everyday case -------------------------------------------------------------------


def test_done_one_unit_prints_one_line_and_writes_a_small_diff(
    gkplan: Runner, tasks_file: Path, golden: Callable[[str, str], None]
) -> None:
    before = tasks_file.read_text(encoding="utf-8")
    result = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "任务 2：就业培训科 已完成（2022-09-20）；任务状态：进行中\n"
    assert result.stderr == ""
    diff = git_style_diff(before, tasks_file.read_text(encoding="utf-8"))
    golden("done_2_diff.txt", diff)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "+    progress:",
        "+      就业培训科:",
        "+        status: done",
        "+        date: 2022-09-20",
    ]


def test_by_note_and_date_are_recorded_and_shown(gkplan: Runner) -> None:
    result = gkplan(
        "done",
        "2",
        "--unit",
        "就业培训科",
        "--date",
        "2022-09-20",
        "--by",
        "张三",
        "--note",
        "已完成认定",
        "--today",
        "2022-10-08",
    )
    assert result.exit_code == 0, result.stderr
    entry = progress_of(gkplan, "2")["就业培训科"]
    assert (entry["status"], entry["date"], entry["by"], entry["note"]) == ("done", "2022-09-20", "张三", "已完成认定")
    shown = gkplan("show", "2", "--today", "2022-10-08").stdout.splitlines()
    row = next(line for line in shown if line.startswith("就业培训科"))
    assert row.split() == ["就业培训科", "已完成", "2022-09-20", "张三", "已完成认定"]


def test_by_defaults_to_env_then_git(gkplan: Runner, data_dir: Path) -> None:
    result = gkplan("start", "2", "--unit", "高服中心", "--today", "2022-09-01", env={"GKPLAN_USER": "王五"})
    assert result.exit_code == 0, result.stderr
    assert progress_of(gkplan, "2")["高服中心"]["by"] == "王五"
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    subprocess.run(["git", "init", "-q"], cwd=data_dir.parent, check=True)
    subprocess.run(["git", "config", "user.name", "赵六"], cwd=data_dir.parent, check=True)
    result = gkplan("start", "2", "--unit", "人才服务中心", "--today", "2022-09-01", env={"GKPLAN_USER": None})
    assert result.exit_code == 0, result.stderr
    assert progress_of(gkplan, "2")["人才服务中心"]["by"] == "赵六"


def test_date_defaults_to_today_option_and_env(gkplan: Runner) -> None:
    assert gkplan("start", "2", "--unit", "高服中心", env={"GKPLAN_TODAY": "2022-08-15", **NOBODY}).exit_code == 0
    assert progress_of(gkplan, "2")["高服中心"]["date"] == "2022-08-15"
    assert gkplan("done", "2", "--unit", "高服中心", "--today", "2022-08-16", env=NOBODY).exit_code == 0
    assert progress_of(gkplan, "2")["高服中心"]["date"] == "2022-08-16"


def test_unit_may_be_omitted_when_the_task_has_one_unit(gkplan: Runner) -> None:
    result = gkplan("done", "1", "--today", "2022-06-30", env=NOBODY)  # task 1: 局办公室 only
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("任务 1：局办公室 已完成（2022-06-30）；任务状态：已完成")
    assert "gkplan verify 1" in result.stdout


def test_alias_names_the_unit(gkplan: Runner, tasks_file: Path) -> None:
    result = gkplan("start", "2", "--unit", "办公室", "--today", "2022-09-01", env=NOBODY)
    assert result.exit_code == 0, result.stderr
    assert "局办公室 进行中" in result.stdout
    assert "      局办公室:\n        status: doing\n" in tasks_file.read_text(encoding="utf-8")


# --- derived status, several units ---------------------------------------------------------


def test_task_status_is_derived_from_every_unit(gkplan: Runner) -> None:
    def status() -> object:
        return task_json(gkplan, "2")["status"]

    assert status() == "todo"
    gkplan("start", "2", "--unit", "就业培训科", "--today", "2022-09-01", env=NOBODY)
    assert status() == "doing"
    gkplan("block", "2", "--unit", "高服中心", "--today", "2022-09-02", "--note", "等区里答复", env=NOBODY)
    assert status() == "blocked"
    for unit in SEVEN[:-1]:
        result = gkplan("done", "2", "--unit", unit, "--today", "2022-09-20", env=NOBODY)
        assert result.exit_code == 0, result.stderr
        assert "任务状态：" in result.stdout
    assert status() == "doing"  # the blocked unit has finished too; one unit is still to do
    last = gkplan("done", "2", "--unit", SEVEN[-1], "--today", "2022-09-21", env=NOBODY)
    assert "任务状态：已完成" in last.stdout
    assert "全部 7 个责任单位已完成" in last.stdout
    assert status() == "done"
    assert set(progress_of(gkplan, "2")) == set(SEVEN)
    assert all(entry["status"] == "done" for entry in progress_of(gkplan, "2").values())


def test_list_unit_shows_that_units_own_status(gkplan: Runner) -> None:
    gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    own = json.loads(gkplan("list", "--unit", "就业培训科", "--format", "json", "--today", "2022-10-08").stdout)
    other = json.loads(gkplan("list", "--unit", "高服中心", "--format", "json", "--today", "2022-10-08").stdout)
    assert next(t for t in own if t["id"] == 2)["status"] == "done"
    assert next(t for t in other if t["id"] == 2)["status"] == "todo"


def test_a_status_change_replaces_the_old_note_and_says_so(gkplan: Runner) -> None:
    gkplan("block", "2", "--unit", "高服中心", "--today", "2022-09-02", "--note", "等区里答复", env=NOBODY)
    result = gkplan("start", "2", "--unit", "高服中心", "--today", "2022-09-05", env=NOBODY)
    assert "原说明「等区里答复」已随状态变更删除" in result.stdout
    assert progress_of(gkplan, "2")["高服中心"]["note"] == ""


def test_note_sets_and_clears_a_note_without_touching_status(gkplan: Runner) -> None:
    gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    result = gkplan("note", "2", "--unit", "就业培训科", "共认定 120 件: 其中 #3 待复核")
    assert result.exit_code == 0, result.stderr
    entry = progress_of(gkplan, "2")["就业培训科"]
    assert (entry["status"], entry["date"], entry["note"]) == ("done", "2022-09-20", "共认定 120 件: 其中 #3 待复核")
    assert gkplan("note", "2", "--unit", "就业培训科", "").exit_code == 0
    assert progress_of(gkplan, "2")["就业培训科"]["note"] == ""


# --- verify and reopen ---------------------------------------------------------------------


def test_verify_only_a_finished_task_then_reopen_withdraws_it(gkplan: Runner, tasks_file: Path) -> None:
    gkplan("done", "20", "--unit", "就业培训科", "--today", "2022-10-20", env=NOBODY)
    before = tasks_file.read_bytes()
    refused = gkplan("verify", "20", "--today", "2022-10-25", env=NOBODY)
    assert refused.exit_code == 2
    assert "还没有全部完成" in refused.stderr
    assert "就业促进中心（未开始）" in refused.stderr
    assert "社会保障服务中心（未开始）" in refused.stderr
    assert tasks_file.read_bytes() == before

    for unit in ("就业促进中心", "社会保障服务中心"):
        gkplan("done", "20", "--unit", unit, "--today", "2022-10-21", env=NOBODY)
    verified = gkplan("verify", "20", "--today", "2022-10-25", "--by", "局办公室", "--note", "核销")
    assert verified.exit_code == 0, verified.stderr
    assert verified.stdout == "任务 20：已核销（2022-10-25，局办公室）；任务状态：已核销\n"
    shown = task_json(gkplan, "20")
    assert shown["status"] == "verified"
    assert shown["verified"] == {"date": "2022-10-25", "by": "局办公室", "note": "核销"}

    reopened = gkplan("reopen", "20", "--unit", "就业促进中心", "--today", "2022-11-01", env=NOBODY)
    assert reopened.exit_code == 0, reopened.stderr
    assert "就业促进中心 重新打开，改为未开始（2022-11-01）" in reopened.stdout
    assert "原核销记录已撤销" in reopened.stdout
    shown = task_json(gkplan, "20")
    assert shown["status"] == "doing"
    assert shown["verified"] is None
    assert "verified:" not in tasks_file.read_text(encoding="utf-8")


# --- per-unit overdue ------------------------------------------------------------------------


def test_overdue_names_only_the_units_still_behind(gkplan: Runner) -> None:
    for unit in SEVEN[:5]:
        gkplan("done", "2", "--unit", unit, "--today", "2022-09-20", env=NOBODY)
    rows = json.loads(gkplan("overdue", "--today", "2022-10-08", "--format", "json").stdout)
    task2 = next(r for r in rows if r["id"] == 2)
    assert task2["late_units"] == ["高服中心", "社会保障服务中心"]
    table = gkplan("overdue", "--today", "2022-10-08").stdout
    line = next(line for line in table.splitlines() if "加强历史公文转化公开" in line)
    assert "高服中心、社会保障服务中心" in line
    assert "局办公室" not in line

    mine = json.loads(gkplan("overdue", "--unit", "就业培训科", "--today", "2022-10-08", "--format", "json").stdout)
    assert 2 not in [r["id"] for r in mine]  # its own part is done
    theirs = json.loads(gkplan("overdue", "--unit", "高服中心", "--today", "2022-10-08", "--format", "json").stdout)
    assert 2 in [r["id"] for r in theirs]

    shown = gkplan("show", "2", "--today", "2022-10-08").stdout
    assert any(line.startswith("高服中心") and "（逾期）" in line for line in shown.splitlines())
    assert any(line.startswith("局办公室") and "已完成" in line and "逾期" not in line for line in shown.splitlines())


def test_done_late_is_not_overdue_any_more(gkplan: Runner) -> None:
    for unit in SEVEN:
        gkplan("done", "2", "--unit", unit, "--today", "2022-10-05", env=NOBODY)
    rows = json.loads(gkplan("overdue", "--today", "2022-10-08", "--format", "json").stdout)
    assert 2 not in [r["id"] for r in rows]


# --- refusals leave the file identical ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("done", "99", "--unit", "就业培训科"), 4, "没有序号为 99 的任务"),
        (("done", "20", "--unit", "人才开发科"), 4, "本任务的责任单位：就业培训科、就业促进中心、社会保障服务中心"),
        (("done", "20", "--unit", "就业陪训科"), 4, "没有名为「就业陪训科」的单位"),
        (("done", "2", "--unit", "局属各单位"), 2, "是单位组"),
        (("done", "2"), 2, "可选：局办公室、就业培训科"),
        (("done", "2", "--unit", "就业培训科", "--date", "2022-13-01"), 2, "--date「2022-13-01」不是有效日期"),
        (("done", "2", "--unit", "就业培训科", "--date", "九月底"), 2, "不是有效日期"),
        (("verify", "2"), 2, "还没有全部完成"),
        (("start", "x2", "--unit", "就业培训科"), 4, "不是任务序号"),
    ],
)
def test_refusals_are_clear_and_leave_the_file_byte_identical(
    gkplan: Runner, tasks_file: Path, args: tuple[str, ...], code: int, words: str
) -> None:
    before = tasks_file.read_bytes()
    result = gkplan(*args, "--today", "2022-10-08", env=NOBODY)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert words in result.stderr
    assert result.stderr.startswith("gkplan: 错误：")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert tasks_file.read_bytes() == before
    assert not list(tasks_file.parent.glob(".*.tmp"))


def test_repeating_the_same_update_changes_nothing(gkplan: Runner, tasks_file: Path) -> None:
    gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    before = tasks_file.read_bytes()
    again = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    assert again.exit_code == 0
    assert "文件未改动" in again.stdout
    assert tasks_file.read_bytes() == before


# --- several plans: qualified ids ---------------------------------------------------------------


def test_qualified_ids_pick_the_plan_and_write_only_its_file(gkplan: Runner, data_dir: Path) -> None:
    other = data_dir / "2023.yaml"
    other.write_text((data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2023"', 1), encoding="utf-8")
    other_bytes = other.read_bytes()
    ambiguous = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    assert ambiguous.exit_code == 4
    assert "2022:2" in ambiguous.stderr
    result = gkplan("done", "2022:2", "--unit", "就业培训科", "--today", "2022-09-20", env=NOBODY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("任务 2022:2：就业培训科 已完成")
    assert other.read_bytes() == other_bytes
    assert "status: done" in (data_dir / "tasks.yaml").read_text(encoding="utf-8")
