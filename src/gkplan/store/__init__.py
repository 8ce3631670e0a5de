"""The only code that touches the data files: find them, read them safely, build the model.

Layout of a data root (``--data``, ``GKPLAN_DATA`` or the nearest ``data/``):

- ``units.yaml`` defines the units of the plans in its folder and the folders below;
- every other ``*.yaml`` file there is one plan (the shipped one is ``tasks.yaml``);
- ``settings.yaml`` (optional) holds the office's report rules, never a plan.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from gkplan.errors import DataError, Problem, Severity
from gkplan.model import Deadline, Plan, Settings, Source, Task, TaskIds, UnitDirectory
from gkplan.store import cache
from gkplan.store.reader import (
    MAX_BYTES_DEFAULT,
    Document,
    ItemHook,
    decode,
    display_path,
    display_paths,
    parse_bytes,
    parse_text,
    read_bytes,
    set_max_bytes,
)
from gkplan.store.snapshot import Seen, Snapshot, Stat, digest_of, folder_stat

if TYPE_CHECKING:
    from gkplan.store.build import TaskWatch
    from gkplan.store.writer import KnownContent, UpdateResult

UNITS_FILE = "units.yaml"
TASKS_FILE = "tasks.yaml"
NOT_PLANS = {UNITS_FILE, "settings.yaml"}
P = TypeVar("P", bound=PurePath)  # a file on disk, or a path inside a git commit
TaskFilter = Callable[[int, Deadline], bool]  # which tasks to build, by id and resolved deadline
_HERE = PurePosixPath()


class Inspector(Protocol):
    """What ``gkplan check`` looks at while plan files are parsed (``validate``), so no file's
    plain data need be kept whole: each task mapping as it is read, then each plan and its document."""

    def watch(self, path: str, text: str) -> TaskWatch | None:
        """Before the file at ``path`` is parsed: what sees its task mappings (``None``: keep them in the document)."""

    def parsed(self, plan: Plan, document: Document, problems: list[Problem]) -> None:
        """The file's plan, its document and the problems found in it, once all are made."""


