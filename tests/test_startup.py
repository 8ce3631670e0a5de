"""``main`` builds only the command being run; users must not be able to tell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command_name
from typer.testing import CliRunner

from gkplan.cli import app, app_for

COMMANDS = sorted(info.name or get_command_name(info.callback.__name__) for info in app.registered_commands)  # type: ignore[union-attr]


def test_a_command_name_gets_an_app_with_that_command_only() -> None:
    slim = app_for(["overdue", "--today", "2022-10-08"])
    assert slim is not app
    assert [info.name or get_command_name(info.callback.__name__) for info in slim.registered_commands] == ["overdue"]  # type: ignore[union-attr]


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["overdu"], ["no-such-command"]])
def test_listings_and_unknown_names_get_the_whole_app(args: list[str]) -> None:
    assert app_for(args) is app


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_is_the_same_either_way(name: str) -> None:
    runner = CliRunner()
    whole = runner.invoke(app, [name, "--help"], prog_name="gkplan")
    slim = runner.invoke(app_for([name, "--help"]), [name, "--help"], prog_name="gkplan")
    assert whole.exit_code == slim.exit_code == 0
    assert slim.stdout == whole.stdout
    assert f"Usage: gkplan {name}" in slim.stdout


def test_a_usage_error_reads_the_same_either_way(data_dir: object) -> None:
    runner = CliRunner()
    args = ["overdue", "--today", "2022-13-01"]
    whole = runner.invoke(app, args, prog_name="gkplan")
    slim = runner.invoke(app_for(args), args, prog_name="gkplan")
    assert slim.exit_code == whole.exit_code == 2
    assert slim.stderr == whole.stderr
    assert "2022-13-01" in slim.stderr


# The process ends with os._exit once its output is flushed (``cli.exit_now``): whatever a
# command printed must still arrive whole, and a reader that leaves early or a full disk
# must end it cleanly.
GKPLAN = str(Path(sys.executable).with_name("gkplan"))


def test_all_output_arrives_through_a_pipe(data_dir: Path) -> None:
    listing = subprocess.run([GKPLAN, "list", "--data", str(data_dir), "-f", "json"], capture_output=True, text=True, check=True)
    assert len(json.loads(listing.stdout)) == 32
    assert listing.stderr == ""


def test_a_reader_that_leaves_early_is_no_error(tmp_path: Path) -> None:
    """1,000 tasks print ~200 KB, more than a pipe holds: ``head`` leaves while gkplan still writes."""
    make_plans = Path(__file__).parents[1] / "bench" / "make_plans.py"
    data = tmp_path / "data"
    subprocess.run([sys.executable, str(make_plans), "--tasks", "1000", "--layout", "single", "--out", str(data)], check=True)
    shell = f"'{GKPLAN}' list --data '{data}' | head -n 1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("灯")
    assert done.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line_and_exit_3(data_dir: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([GKPLAN, "list", "--data", str(data_dir)], stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("gkplan: 错误：无法写出结果")
    assert len(done.stderr.splitlines()) == 1
