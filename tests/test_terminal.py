"""Tables fit the real terminal: the real ``gkplan`` in pseudo-terminals of 80, 100 and 160 columns, COLUMNS unset.

A shell such as bash sets COLUMNS without exporting it, so the program must ask the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import EXAMPLES

GKPLAN = str(Path(sys.executable).with_name("gkplan"))
TODAY = "2022-10-08"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def progress(tmp_path: Path) -> Path:
    """A copy of the demo data with progress (blocked, stale, verified tasks: every report section shows)."""
    target = tmp_path / "demo" / "data"
    shutil.copytree(EXAMPLES / "2022-progress" / "data", target)
    return target


def in_terminal(args: list[str], columns: int, *, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Run gkplan with its stdout on a pseudo-terminal ``columns`` wide; the lines as a person sees them."""
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen([GKPLAN, *args], stdin=slave, stdout=slave, stderr=slave, env={**base, **(env or {})}, close_fds=True)
    os.close(slave)
    chunks = []
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal (Linux: EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = process.wait(timeout=60)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    return code, text.splitlines()


REPORTS = [["list"], ["overdue"], ["due", "--within", "60"], ["summary"], ["show", "20"], ["units"], ["report"], ["review"]]


@pytest.mark.parametrize("columns", [80, 100, 160])
@pytest.mark.parametrize("command", REPORTS, ids=" ".join)
def test_no_line_is_wider_than_the_terminal(progress: Path, command: list[str], columns: int) -> None:
    code, lines = in_terminal([*command, "--data", str(progress), "--today", TODAY], columns)
    assert code == 0, lines
    assert lines
    too_wide = [line for line in lines if cell_len(line) > columns]
    assert too_wide == []


def test_at_160_columns_no_name_or_unit_list_wraps(progress: Path) -> None:
    for command in (["list"], ["overdue"], ["due", "--within", "60"]):
        code, lines = in_terminal([*command, "--data", str(progress), "--today", TODAY], 160)
        assert code == 0
        rows = [line for line in lines if line[:1] in ("红", "黄", "绿", "完", "—")]
        piped = subprocess.run([GKPLAN, *command, "--data", str(progress), "--today", TODAY], capture_output=True, text=True, check=True)
        piped_rows = [line for line in piped.stdout.splitlines() if line[:1] in ("红", "黄", "绿", "完", "—")]
        assert [row.split()[:4] for row in rows] == [row.split()[:4] for row in piped_rows]  # whole names and unit lists
        assert not any("…" in row for row in rows)
        assert len(lines) == len(piped.stdout.splitlines())  # not one continuation line


def test_at_80_columns_kind_and_phrase_give_way_names_shorten_and_lists_break_at_the_comma(progress: Path) -> None:
    code, lines = in_terminal(["list", "--data", str(progress), "--today", TODAY], 80)
    assert code == 0
    assert lines[0].split() == ["灯", "序号", "任务名称", "责任单位", "截止日期", "状态", "剩余"]  # 类型, 时间节点 dropped
    assert any("…" in line for line in lines)  # long names shortened…
    assert not any(len(line.strip()) == 1 for line in lines)  # …rather than one-character towers
    continuation = [piece for line in lines[2:] if line.startswith(" ") for piece in re.split(r"\s{2,}", line.strip())]
    assert continuation
    assert all(re.fullmatch(r"[^、\s]+(、[^、\s]+)*、?|久无进展", piece) for piece in continuation)  # whole pieces only
    units = {
        "局机关各科室",
        "局属各单位",
        "局办公室",
        "就业培训科",
        "就业促进中心",
        "社会保障服务中心",
        "人才开发科",
        "人才服务中心",
        "高服中心",
    }
    for line in lines[2:]:  # every piece of a unit list is a whole unit name
        for piece in re.split(r"\s{2,}", line.strip()):
            if "、" in piece:
                assert {p for p in piece.split("、") if p} <= units


def test_the_report_unit_table_keeps_whole_headers_at_80(progress: Path) -> None:
    code, lines = in_terminal(["report", "--data", str(progress), "--today", TODAY], 80)
    assert code == 0
    header = next(line for line in lines if line.startswith("灯") and "单位" in line)
    assert header.split() == ["灯", "单位", "任务", "完成", "核销", "逾期", "30天内到期", "久无进展", "受阻", "完成率"]  # 类别 gave way


def test_an_exported_columns_wins_over_the_terminal_size(progress: Path) -> None:
    code, lines = in_terminal(["list", "--data", str(progress), "--today", TODAY], 160, env={"COLUMNS": "90"})
    assert code == 0
    assert max(cell_len(line) for line in lines) <= 90
    assert max(cell_len(line) for line in lines) > 80


def test_a_pipe_gets_whole_rows_whatever_the_width(progress: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    wide = subprocess.run([GKPLAN, "list", "--data", str(progress), "--today", TODAY], capture_output=True, text=True, env=env, check=True)
    narrow = subprocess.run(
        [GKPLAN, "list", "--data", str(progress), "--today", TODAY],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "40"},
        check=True,
    )
    assert narrow.stdout == wide.stdout
    assert "…" not in wide.stdout
    assert wide.stdout.splitlines()[0].split()[4:6] == ["时间节点", "类型"]


def test_the_command_list_in_help_is_one_line_per_command_at_80_columns() -> None:
    from gkplan.cli import SHORT_HELP

    code, lines = in_terminal(["--help"], 80)
    assert code == 0
    rows = [line for line in lines if line.startswith("│ ") and line.split()[1:2] and line.split()[1] in SHORT_HELP]
    assert [line.split()[1] for line in rows] == list(SHORT_HELP)  # every command, each on its own single line
    assert all(SHORT_HELP[line.split()[1]] in line for line in rows)  # nothing cut or wrapped
    assert all(cell_len(line) <= 80 for line in lines)