@dataclass(slots=True)
class Workspace:
    """Every plan found under one data root, and the problems found on the way."""

    root: Path
    plans: list[Plan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    directories: list[UnitDirectory] = field(default_factory=list)  # one per units.yaml read
    documents: dict[str, Document] = field(default_factory=dict)  # by shown path; only with check=True
    settings: Settings = field(default_factory=Settings)  # settings.yaml of the data root
    settings_problems: list[Problem] = field(default_factory=list)  # also in ``problems`` with check=True
    # for_update=True: the plan files read through the snapshot, by shown path (``remember_update``)
    loaded: dict[str, LoadedPlan] = field(default_factory=dict, repr=False)
    snapshot: Snapshot | None = field(default=None, repr=False)  # the data root's records, read at load
    # check=True: plan files served with their cached checks, by shown path: (lint warnings, suppressed)
    checked: dict[str, tuple[list[Problem], list[Problem]]] = field(default_factory=dict, repr=False)
    check_keys: dict[str, str] = field(default_factory=dict, repr=False)  # check=True: parsed clean plans' cache keys

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


@dataclass(frozen=True, slots=True)
class LoadedPlan:
    """A plan file as an update loaded it: enough to record the file the update writes without
    reading, hashing or parsing it again."""

    digest: str  # of the bytes its parse was made from
    raw: bytes | None  # those bytes, when the load had to read them (their stat proved nothing)
    packed: Any  # the parse (cache_codec's packed plan)


def configure(*, cache_dir: Path | None, max_bytes: int = MAX_BYTES_DEFAULT) -> None:
    """What the CLI decided from the environment: where the parse cache lives (``None``:
    no cache) and the largest data file read. Nothing in the store reads the environment."""
    cache.use(cache_dir)
    set_max_bytes(max_bytes)


def find_data_dir(chosen: str | None = None, *, origin: str = "--data", cwd: Path | None = None) -> Path:
    """The folder ``chosen`` names (``origin`` says where the name came from, for the
    message), else the nearest ``data/`` upward from ``cwd``."""
    if chosen:
        path = Path(chosen).expanduser()

        def written(folder: Path) -> str:
            return f"--data {display_path(folder)}" if origin == "--data" else f"{origin}={folder.resolve()}"

        if path.is_file():
            raise DataError(f"{origin} 应是数据目录，{chosen} 是一个文件", hint=f"请写它所在的目录：{written(path.parent)}")
        if not path.is_dir():
            raise DataError(f"数据目录不存在：{chosen}（来自 {origin}）", hint="请指向含有 tasks.yaml 和 units.yaml 的目录")
        if not _holds_data(path) and _holds_data(path / "data"):  # the repository, not its data folder
            raise DataError(f"{chosen} 不是数据目录（没有 tasks.yaml、units.yaml）", hint=f"数据在其中的 data/：{written(path / 'data')}")
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


def _holds_data(folder: Path) -> bool:
    return (folder / TASKS_FILE).is_file() or (folder / UNITS_FILE).is_file()


def _is_data_root(folder: Path) -> bool:
    """Holds a plan, or units, or (several bureaus) sub-folders that hold units."""
    if (folder / TASKS_FILE).is_file() or (folder / UNITS_FILE).is_file():
        return True
    try:
        return folder.is_dir() and any((child / UNITS_FILE).is_file() for child in folder.iterdir() if child.is_dir())
    except OSError:
        return False


def plan_files(root: Path) -> list[tuple[Path, Path | None]]:
    """Every plan file under ``root`` with the ``units.yaml`` that governs it (nearest above).

    Hostile folders (a pull request can commit anything) are walked safely: symlinked
    folders are not followed (two links to ``.`` would loop forever), a file reached twice
    counts once (a symlink to a plan file that is also there under its own name is
    skipped), and an unreadable folder is refused by name. Anything named like a plan that
    is not a regular file (a dangling symlink, a FIFO, a device) is kept, so that reading
    it gives a clear refusal, not "no plan file".
    """
    return walk_plan_files(root)[0]


def walk_plan_files(root: Path) -> tuple[list[tuple[Path, Path | None]], list[tuple[str, Stat]] | None]:
    """``plan_files``, and every folder walked with its stat taken before it was listed
    (``None`` when the root holds a symbolic link: see ``Snapshot.listing``)."""
    names: dict[PurePosixPath, tuple[bool, tuple[int, int] | None]] = {}  # relative path -> (is a link, file id)
    folders: list[tuple[str, Stat]] = []
    links = False

    def visit(folder: Path, relative: PurePosixPath) -> None:
        nonlocal links
        folders.append((relative.as_posix() if relative.parts else "", folder_stat(folder)))
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            raise DataError(
                f"无法读取目录：{exc.strerror}",
                where=display_path(folder),
                hint="请检查该目录的权限，或把不属于计划的目录移出数据目录",
                code="unreadable",
            ) from None
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                visit(Path(entry.path), relative / entry.name)
                continue
            link = entry.is_symlink()
            links = links or link
            names[relative / entry.name] = (link, _file_id(entry))

    visit(root, PurePosixPath())
    found = plan_files_in(names)
    real = {names[path][1] for path, _ in found if not names[path][0]} - {None}
    linked: set[tuple[int, int] | None] = set()
    kept: list[tuple[Path, Path | None]] = []
    for path, units in found:
        link, key = names[path]
        if link and key is not None and (key in real or key in linked):
            continue  # the same file again, through a link
        linked.add(key if link else None)
        kept.append((root / path, root / units if units else None))
    return kept, None if links else folders


def _file_id(entry: os.DirEntry[str]) -> tuple[int, int] | None:
    """The (device, inode) of the file behind ``entry``; ``None`` for a dangling link."""
    try:
        info = entry.stat()  # follows symlinks: the file itself
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info.st_ino else None  # Windows' scandir gives no inode: no dedup there


def inside_data(path: PurePosixPath, root: PurePosixPath) -> PurePosixPath | None:
    """``path`` relative to the data folder ``root``, or ``None`` when it is outside it or
    inside a name starting with ``.`` or ``_`` (not data: notes, drafts, tools' folders)."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    if not relative.parts or any(part.startswith((".", "_")) for part in relative.parts):
        return None
    return relative


def plan_files_in(paths: Iterable[PurePosixPath], root: PurePosixPath = _HERE) -> list[tuple[PurePosixPath, PurePosixPath | None]]:
    """The one rule for which files are plans: of ``paths`` (a folder's files, or a commit's
    tree), the ``.yaml``/``.yml`` files under ``root`` that are not units or settings, none
    inside a name starting with ``.`` or ``_``, each with the ``units.yaml`` nearest above it.
    Ordered folder by folder: a folder's files by name, then its sub-folders by name."""
    inside: dict[PurePosixPath, PurePosixPath] = {}
    for path in paths:
        if (relative := inside_data(path, root)) is not None:
            inside[relative] = path
    units = {relative.parent for relative in inside if relative.name == UNITS_FILE}
    found = []
    for relative in sorted(inside, key=lambda p: [(1, part) for part in p.parts[:-1]] + [(0, p.name)]):
        if relative.suffix not in (".yaml", ".yml") or relative.name in NOT_PLANS:
            continue
        governing = next((folder for folder in (relative.parent, *relative.parent.parents) if folder in units), None)
        found.append((inside[relative], root / governing / UNITS_FILE if governing is not None else None))
    return found


def data_files(root: Path) -> list[Path]:
    """Every file gkplan reads (or locks) in a data folder, existing or not: never an output target."""
    from gkplan.store.settings import SETTINGS_FILE
    from gkplan.store.writer import lock_path

    files = [root / UNITS_FILE, root / SETTINGS_FILE, root / TASKS_FILE, lock_path(root / TASKS_FILE)]
    try:
        plans = plan_files(root)
    except DataError:
        plans = []
    for plan, units in plans:
        files += [plan, lock_path(plan)]
        if units is not None:
            files.append(units)
    return files


def _has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def load_units(path: Path, *, keep: dict[str, Document] | None = None) -> tuple[UnitDirectory, list[Problem], bytes]:
    """A ``units.yaml`` (from the cache when its content was seen before) and its raw bytes.

    With ``keep`` (``gkplan check``) the file is always parsed and its document kept
    there: the checks need the text, comments and exact columns.
    """
    shown = display_path(path)
    raw = read_bytes(path, shown)
    directory, problems = units_from_bytes(raw, shown, keep=keep)
    return directory, problems, raw


def units_from_bytes(raw: bytes, shown: str, *, keep: dict[str, Document] | None = None) -> tuple[UnitDirectory, list[Problem]]:
    """The content of a ``units.yaml`` (also an old version from git) -> the unit directory."""
    from gkplan.store.cache_codec import pack_units, unpack_units

    key = cache.cache_key("units", shown, raw)
    if keep is None and (packed := cache.load("units", key)) is not None:
        return unpack_units(packed)
    from gkplan.store.build import build_units

    document = parse_bytes(raw, shown)
    if keep is not None:
        keep[document.path] = document
    directory, problems = build_units(document.data, document.path)
    problems = document.problems + problems
    if not _has_errors(problems):
        cache.save("units", key, pack_units(directory, problems))
    return directory, problems


def plan_key(shown: str, digest: str, units_digest: str) -> str:
    """The per-file cache key of a plan file: its shown path, and the digests of its bytes and of
    its ``units.yaml``'s (``digest_of``: a caller that has them hashes no file twice)."""
    return cache.cache_key("plan", shown, digest, units_digest)


def plan_from_bytes(
    raw: bytes,
    shown: str,
    name: str,
    directory: UnitDirectory,
    units_raw: bytes | None,
    *,
    units_ok: bool = True,
    keep: dict[str, Document] | None = None,
    entries: dict[str, Any] | None = None,
    only: TaskFilter | None = None,
    save: bool = True,
    inspect: Inspector | None = None,
    digests: tuple[str, str] | None = None,
) -> tuple[Plan, list[Problem]]:
    """The content of one plan file (also an old version from git) -> the plan; ``name`` is its file name.

    ``entries`` collects the cache entries read or written, by key (for the snapshot, and
    ``gkplan check``'s cached checks). ``only``: build just the tasks it
    keeps (the cache entry still holds every task). ``save=False``: the caller saves the
    entries it collects (``cache.save``), once it has let the bytes go. ``inspect`` (with
    ``keep``): sees the task mappings as they are read, so the document need not keep them.
    ``digests``: of ``raw`` and of the ``units.yaml`` (then ``units_raw`` may be ``None``),
    when the caller has them.
    """
    from gkplan.store.cache_codec import pack_plan, pack_task

    if digests is None:
        assert units_raw is not None  # without digests the units.yaml's bytes are needed for the key
        digests = (digest_of(raw), digest_of(units_raw))
    key = plan_key(shown, *digests)
    if keep is None and units_ok and (entry := cache.load("plans", key)) is not None:
        if entries is not None:
            entries[key] = entry
        return _unpack(entry, directory, only)
    from gkplan.store.build import TaskStream, build_plan

    default_id = "" if name == TASKS_FILE else Path(name).stem
    packed: list[tuple[Any, ...]] = []  # with ``only``: every task packed as it is built, only the few kept stay objects

    def wanted(task: Task) -> bool:
        packed.append(pack_task(task))
        return only is None or only(task.id, task.deadline)

    text, has_bom = decode(raw, shown) if keep is not None else ("", False)  # kept: the checks read the text

    def parse(stream: tuple[str, ItemHook] | None) -> Document:
        if keep is None:
            return parse_bytes(raw, shown, keep_text=False, stream=stream)
        return parse_text(text, shown, has_bom=has_bom, newline="\r\n" if "\r\n" in text else "\n", stream=stream, utf8=raw)

    watch = inspect.watch(shown, text) if inspect is not None and keep is not None else None
    stream: TaskStream | None = None
    if keep is None or watch is not None:  # built task by task as the file is read
        stream = TaskStream(
            shown, directory, default_id=default_id, units_ok=units_ok, keep=wanted if only is not None else None, watch=watch
        )
        document = parse(("tasks", stream.item))
        if not stream.holds(document.data):
            if stream.builder is not None:  # e.g. a ``plan:`` after the tasks: read it again as a whole
                document = parse(None)
            stream = None
    else:  # a document kept whole (its tasks' mappings too)
        document = parse(None)
    if keep is not None:
        keep[document.path] = document
    plan, problems = build_plan(document.data, document.path, directory, default_id=default_id, units_ok=units_ok, streamed=stream)
    problems = document.problems + problems
    filtered = stream is not None and only is not None  # ``plan.tasks`` holds only what ``only`` keeps; ``packed`` holds all
    if units_ok and not _has_errors(problems):
        entry = pack_plan(plan, problems, tuple(packed) if filtered else None)
        if save or entries is None:
            cache.save("plans", key, entry)
        if entries is not None:
            entries[key] = entry
    if only is not None and not filtered:
        plan = replace(plan, tasks=tuple(task for task in plan.tasks if only(task.id, task.deadline)))
    return plan, problems


def _unpack(packed: Any, directory: UnitDirectory, only: TaskFilter | None) -> tuple[Plan, list[Problem]]:
    """A cached plan as the model (``cache_codec.unpack_plan``); a filter by id alone (``TaskIds``)
    picks its tasks first, so no other task's deadline is resolved."""
    from gkplan.store.cache_codec import select_tasks, unpack_plan

    if isinstance(only, TaskIds):
        packed = select_tasks(packed, only.ids)
    return unpack_plan(packed, directory, only)


def load_workspace(
    root: Path,
    plans: tuple[str, ...] = (),
    *,
    check: bool = False,
    for_update: bool = False,
    only: TaskFilter | None = None,
    inspect: Inspector | None = None,
) -> Workspace:
    """Load every plan under ``root`` (or only those whose id is in ``plans``).

    Raises ``DataError`` only when a file cannot be used at all. ``check=True`` is for
    ``gkplan check``: such a file becomes an ERROR problem and loading goes on with the
    other files; the parsed documents are kept in ``Workspace.documents`` for the checks
    that need the text. ``for_update=True`` (progress commands) keeps the parses read, and
    leaves saving the snapshot to ``remember_update``. Reports keep the default: one unreadable file stops them, since a
    report that silently skips a plan would tell the weekly meeting that nothing is late.
    ``only``: build just the tasks it keeps (by id and deadline): ``overdue`` needs those whose
    due date passed, ``done`` one id; the plans' other tasks are left out of ``Plan.tasks``.
    ``inspect`` (with ``check=True``): called with each plan parsed and its document as soon as
    both are made (``validate`` checks them there and lets the document's data go).
    """
    snapshot = None if check or cache.cache_dir() is None else Snapshot(root, release=not for_update)
    files, shown = _plan_files_seen(root, snapshot)
    if not files:
        raise DataError(
            f"数据目录里没有计划文件（{TASKS_FILE}）",
            where=display_path(root),
            hint="请检查 --data 指向的目录",
            code="no-plans",
        )
    from gkplan.store.settings import SETTINGS_FILE

    settings = root / SETTINGS_FILE
    workspace = assemble_workspace(
        root,
        files,
        lambda path: read_bytes(path, shown(path)),
        shown,
        settings if settings.is_file() else None,
        tolerant=check,
        check=check,
        for_update=for_update,
        only=only,
        snapshot=snapshot,
        inspect=inspect,
    )
    if plans:
        workspace.plans = select_plans(workspace.plans, plans)
    return workspace


def _plan_files_seen(root: Path, snapshot: Snapshot | None) -> tuple[list[tuple[Path, Path | None]], Callable[[Path], str]]:
    """The plan files and how their paths are shown: from the snapshot when no folder of the
    root changed (600 files: ~40 ms of walking and resolving saved), else by walking it."""
    shown = display_paths()
    listing = snapshot.listing(root) if snapshot is not None else None
    if listing is not None:
        files: list[tuple[Path, Path | None]] = []
        known: dict[Path, str] = {}
        units_paths: dict[str, Path] = {}  # one object for the units.yaml its 30 plans share
        for plan, plan_shown, units, units_shown in listing:
            plan_path = root / plan
            units_path = (units_paths.get(units) or units_paths.setdefault(units, root / units)) if units else None
            files.append((plan_path, units_path))
            known[plan_path] = plan_shown
            if units_path is not None:
                known[units_path] = units_shown
        return files, lambda path: known.get(path) or shown(path)
    files, folders = walk_plan_files(root)
    if snapshot is not None and folders is not None:
        records = [
            (
                plan.relative_to(root).as_posix(),
                shown(plan),
                units.relative_to(root).as_posix() if units else "",
                shown(units) if units else "",
            )
            for plan, units in files
        ]
        snapshot.keep_listing(folders, records)
    return files, shown


def assemble_workspace(
    root: Path,
    files: Sequence[tuple[P, P | None]],
    read: Callable[[P], bytes],
    shown: Callable[[P], str],
    settings_file: P | None,
    *,
    tolerant: bool,
    check: bool = False,
    keep: dict[str, Document] | None = None,
    for_update: bool = False,
    only: TaskFilter | None = None,
    snapshot: Snapshot | None = None,
    inspect: Inspector | None = None,
) -> Workspace:
    """The workspace from plan files (with their ``units.yaml``) whose bytes ``read`` gives.

    The one loader: ``load_workspace`` reads the files on disk; ``gkplan diff`` gives the
    bytes of an old commit (``store.history``) so both sides are parsed exactly alike.
    ``tolerant``: a file that cannot be used at all (``read`` or parsing raised
    ``DataError``) becomes an ERROR problem instead of stopping everything.
    ``check``: parse every file (no cache) and keep its document for ``gkplan check``.
    ``for_update``: keep the plan files read in ``Workspace.loaded``; the snapshot is saved once,
    by ``remember_update`` after the write, instead of now and again then (13 MB each on 20,000 tasks).
    ``only``: see ``load_workspace``. ``snapshot`` (files on disk): the data root's records, so
    unchanged files are neither read nor looked up one by one (``store.snapshot``).
    ``inspect``: see ``load_workspace``.
    """
    workspace = Workspace(root, snapshot=snapshot if for_update else None)  # a report lets the packed parses go
    keep = workspace.documents if check else keep
    directories: dict[P, _UnitsFile | None] = {}  # None: that units.yaml could not be read

    def unusable(exc: DataError, where: str) -> None:
        if not tolerant:
            raise exc
        workspace.problems.append(exc.as_problem(where))

    for plan_path, units_path in files:
        loaded: _UnitsFile | None = None
        if units_path is None:
            unusable(
                DataError(
                    f"找不到 {UNITS_FILE}：计划文件所在目录及其上级都没有",
                    where=shown(plan_path),
                    hint=f"请在 {display_path(root)} 中添加 {UNITS_FILE}",
                    code="no-units",
                ),
                shown(plan_path),
            )
        elif units_path in directories:  # shared by several plans: read (and reported) once
            loaded = directories[units_path]
        else:
            directories[units_path] = None
            try:
                units = _read_units(units_path, shown(units_path), read, keep, snapshot)
            except DataError as exc:
                unusable(exc, shown(units_path))
            else:
                loaded = directories[units_path] = units
                workspace.directories.append(units.directory)
                workspace.problems.extend(units.problems)
        units = loaded or _UnitsFile(UnitDirectory(), [], b"", "")
        units_ok = loaded is not None and bool(units.directory.units)
        try:
            if snapshot is not None and units_ok:
                plan, problems = _plan_via_snapshot(snapshot, plan_path, shown(plan_path), read, units, workspace, for_update, only)
            elif check and units_ok:
                plan, problems = _plan_for_check(plan_path, shown(plan_path), read(plan_path), units, workspace, inspect)
            else:
                plan, problems = plan_from_bytes(
                    read(plan_path),
                    shown(plan_path),
                    PurePath(str(plan_path)).name,
                    units.directory,
                    units.raw or b"",  # read at once without a snapshot
                    units_ok=units_ok,
                    keep=keep,
                    inspect=inspect,
                    only=only,
                )
                _inspected(inspect, keep, shown(plan_path), plan, problems)
        except DataError as exc:
            unusable(exc, shown(plan_path))
            continue
        workspace.problems.extend(problems)
        workspace.plans.append(plan)
    _check_plan_ids(workspace)
    _load_settings(workspace, settings_file, read, shown, keep, check)
    if snapshot is not None and not for_update:
        snapshot.save()
    return workspace


def _plan_for_check(
    path: P, shown: str, raw: bytes, units: _UnitsFile, workspace: Workspace, inspect: Inspector | None
) -> tuple[Plan, list[Problem]]:
    """``gkplan check``: a plan file whose checks were cached with these bytes (and units) comes
    from the cache with them (``Workspace.checked``); any other is parsed, its document kept
    (and its tasks shown to ``inspect`` as they are read)."""
    from gkplan.store.cache_codec import unpack_checks

    digests = (digest_of(raw), digest_of(units.raw or b""))  # check=True reads every units.yaml
    key = plan_key(shown, *digests)
    checks = cache.load("checks", key)
    if checks is not None:
        plan, problems = plan_from_bytes(raw, shown, PurePath(str(path)).name, units.directory, None, digests=digests)
        workspace.checked[shown] = unpack_checks(checks)
        return plan, problems
    found: dict[str, Any] = {}
    plan, problems = plan_from_bytes(
        raw,
        shown,
        PurePath(str(path)).name,
        units.directory,
        None,
        keep=workspace.documents,
        entries=found,
        save=False,
        inspect=inspect,
        digests=digests,
    )
    _inspected(inspect, workspace.documents, shown, plan, problems)  # first: its text and data can go before the entry is marshalled
    del raw  # the caller passed it on: it goes too
    for entry_key, entry in found.items():
        cache.save("plans", entry_key, entry)
    if key in found:  # clean enough to cache: its checks may be cached too (``save_checks``)
        workspace.check_keys[shown] = key
    return plan, problems


def _inspected(inspect: Inspector | None, keep: dict[str, Document] | None, shown: str, plan: Plan, problems: list[Problem]) -> None:
    """Show ``inspect`` a plan just parsed, with the document kept for it."""
    if inspect is not None and keep is not None and (document := keep.get(shown)) is not None:
        inspect.parsed(plan, document, problems)


def save_checks(workspace: Workspace, shown: str, lint: list[Problem], suppressed: list[Problem]) -> None:
    """Remember a parsed plan file's own warnings (``lint``) and the ones a comment silences
    (``suppressed``, of the loader's and the linter's), for a later check of the same bytes."""
    from gkplan.store.cache_codec import pack_checks

    key = workspace.check_keys.get(shown)
    if key is not None:
        cache.save("checks", key, pack_checks(lint, suppressed))


@dataclass(slots=True)
class _UnitsFile:
    """A ``units.yaml`` as loaded; through a snapshot its bytes may be left unread (its digest keys the plans)."""

    directory: UnitDirectory
    problems: list[Problem]
    raw: bytes | None
    digest: str  # of the bytes ``directory`` was built from; "" without a snapshot


def _read_units(path: P, shown: str, read: Callable[[P], bytes], keep: dict[str, Document] | None, snapshot: Snapshot | None) -> _UnitsFile:
    if snapshot is None or keep is not None:
        raw = read(path)
        return _UnitsFile(*units_from_bytes(raw, shown, keep=keep), raw, "")
    from gkplan.store.cache_codec import pack_units, unpack_units

    seen = snapshot.look(os.fspath(path), shown)
    record = snapshot.packed(shown, seen)
    if record is not None:
        directory, problems = unpack_units(record.packed)
        snapshot.keep(shown, seen, record.packed)
        return _UnitsFile(directory, problems, seen.raw, seen.digest)
    raw = seen.raw if seen.raw is not None else read(path)
    directory, problems = units_from_bytes(raw, shown)
    seen = Seen(seen.stat, digest_of(raw), raw)
    if not _has_errors(problems):
        snapshot.keep(shown, seen, pack_units(directory, problems))
    return _UnitsFile(directory, problems, raw, seen.digest)


def _plan_via_snapshot(
    snapshot: Snapshot,
    path: P,
    shown: str,
    read: Callable[[P], bytes],
    units: _UnitsFile,
    workspace: Workspace,
    for_update: bool,
    only: TaskFilter | None,
) -> tuple[Plan, list[Problem]]:
    """A plan file through the data root's snapshot, else through the per-file cache or the parser."""
    seen = snapshot.look(os.fspath(path), shown)
    record = snapshot.packed(shown, seen, units.digest)
    if record is not None:
        snapshot.keep(shown, seen, record.packed, units_digest=units.digest)
        plan, problems = _unpack(record.packed, units.directory, only)
        if for_update and plan.tasks:  # a file the update may write (the others' bytes go: 600 files' are 17 MB)
            workspace.loaded[shown] = LoadedPlan(seen.digest, seen.raw, record.packed)
        return plan, problems
    raw = seen.raw if seen.raw is not None else read(path)
    seen = Seen(seen.stat, seen.digest if seen.raw is not None else digest_of(raw), None)  # hashed once
    digests = (seen.digest, units.digest)  # the units' digest is that of the bytes the directory was built from
    key = plan_key(shown, *digests)
    entry = cache.load("plans", key)
    if entry is not None:  # the file's own entry (content seen before: a branch switched back): not parsed, not saved again
        snapshot.keep(shown, seen, entry, units_digest=units.digest)
        plan, problems = _unpack(entry, units.directory, only)
        if for_update and plan.tasks:
            workspace.loaded[shown] = LoadedPlan(seen.digest, raw, entry)
        return plan, problems
    found: dict[str, Any] = {}
    plan, problems = plan_from_bytes(
        raw, shown, PurePath(str(path)).name, units.directory, None, entries=found, only=only, save=False, digests=digests
    )
    del raw  # before the entry is written: a 17 MB file's bytes and its marshalled parse need not be held together
    for key, entry in found.items():
        if for_update and plan.tasks:
            workspace.loaded[shown] = LoadedPlan(seen.digest, None, entry)  # its bytes went: the writer hashes what it reads
        cache.save("plans", key, entry)
        snapshot.keep(shown, seen, entry, units_digest=units.digest)
    return plan, problems


def _load_settings(
    workspace: Workspace,
    path: P | None,
    read: Callable[[P], bytes],
    shown: Callable[[P], str],
    keep: dict[str, Document] | None,
    check: bool,
) -> None:
    """``settings.yaml``: its problems are kept aside, so commands that do not colour
    lights (start, done…) still work; reports refuse them (``cli.office_rules``)."""
    from gkplan.store.settings import settings_from_bytes

    if path is None:
        return
    try:
        workspace.settings, workspace.settings_problems = settings_from_bytes(read(path), shown(path), keep=keep)
    except DataError as exc:
        workspace.settings_problems = [exc.as_problem(shown(path))]
    if check:
        workspace.problems.extend(workspace.settings_problems)


def _check_plan_ids(workspace: Workspace) -> None:
    seen: dict[str, Plan] = {}
    for plan in workspace.plans:
        first = seen.setdefault(plan.id, plan)
        if first is not plan:
            where = plan.source.path if plan.source else ""
            workspace.problems.append(
                Problem(
                    where,
                    0,
                    0,
                    Severity.ERROR,
                    "duplicate-plan",
                    f"计划编号「{plan.id}」与 {first.source.path if first.source else ''} 重复",
                    "请在 plan: 下写不同的 id",
                )
            )


def select_plans(plans: list[Plan], wanted: tuple[str, ...]) -> list[Plan]:
    """``--plan``: by exact id, or by a path-like prefix (``rsj/`` picks a bureau's plans)."""
    from gkplan.errors import NotFoundError

    chosen: list[Plan] = []
    for name in wanted:
        matches = [p for p in plans if p.id == name] or [p for p in plans if p.id.startswith(name)]
        if not matches:
            raise NotFoundError(f"没有计划「{name}」", suggestions=tuple(p.id for p in plans[:10]))
        chosen.extend(p for p in matches if p not in chosen)
    return chosen


def known_content(workspace: Workspace, task: Task) -> KnownContent | None:
    """What an update's load knew of the file holding ``task``, for the writer (``update_task``).
    The other files' are let go: the update writes this one (an id such as 16 is in many of 600 plans)."""
    from gkplan.store.writer import KnownContent

    plan = workspace.plan_of(task)
    shown = plan.source.path if plan.source is not None else None
    loaded = workspace.loaded.get(shown) if shown is not None else None
    workspace.loaded = {shown: loaded} if shown is not None and loaded is not None else {}
    if loaded is None or task.source is None:
        return None
    return KnownContent(loaded.digest, loaded.raw, task.source.line, task.name)


def remember_update(workspace: Workspace, result: UpdateResult | None) -> None:
    """End a progress command (``None``: it wrote nothing, or was refused): save the data root's
    snapshot (once: ``load_workspace(for_update=True)`` left it to this), with the new content of
    the file the update wrote, cached without parsing it again.

    The writer proved that the new file is the old one with one task block
    replaced (every other byte unchanged, the new block parsed and checked). So
    the parse of the bytes it edited, with that task rebuilt from its block and
    the lines after it shifted, is the parse of the new bytes. The writer edits
    what it read under the lock: only when it says that is what the load read
    (``known_content``; not after another liaison's update in between) is the
    parse patched; otherwise the next run parses the file.
    """
    snapshot = workspace.snapshot
    if snapshot is None:
        return
    try:
        if result is not None:
            _record_update(workspace, snapshot, result)
    finally:
        snapshot.save()  # also after a refusal: the load may have re-hashed or re-parsed files


def _record_update(workspace: Workspace, snapshot: Snapshot, result: UpdateResult) -> None:
    from gkplan.store.cache_codec import patch_plan

    plan = workspace.plan_of(result.after)
    if not result.written_digest or plan.source is None:
        return
    shown = plan.source.path
    loaded = workspace.loaded.get(shown)
    units_digest = snapshot.units_digest(shown)  # recorded this run: the units the plan (and the writer) used
    if loaded is None or units_digest is None or not result.as_known:  # the writer edited other bytes than those loaded
        return
    del workspace.loaded[shown]  # the old parse and bytes go as soon as the patched parse replaces them
    offset = result.line - 1  # the writer built the task from its block alone: line 1 = ``result.line``

    def moved(source: Source | None) -> Source | None:
        return None if source is None else replace(source, path=shown, line=source.line + offset)

    task = result.after
    after = replace(
        task,
        source=moved(task.source),
        progress={u: replace(p, source=moved(p.source)) for u, p in task.progress.items()},
        verified=replace(task.verified, source=moved(task.verified.source)) if task.verified else None,
    )
    patched = patch_plan(loaded.packed, after, result.line, result.line + result.old_lines, result.new_lines - result.old_lines)
    if patched is None:
        return
    # The next run finds the new bytes in the snapshot (just written, so racily clean: hashed once).
    snapshot.keep(shown, snapshot.seen(Path(shown), result.written_digest), patched, units_digest=units_digest)
