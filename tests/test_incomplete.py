"""Bad data is loud: every report still prints what it can, marks itself incomplete, and exits 5.

These run the real ``gkplan`` process, as the weekly meeting does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GKPLAN = str(Path(sys.executable).with_name("gkplan"))
TODAY = "2022-10-08"
INCOMPLETE = 5


def gkplan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([GKPLAN, *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


@pytest.fixture
def misspelt(data_dir: Path) -> Path:
    """Task 2 written to two misspelt unit groups: it silently dropped out of ``overdue`` before."""
    path = data_dir / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    task_2 = text.index("  - id: 2\n")
    head, tail = text[:task_2], text[task_2:]
    tail = tail.replace("      - 局机关各科室\n", "      - 局机关各科\n", 1).replace("      - 局属各单位\n", "      - 局属各单住\n", 1)
    path.write_text(head + tail, encoding="utf-8")
    return data_dir


def test_a_misspelt_group_no_longer_hides_a_late_task_quietly(misspelt: Path) -> None:
    result = gkplan("overdue", "--today", TODAY, cwd=misspelt.parent)
    assert result.returncode == INCOMPLETE
    lines = result.stdout.splitlines()
    assert lines[0].startswith("！数据有 2 处错误，以下结果不完整：")
    assert "tasks.yaml:" in lines[0]
    assert "局机关各科" in lines[0]
    assert "局属各单住" in lines[0]
    assert lines[0].endswith("请先运行 gkplan check")
    assert lines[-1] == "截至 2022-10-08，逾期 1 项。"  # what it can: task 24; task 2 has no known unit left
    allowed = gkplan("overdue", "--today", TODAY, "--allow-errors", cwd=misspelt.parent)
    assert allowed.returncode == 0
    assert allowed.stdout == result.stdout  # still marked: only the exit code changes


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["overdue"],
        ["due"],
        ["summary"],
        ["show", "2"],
        ["units"],
        ["review"],
        ["report"],
        ["list", "--format", "md"],
        ["summary", "--format", "md"],
        ["review", "--format", "md"],
        ["report", "--format", "md"],
    ],
)
def test_every_text_report_carries_the_banner_in_its_output(misspelt: Path, args: list[str]) -> None:
    result = gkplan(*args, "--today", TODAY, cwd=misspelt.parent)
    assert result.returncode == INCOMPLETE, result.stderr
    assert "数据有 2 处错误，以下结果不完整" in result.stdout
    assert result.stderr == ""
    assert gkplan(*args, "--today", TODAY, "--allow-errors", cwd=misspelt.parent).returncode == 0


@pytest.mark.parametrize(
    "args",
    [["list", "-f", "json"], ["overdue", "-f", "csv"], ["summary", "-f", "json"], ["show", "2", "-f", "json"], ["review", "-f", "json"]],
)
def test_machine_formats_keep_their_shape_and_say_it_on_stderr(misspelt: Path, args: list[str]) -> None:
    result = gkplan(*args, "--today", TODAY, cwd=misspelt.parent)
    assert result.returncode == INCOMPLETE
    assert "数据有 2 处错误" not in result.stdout
    if "json" in args:
        json.loads(result.stdout)
    assert result.stderr.startswith("gkplan: 警告：数据有 2 处错误，以下结果不完整：")


def test_report_files_and_the_calendar_are_marked(misspelt: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for name in ("r.html", "r.md", "r.xlsx"):
        result = gkplan("report", "--today", TODAY, "-o", str(tmp_path / name), cwd=misspelt.parent)
        assert result.returncode == INCOMPLETE, result.stderr
        assert "数据有 2 处错误" in result.stderr
    assert '<p class="banner" role="alert">数据有 2 处错误' in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "> **注意：数据有 2 处错误" in (tmp_path / "r.md").read_text(encoding="utf-8")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[0] == "数据有错误"
    assert str(book.worksheets[0]["A1"].value).startswith("数据有 2 处错误")
    ics = gkplan("ics", "--today", TODAY, cwd=misspelt.parent)
    assert ics.returncode == INCOMPLETE
    assert "X-WR-CALDESC:数据有 2 处错误" in ics.stdout
    assert "数据有 2 处错误" in ics.stderr


@pytest.mark.parametrize("text", ["", 'plan:\n  id: "2022"\n  title: 2022年工作要点\n  year: 2022\ntasks: []\n'])
def test_an_empty_plan_file_and_tasks_empty_are_both_errors(data_dir: Path, text: str) -> None:
    (data_dir / "tasks.yaml").write_text(text, encoding="utf-8")
    result = gkplan("overdue", "--today", TODAY, cwd=data_dir.parent)
    assert result.returncode == INCOMPLETE
    assert result.stdout.startswith("！数据有 1 处错误，以下结果不完整：")
    assert "没有逾期任务" in result.stdout  # still printed, but no longer on its own
    check = gkplan("check", cwd=data_dir.parent)
    assert check.returncode == 1


def test_duplicate_id_and_unreadable_deadline_are_both_named(data_dir: Path) -> None:
    path = data_dir / "tasks.yaml"
    text = (
        path.read_text(encoding="utf-8").replace("  - id: 3\n", "  - id: 2\n", 1).replace("deadline: 9 月底前", "deadline: 九月左右吧", 1)
    )
    path.write_text(text, encoding="utf-8")
    result = gkplan("list", "--today", TODAY, cwd=data_dir.parent)
    assert result.returncode == INCOMPLETE
    banner = result.stdout.splitlines()[0]
    assert "数据有 2 处错误" in banner
    assert "九月左右吧" in banner
    assert "序号 2 重复" in banner


def test_clean_data_has_no_banner_and_exits_0(data_dir: Path) -> None:
    result = gkplan("overdue", "--today", TODAY, cwd=data_dir.parent)
    assert result.returncode == 0
    assert result.stdout.startswith("灯")
