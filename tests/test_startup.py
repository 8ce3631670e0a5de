"""``main`` builds only the command being run; users must not be able to tell."""

from __future__ import annotations

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
