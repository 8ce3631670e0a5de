"""Chinese-first at the edges: usage errors, aliases, --version, help, encodings, small option edges.

Run through the real ``gkplan`` process: Typer's own messages only show there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan import __version__
from gkplan.cli import parse_day

GKPLAN = str(Path(sys.executable).with_name("gkplan"))
TODAY = "2022-10-08"


def gkplan(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run([GKPLAN, *args], cwd=cwd, env=full, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


USAGE_ERRORS = [
    (["lsit"], "没有命令「lsit」；您是否要找：list"),
    (["逾其"], "没有命令「逾其」；您是否要找：逾期（overdue）"),
    (["due", "--within", "一个月"], "--within 的值「一个月」不是整数"),
    (["due", "--within", "-3"], "--within 的值「-3」不能小于 0"),
    (["show"], "缺少参数 ID（任务序号"),
    (["list", "--format", "xml"], "--format 的值「xml」无效，可用：table、json、csv、md"),
    (["list", "--todya", TODAY], "没有选项 --todya；您是否要找：--today"),
    (["list", "--today"], "选项 --today 后面缺少值"),
    (["list", "就业培训科"], "多余的参数：就业培训科"),
    (["report", "--format", "pdf"], "--format 的值「pdf」无效，可用：table、md、html、xlsx"),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_every_usage_error_is_one_chinese_line_and_exit_2(data_dir: Path, args: list[str], expected: str) -> None:
    result = gkplan(*args, cwd=data_dir.parent)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gkplan: 用法错误：")
    assert expected in lines[0]
    assert re.search(r"[a-zA-Z]{4,} [a-zA-Z]{4,}", lines[0].replace("gkplan", "")) is None  # no English sentence left


@pytest.mark.parametrize(("alias", "command"), [("逾期", "overdue"), ("清单", "list"), ("到期", "due"), ("汇总", "summary")])
def test_chinese_command_names_run_the_command(data_dir: Path, alias: str, command: str) -> None:
    chinese = gkplan(alias, "--today", TODAY, cwd=data_dir.parent)
    english = gkplan(command, "--today", TODAY, cwd=data_dir.parent)
    assert chinese.returncode == english.returncode == 0
    assert chinese.stdout == english.stdout


def test_chinese_show_and_done(data_dir: Path) -> None:
    assert gkplan("查看", "2", "--today", TODAY, cwd=data_dir.parent).stdout.startswith("任务 2 · 加强历史公文转化公开")
    done = gkplan("完成", "2", "--unit", "就业培训科", "--today", TODAY, env={"GKPLAN_USER": ""}, cwd=data_dir.parent)
    assert done.returncode == 0
    assert done.stdout == "任务 2：就业培训科 已完成（2022-10-08）；任务状态：进行中\n"


def test_version(tmp_path: Path) -> None:
    result = gkplan("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"gkplan {__version__}\n", "")


@pytest.mark.parametrize("command", ["list", "show", "done", "import", "report", "date", "check"])
def test_help_has_no_type_noise_and_chinese_panels(tmp_path: Path, command: str) -> None:
    result = gkplan(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert re.search(r"<(str|bool|int|list|path)", result.stdout) is None
    assert "选项" in result.stdout
    assert "显示本帮助并退出" in result.stdout
    assert "Show this message" not in result.stdout


def test_an_output_that_cannot_show_chinese_gives_one_line_and_no_traceback(data_dir: Path) -> None:
    result = gkplan("overdue", "--today", TODAY, cwd=data_dir.parent, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "PYTHONIOENCODING=utf-8" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_pointing_at_the_plan_file_or_the_repository(data_dir: Path) -> None:
    file = gkplan("list", "--data", "data/tasks.yaml", cwd=data_dir.parent)
    assert file.returncode == 3
    assert file.stderr == "gkplan: 错误：--data 应是数据目录，data/tasks.yaml 是一个文件；请写它所在的目录：--data data\n"
    repo = gkplan("list", "--data", ".", cwd=data_dir.parent)
    assert repo.returncode == 3
    assert repo.stderr.strip().endswith("数据在其中的 data/：--data data")
    env = gkplan("list", cwd=data_dir.parent.parent, env={"GKPLAN_DATA": str(data_dir.parent)})
    assert f"GKPLAN_DATA={data_dir.resolve()}" in env.stderr


def test_a_section_that_matches_nothing_lists_the_sections(data_dir: Path) -> None:
    result = gkplan("list", "--section", "九", "--today", TODAY, cwd=data_dir.parent)
    assert result.returncode == 4
    assert result.stderr.startswith("gkplan: 错误：没有章节「九」；已有章节：一 进一步优化政务公开基础工作；二 ")
    assert gkplan("list", "--section", "信息公开平台", "--today", TODAY, cwd=data_dir.parent).returncode == 0  # words of a title


def test_today_written_the_chinese_way(data_dir: Path) -> None:
    chinese = gkplan("overdue", "--today", "2022年10月8日", cwd=data_dir.parent)
    assert chinese.returncode == 0
    assert chinese.stdout == gkplan("overdue", "--today", "2022/10/08", cwd=data_dir.parent).stdout


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_every_written_form_of_a_day_reads_back(day: date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}{day.month:02d}{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year} 年 {day.month} 月 {day.day} 日",
        f"{day.year}年{day.month:02d}月{day.day:02d}",
    ]
    for text in forms:
        assert parse_day(text, "--today") == day, text


def test_done_with_a_date_after_today_warns_but_records(data_dir: Path) -> None:
    result = gkplan(
        "done", "2", "--unit", "高服中心", "--today", TODAY, "--date", "2022-10-20", env={"GKPLAN_USER": ""}, cwd=data_dir.parent
    )
    assert result.returncode == 0
    assert result.stderr == "gkplan: 警告：登记日期 2022-10-20 晚于今天（2022-10-08）；写错了请用 --date 改正后重新登记\n"
    assert "date: 2022-10-20" in (data_dir / "tasks.yaml").read_text(encoding="utf-8")


def test_a_group_given_to_done_suggests_a_member_responsible_for_the_task(data_dir: Path) -> None:
    before = (data_dir / "tasks.yaml").read_bytes()
    result = gkplan("done", "20", "--unit", "局属各单位", "--today", TODAY, cwd=data_dir.parent)
    assert result.returncode == 2
    # task 20 is 就业培训科、就业促进中心、社会保障服务中心: of 局属各单位, only two are responsible
    assert "如 --unit 就业促进中心；本任务中属于该组的：就业促进中心、社会保障服务中心" in result.stderr
    assert (data_dir / "tasks.yaml").read_bytes() == before
