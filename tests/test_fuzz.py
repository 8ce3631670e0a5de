"""Fuzz: thousands of random edits of the shipped files never make ``check`` crash.

The mutations are the mistakes and attacks a pull request can carry: lines deleted,
duplicated or swapped, characters and indentation changed, anchors, aliases, tags and
tabs inserted, files truncated or re-saved as GBK. The seed is fixed, so a failure
reproduces; the counts keep the whole file at a few seconds.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gkplan.errors import Problem, Severity
from gkplan.validate import validate
from tests.conftest import SHIPPED_DATA, Runner

SEED = 20220525
MUTANTS = 2000  # through validate(): bounded by count, never by seconds (speed lives in bench/)
CLI_MUTANTS = 200  # through the command line, in process
PROCESS_MUTANTS = 6  # through a real process: a crash in C would not show in process

TASKS = (SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8")
UNITS = (SHIPPED_DATA / "units.yaml").read_text(encoding="utf-8")

NOISE = list(":-[]{}&*!|>'\"#%@`,? \t\n\\0123456789abc局科中心办公室全年月底前\u3000\ufeff")
INSERTS = [
    " &a",
    " *a",
    "&a ",
    "*a",
    " !!python/object/apply:os.system ['echo pwned']",
    " !!python/name:os.system",
    " !!binary aGk=",
    " !!str",
    " !!int",
    " !custom",
    "<<: *a",
    "\t",
    "- ",
    ": ",
    "? ",
    "---\n",
    "...\n",
    " [",
    " {",
    "'",
    '"',
    "\x07",
    "就业陪训科",
    "十月下旬前后",
    "2022-02-30",
]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "\n".join(lines)


def swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    a = rng.randrange(len(lines))
    b = min(len(lines) - 1, a + 1) if rng.random() < 0.5 else rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines)


def change_character(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text))
    return text[:at] + rng.choice(NOISE) + text[at + 1 :]


def change_indentation(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    line = lines[at]
    if rng.random() < 0.5 and line.startswith(" "):
        lines[at] = line[rng.randint(1, len(line) - len(line.lstrip(" "))) :]
    else:
        lines[at] = " " * rng.randint(1, 4) + line
    return "\n".join(lines)


def insert_token(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    line = lines[at]
    cut = line.find(":") + 1 if ":" in line and rng.random() < 0.7 else rng.randint(0, len(line))
    lines[at] = line[:cut] + rng.choice(INSERTS) + line[cut:]
    return "\n".join(lines)


def insert_tab(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines[at] = "\t" + lines[at].lstrip(" ") if rng.random() < 0.5 else lines[at].replace("  ", "\t", 1)
    return "\n".join(lines)


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def deep_nesting(rng: random.Random, text: str) -> str:
    opener = rng.choice(["[", "{a: ", "- "])
    return text + "\nx: " + opener * rng.choice([100, 1000, 20_000])


MUTATIONS: list[tuple[Callable[[random.Random, str], str], int]] = [
    (delete_line, 4),
    (duplicate_line, 4),
    (swap_lines, 4),
    (change_character, 6),
    (change_indentation, 4),
    (insert_token, 6),
    (insert_tab, 2),
    (truncate, 1),
    (deep_nesting, 1),
]


def mutant(rng: random.Random) -> tuple[bytes, bytes]:
    """Mutated (tasks.yaml, units.yaml) bytes: one to three edits, sometimes re-encoded."""
    tasks, units = TASKS, UNITS
    for _ in range(rng.randint(1, 3)):
        operation = rng.choices([m for m, _ in MUTATIONS], weights=[w for _, w in MUTATIONS])[0]
        if rng.random() < 0.2:
            units = operation(rng, units) or "\n"
        else:
            tasks = operation(rng, tasks) or "\n"
    encodings = ["utf-8"] * 16 + ["utf-8-sig", "gbk", "utf-16"]
    crlf = rng.random() < 0.05
    encoded = []
    for text in (tasks, units):
        if crlf:
            text = text.replace("\n", "\r\n")
        encoded.append(text.encode(rng.choice(encodings), errors="replace"))
    return encoded[0], encoded[1]


def write(root: Path, files: tuple[bytes, bytes]) -> None:
    for name, content in zip(("tasks.yaml", "units.yaml"), files, strict=True):
        path = root / name
        if not path.exists() or path.read_bytes() != content:  # most mutants leave units.yaml alone
            path.write_bytes(content)


def assert_sane(problems: list[Problem], root: Path) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert Path(problem.path).name in {"tasks.yaml", "units.yaml"}, problem
        assert problem.line >= 0
        assert problem.col >= 0
        assert problem.severity in (Severity.ERROR, Severity.WARNING)
        assert problem.code
        assert problem.message
    keys = [(p.path, p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    del root


def test_validate_never_raises(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    root = tmp_path / "data"
    root.mkdir()
    codes: set[str] = set()
    for number in range(MUTANTS):
        files = mutant(rng)
        write(root, files)
        try:
            problems = validate(root)
        except Exception as exc:  # pragma: no cover - the failure report
            failing = tmp_path / f"failing-{number}"
            failing.mkdir()
            write(failing, files)
            raise AssertionError(f"mutant {number} (seed {SEED}) raised {exc!r}; files kept in {failing}") from exc
        assert_sane(problems, root)
        codes.update(p.code for p in problems)
    # the mutations reach the reader's refusals and the builder's checks alike
    assert {"yaml-syntax", "duplicate-key", "alias", "tag", "tab", "encoding", "unknown-unit", "too-deep"} <= codes, codes


def test_cli_exits_0_or_1_without_traceback(gkplan: Runner, data_dir: Path) -> None:
    rng = random.Random(SEED + 1)
    exits: set[int] = set()
    for number in range(CLI_MUTANTS):
        write(data_dir, mutant(rng))
        result = gkplan("check", "--format", rng.choice(["text", "json", "github", "gitlab"]))
        assert result.exit_code in (0, 1), (number, result.stdout, result.stderr)
        assert result.stderr == "", (number, result.stderr)
        assert "Traceback" not in result.stdout
        exits.add(result.exit_code)
    assert exits == {0, 1}


@pytest.mark.parametrize("number", range(PROCESS_MUTANTS))
def test_real_process_survives_the_worst_mutants(number: int, tmp_path: Path) -> None:
    rng = random.Random(SEED + 2 + number)
    tasks = deep_nesting(rng, TASKS) if number % 2 else insert_token(rng, truncate(rng, TASKS))
    root = tmp_path / "data"
    root.mkdir()
    write(root, (tasks.encode("utf-8"), UNITS.encode("utf-8")))
    result = subprocess.run(
        [sys.executable, "-c", "from gkplan.cli import main; main()", "check", "--data", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].startswith("检查")
