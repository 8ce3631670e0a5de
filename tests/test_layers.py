"""The walls between layers, read from the source with ``ast`` (imports inside functions too).

Data flows one way: YAML -> store -> model -> query -> render -> terminal, and the CLI
on top is the only module that knows the environment and the clock.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gkplan"
# What the store may import: the value types and pure rules below it (and the package's version).
STORE_MAY_IMPORT = {"gkplan", "gkplan.model", "gkplan.errors", "gkplan.charsets", "gkplan.deadlines", "gkplan.workdays", "gkplan.updates"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imports_of(path: Path) -> set[str]:
    """Every gkplan module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES)
    return {name for name in found if name == "gkplan" or name.startswith("gkplan.")}


def in_layer(name: str, layer: str) -> bool:
    return name == layer or name.startswith(layer + ".")


def test_the_graph_is_read_at_all() -> None:
    assert "gkplan.store.writer" in MODULES
    assert "gkplan.store.atomic" in imports_of(MODULES["gkplan.store.writer"])
    assert "gkplan.store" in imports_of(MODULES["gkplan.cli"])  # a lazy import inside a function counts


@pytest.mark.parametrize("module", [m for m in MODULES if in_layer(m, "gkplan.render")])
def test_render_never_imports_the_store_or_the_cli(module: str) -> None:
    wrong = {name for name in imports_of(MODULES[module]) if in_layer(name, "gkplan.store") or in_layer(name, "gkplan.cli")}
    assert not wrong, f"{module} imports {wrong}: renderers get data, they do not load it"


@pytest.mark.parametrize("module", [m for m in MODULES if in_layer(m, "gkplan.store")])
def test_the_store_imports_only_what_sits_below_it(module: str) -> None:
    wrong = {name for name in imports_of(MODULES[module]) if not in_layer(name, "gkplan.store") and name not in STORE_MAY_IMPORT}
    assert not wrong, f"{module} imports {wrong}: move shared value types down (model.py)"


@pytest.mark.parametrize("module", ["gkplan.model", "gkplan.errors", "gkplan.charsets", "gkplan.workdays"])
def test_the_bottom_imports_nothing_above_it(module: str) -> None:
    allowed = {"gkplan.errors", "gkplan.model"}
    assert imports_of(MODULES[module]) <= allowed


@pytest.mark.parametrize("module", [m for m in MODULES if m not in ("gkplan.cli", "gkplan.__main__")])
def test_nothing_imports_the_cli(module: str) -> None:
    """(The entry point only switches the garbage collector off, then runs the CLI.)"""
    assert "gkplan.cli" not in imports_of(MODULES[module])


def _reads_a_variable(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ("getenv", "getenvb", "putenv"):
        return True
    if isinstance(node, ast.Attribute) and node.attr == "get":
        return ast.unparse(node.value).endswith("environ")
    if isinstance(node, ast.Subscript):
        return ast.unparse(node.value).endswith("environ")
    if isinstance(node, ast.Compare):
        return any(ast.unparse(c).endswith("environ") for c in node.comparators)
    return False


def environment_reads(path: Path) -> list[int]:
    """Lines that read a variable: ``os.environ.get``/``[...]``/``in``, ``os.getenv``.
    Handing the whole environment to a child process (``dict(os.environ, ...)``) is not a read."""
    return [node.lineno for node in ast.walk(tree(path)) if _reads_a_variable(node)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", [m for m in MODULES if m != "gkplan.cli"])
def test_below_the_cli_nothing_reads_the_environment(module: str) -> None:
    assert environment_reads(MODULES[module]) == [], f"{module}: the CLI decides (Output, cache folder, limits) and passes it down"


def test_the_cli_reads_it() -> None:
    assert environment_reads(MODULES["gkplan.cli"])  # the check above would pass on a broken reader


def test_no_two_modules_share_a_name() -> None:
    """``review`` and ``render.review``, ``settings`` and ``store.settings`` once did: a reader
    could not tell from an import which one was meant. One name, one module."""
    stems: dict[str, list[str]] = {}
    for module in MODULES:
        stems.setdefault(module.rsplit(".", 1)[-1], []).append(module)
    shared = {stem: names for stem, names in stems.items() if len(names) > 1 and stem not in ("gkplan", "render", "store")}
    assert shared == {}
