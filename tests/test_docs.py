"""The README shows real output: every ``<!-- tour: gkplan … -->`` block is the command's actual output."""

from __future__ import annotations

import re
import shlex

import pytest

from gkplan.cli import app
from tests.conftest import REPO, Runner

README = REPO / "README.md"
TOUR = re.compile(r"<!-- tour: (?P<cmd>[^\n]+?) -->\n```text\n(?P<out>.*?)```", re.S)


def tour_blocks() -> list[tuple[str, str]]:
    return [(m.group("cmd"), m.group("out")) for m in TOUR.finditer(README.read_text(encoding="utf-8"))]


def test_readme_has_a_tour() -> None:
    commands = [cmd for cmd, _ in tour_blocks()]
    assert "gkplan overdue --today 2022-10-08" in commands
    assert len(commands) >= 6


@pytest.mark.parametrize(("command", "shown"), tour_blocks(), ids=[c for c, _ in tour_blocks()])
def test_readme_output_is_real(command: str, shown: str, gkplan: Runner, request: pytest.FixtureRequest) -> None:
    args = shlex.split(command)
    assert args[0] == "gkplan"
    result = gkplan(*args[1:])
    assert result.exit_code == 0, result.stderr
    if request.config.getoption("--update-golden"):
        text = README.read_text(encoding="utf-8")
        block = f"<!-- tour: {command} -->\n```text\n{shown}```"
        README.write_text(text.replace(block, f"<!-- tour: {command} -->\n```text\n{result.stdout}```"), encoding="utf-8")
        return
    assert result.stdout == shown


def test_every_command_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    names = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)
    missing = [name for name in names if f"gkplan {name}" not in text]
    assert not missing, f"commands missing from README: {missing}"
