"""The only code that touches the data files: find them, read them safely, build the model.

Layout of a data root (``--data``, ``GKPLAN_DATA`` or the nearest ``data/``):

- ``units.yaml`` defines the units of the plans in its folder and the folders below;
- every other ``*.yaml`` file there is one plan (the shipped one is ``tasks.yaml``);
- ``settings.yaml`` (optional) holds the office's report rules, never a plan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gkplan.errors import DataError, Problem, Severity
from gkplan.model import Plan, Task, UnitDirectory
from gkplan.store.build import build_plan, build_units
from gkplan.store.reader import Document, display_path, read_document

UNITS_FILE = "units.yaml"
TASKS_FILE = "tasks.yaml"
NOT_PLANS = {UNITS_FILE, "settings.yaml"}
DATA_ENV = "GKPLAN_DATA"


@dataclass(slots=True)
class Workspace:
    """Every plan found under one data root, and the problems found on the way."""

    root: Path
    plans: list[Plan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    directories: list[UnitDirectory] = field(default_factory=list)  # one per units.yaml read
    documents: dict[str, Document] = field(default_factory=dict)  # by shown path; only with check=True

    @property
    def qualified(self) -> bool:
        """With several plans loaded, task ids are written ``plan:id``."""
        return len(self.plans) > 1

    @property
    def tasks(self) -> list[Task]:
        return [task for plan in self.plans for task in plan.tasks]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def plan_of(self, task: Task) -> Plan:
        return next(plan for plan in self.plans if plan.id == task.plan)


def find_data_dir(explicit: str | None = None, *, cwd: Path | None = None) -> Path:
    """``--data``, else ``$GKPLAN_DATA``, else the nearest ``data/`` upward from ``cwd``."""
    chosen = explicit or os.environ.get(DATA_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_dir():
            origin = "--data" if explicit else DATA_ENV
            raise DataError(f"数据目录不存在：{chosen}（来自 {origin}）", hint="请指向含有 tasks.yaml 和 units.yaml 的目录")
        return path
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if _is_data_root(folder) and folder.name == "data":
            return folder
        candidate = folder / "data"
        if _is_data_root(candidate):
            return candidate
    if _is_data_root(start):
        return start
    raise DataError(
        "找不到数据目录：当前目录及其上级都没有含 tasks.yaml 的 data/ 目录",
        hint="请在计划仓库中运行，或用 --data 目录 / 环境变量 GKPLAN_DATA 指定",
    )


def _is_data_root(folder: Path) -> bool:
    return (folder / TASKS_FILE).is_file() or (folder / UNITS_FILE).is_file()


def plan_files(root: Path) -> list[tuple[Path, Path | None]]:
    """Every plan file under ``root`` with the ``units.yaml`` that governs it (nearest above)."""
    found: list[tuple[Path, Path | None]] = []

    def visit(folder: Path, units: Path | None) -> None:
        own = folder / UNITS_FILE
        if own.is_file():
            units = own
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_file() and entry.suffix in (".yaml", ".yml") and entry.name not in NOT_PLANS:
                found.append((entry, units))
        for entry in entries:
            if entry.is_dir() and not entry.name.startswith((".", "_")):
                visit(entry, units)

    visit(root, None)
    return found


def load_units(path: Path) -> tuple[UnitDirectory, list[Problem]]:
    document = read_document(path)
    directory, problems = build_units(document.data, document.path)
    return directory, document.problems + problems


def load_workspace(root: Path, *, check: bool = False) -> Workspace:
    """Load every plan under ``root``. Raises ``DataError`` only when nothing usable is there.

    ``check=True`` is for ``gkplan check``: a file that cannot be read at all (bad YAML,
    not UTF-8, hostile, too big) becomes an ERROR problem and loading goes on with the
    other files; the parsed documents are kept in ``Workspace.documents`` for the checks
    that need the text. Reports keep the default: one unreadable file stops them, since a
    report that silently skips a plan would tell the weekly meeting that nothing is late.
    """
    workspace = Workspace(root)
    files = plan_files(root)
    if not files:
        raise DataError(
            f"数据目录里没有计划文件（{TASKS_FILE}）",
            where=display_path(root),
            hint="请检查 --data 指向的目录",
            code="no-plans",
        )
    directories: dict[Path, UnitDirectory | None] = {}  # None: that units.yaml could not be read

    def unusable(exc: DataError, shown: str) -> None:
        if not check:
            raise exc
        workspace.problems.append(exc.as_problem(shown))

    for plan_path, units_path in files:
        directory: UnitDirectory | None = None
        if units_path is None:
            unusable(
                DataError(
                    f"找不到 {UNITS_FILE}：计划文件所在目录及其上级都没有",
                    where=display_path(plan_path),
                    hint=f"请在 {display_path(root)} 中添加 {UNITS_FILE}",
                    code="no-units",
                ),
                display_path(plan_path),
            )
        elif units_path in directories:  # shared by several plans: read (and reported) once
            directory = directories[units_path]
        else:
            directories[units_path] = None
            try:
                units_document = read_document(units_path)
            except DataError as exc:
                unusable(exc, display_path(units_path))
            else:
                directory, problems = build_units(units_document.data, units_document.path)
                directories[units_path] = directory
                workspace.directories.append(directory)
                workspace.problems.extend(units_document.problems + problems)
                if check:
                    workspace.documents[units_document.path] = units_document
        try:
            document = read_document(plan_path)
        except DataError as exc:
            unusable(exc, display_path(plan_path))
            continue
        default_id = "" if plan_path.name == TASKS_FILE else plan_path.stem
        plan, problems = build_plan(
            document.data,
            document.path,
            directory or UnitDirectory(),
            default_id=default_id,
            units_ok=directory is not None and bool(directory.units),
        )
        workspace.problems.extend(document.problems)
        workspace.problems.extend(problems)
        workspace.plans.append(plan)
        if check:
            workspace.documents[document.path] = document
    return workspace
