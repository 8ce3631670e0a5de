"""Shared fixtures: every test runs in a temp dir, on a copy of the data, with fixed output settings."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner, Result

from gkplan.cli import app
from gkplan.store import configure

REPO = Path(__file__).resolve().parents[1]
SHIPPED_DATA = REPO / "data"
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"

# Three units and the two groups: enough for a hand-written plan in a store or check test.
SMALL_UNITS = """units:
  局办公室: {kind: 局机关科室, aliases: [办公室]}
  就业培训科: {kind: 局机关科室}
  就业促进中心: {kind: 局属单位}
groups:
  局机关各科室: {kind: 局机关科室}
  局属各单位: {kind: 局属单位}
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from current output")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the repository's data, the user's cache or the real clock's colour settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.delenv("GKPLAN_DATA", raising=False)
    monkeypatch.delenv("GKPLAN_TODAY", raising=False)
    configure(cache_dir=tmp_path / ".cache" / "gkplan")  # as the CLI would from XDG_CACHE_HOME: library calls see the same


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the shipped 2022 plan, in ``repo/data``; the working directory is ``repo``."""
    target = tmp_path / "repo" / "data"
    shutil.copytree(SHIPPED_DATA, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(target.parent)
    return target


Runner = Callable[..., Result]


@pytest.fixture
def gkplan(data_dir: Path) -> Runner:
    """Run the CLI on the copied data: ``gkplan("list", "--unit", "就业培训科")``."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None, data: Path | None = None) -> Result:
        full = list(args)
        if "--data" not in full and data is not False:
            full += ["--data", str(data or data_dir)] if _takes_data(full) else []
        return runner.invoke(app, full, env=env, catch_exceptions=False)

    return run


_NO_DATA_COMMANDS = {"date", "--help", "-h", "init"}


def _takes_data(args: list[str]) -> bool:
    return bool(args) and args[0] not in _NO_DATA_COMMANDS and "--help" not in args and "-h" not in args


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/NAME``; ``pytest --update-golden`` rewrites it."""

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden and review the diff"
        assert actual == path.read_text(encoding="utf-8")

    return check


BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def make_plans() -> ModuleType:
    """``bench/make_plans.py`` as a module: synthetic plans in the real schema, for tests at scale."""
    spec = importlib.util.spec_from_file_location("bench_make_plans", BENCH / "make_plans.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
