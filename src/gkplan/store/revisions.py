"""The data of two git revisions (or a revision and the working tree), for ``gkplan diff``.

Old files are read from git objects (``ls-tree`` + ``cat-file --batch``, as
``report --since`` does), never checked out, and loaded by the same loader as
the working tree (``store.assemble_workspace``), so both sides are parsed
exactly alike. A file that cannot be used on one side is a problem of that
side, not the end of the diff. Paths are shown relative to the repository's
top (``data/tasks.yaml``): that is what a pull request and CI annotations name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gkplan.errors import DataError, UsageError
from gkplan.store import Workspace, assemble_workspace, inside_data, plan_files, plan_files_in
from gkplan.store.history import GitFailed, cat_blobs, run_git
from gkplan.store.reader import max_bytes, read_bytes

WORKTREE = "worktree"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The data folder at one revision: the loaded workspace and the plan files it holds."""

    rev: str  # full commit id, or ``WORKTREE``
    label: str  # how to name it to a person: 3f2a1c0、工作区
    workspace: Workspace
    plan_paths: frozenset[PurePosixPath]  # every plan file present, loadable or not


@dataclass(frozen=True, slots=True)
class Repository:
    top: Path
    data: PurePosixPath  # the data folder, relative to ``top`` (``.`` for the top itself)


def open_repository(root: Path) -> Repository:
    """The git work tree holding ``root``; a clear error when there is none."""
    try:
        top = Path(run_git(root, "rev-parse", "--show-toplevel").decode("utf-8").strip())
    except GitFailed as exc:
        reason = str(exc)
        if "not a git repository" in reason.lower():
            raise DataError(
                f"数据目录 {root} 不在 git 仓库中，无从比较版本",
                hint="gkplan diff 比较的是 git 中的两个版本：请在计划仓库的工作区里运行",
                code="no-git",
            ) from None
        raise DataError(f"无法运行 git：{reason}", code="no-git") from None
    try:
        data = PurePosixPath(root.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise DataError(f"数据目录 {root} 不在 git 工作区 {top} 内", code="no-git") from None
    return Repository(top, data)


def resolve_revision(repo: Repository, rev: str, what: str) -> str:
    """A revision the user typed -> full commit id; an unknown one is a usage error."""
    if not rev.strip() or rev.startswith("-"):
        raise UsageError(f"{what}「{rev}」不是 git 版本", hint="请写分支名、标签、提交号或 HEAD~1 之类的版本")
    try:
        return run_git(repo.top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitFailed:
        raise UsageError(
            f"{what}「{rev}」不是这个仓库中的提交",
            hint="请写分支名（如 main、origin/main）、标签、提交号或 HEAD~1；在 CI 中先取回目标分支（git fetch）",
        ) from None


def default_base(repo: Repository, head: str | None) -> tuple[str, str]:
    """The merge-base of ``head`` (default HEAD) with the default branch, else HEAD; with its label."""
    target = head or "HEAD"
    for ref in _default_branches(repo):
        try:
            found = run_git(repo.top, "merge-base", ref, target).decode().strip()
        except GitFailed:
            continue
        return found, f"与 {ref.removeprefix('refs/remotes/').removeprefix('refs/heads/')} 的分叉点"
    try:
        return run_git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip(), "HEAD"
    except GitFailed:
        raise UsageError("仓库还没有任何提交，无从比较", hint="先提交一次，或写明要比较的版本") from None


def _default_branches(repo: Repository) -> list[str]:
    """origin/HEAD's target, else main or master (local, then origin's)."""
    found = []
    try:
        target = run_git(repo.top, "symbolic-ref", "-q", "refs/remotes/origin/HEAD").decode().strip()
        if target:
            found.append(target)
    except GitFailed:
        pass
    for name in ("main", "master"):
        for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
            try:
                run_git(repo.top, "rev-parse", "--verify", "--quiet", ref)
            except GitFailed:
                continue
            found.append(ref)
    return found


def short(repo: Repository, rev: str) -> str:
    try:
        return run_git(repo.top, "rev-parse", "--short", rev).decode().strip()
    except GitFailed:
        return rev[:7]


def snapshot(repo: Repository, rev: str | None, label: str = "") -> Snapshot:
    """The data folder at commit ``rev``, or (``None``) as it is on disk now; ``label`` names it to a person."""
    try:
        if rev is None:
            return _worktree(repo, label or "工作区")
        return _at_commit(repo, rev, label or short(repo, rev))
    except GitFailed as exc:
        raise DataError(f"无法读取 git 中的数据：{exc}", code="no-git") from None


def _load(
    repo: Repository,
    pairs: list[tuple[PurePosixPath, PurePosixPath | None]],
    read: Callable[[PurePosixPath], bytes],
    settings: PurePosixPath | None,
) -> Workspace:
    return assemble_workspace(repo.top / repo.data, pairs, read, str, settings, tolerant=True)


def _settings_path(repo: Repository) -> PurePosixPath:
    from gkplan.store.settings import SETTINGS_FILE

    return repo.data / SETTINGS_FILE


def _worktree(repo: Repository, label: str) -> Snapshot:
    root = repo.top / repo.data

    def inside(path: Path) -> PurePosixPath:  # plan_files joins names onto root, so this holds
        return PurePosixPath(path.relative_to(repo.top).as_posix())

    pairs = [(inside(plan), inside(units) if units else None) for plan, units in plan_files(root)]
    settings = _settings_path(repo)

    def read(path: PurePosixPath) -> bytes:
        return read_bytes(repo.top / path, str(path))

    workspace = _load(repo, pairs, read, settings if (repo.top / settings).is_file() else None)
    return Snapshot(WORKTREE, label, workspace, frozenset(plan for plan, _ in pairs))


def _at_commit(repo: Repository, rev: str, label: str) -> Snapshot:
    listing = run_git(repo.top, "ls-tree", "-r", "-z", "--name-only", rev, "--", str(repo.data))
    paths = [PurePosixPath(p) for p in listing.decode("utf-8", "replace").split("\0") if p]
    pairs = plan_files_in(paths, repo.data)
    settings = _settings_path(repo)
    wanted = sorted({p for pair in pairs for p in pair if p is not None} | ({settings} if settings in paths else set()))
    sizes = _sizes(repo, rev, wanted)
    limit = max_bytes()
    contents = cat_blobs(repo.top, rev, [p for p in wanted if sizes.get(p, 0) <= limit])

    def read(path: PurePosixPath) -> bytes:
        if path not in contents:
            raise DataError(
                f"文件有 {sizes.get(path, 0):,} 字节，超过上限 {limit:,} 字节",
                where=str(path),
                hint="请拆分为多个计划文件，或调大环境变量 GKPLAN_MAX_BYTES（字节数）",
                code="too-big",
            )
        return contents[path]

    workspace = _load(repo, pairs, read, settings if settings in paths else None)
    return Snapshot(rev, label, workspace, frozenset(plan for plan, _ in pairs))


def _sizes(repo: Repository, rev: str, paths: list[PurePosixPath]) -> dict[PurePosixPath, int]:
    """Blob sizes, asked before reading: a hostile commit cannot make gkplan read a huge file."""
    if not paths:
        return {}
    request = "".join(f"{rev}:{path}\n" for path in paths).encode("utf-8")
    lines = run_git(repo.top, "cat-file", "--batch-check", stdin=request).decode("utf-8", "replace").splitlines()
    sizes = {}
    for path, line in zip(paths, lines, strict=False):
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[path] = int(parts[2])
    return sizes


@dataclass(frozen=True, slots=True)
class FileChanges:
    """What git says about the files between two versions: renames (old -> new) and every path touched."""

    renamed: dict[PurePosixPath, PurePosixPath]
    touched: frozenset[PurePosixPath]


def file_changes(repo: Repository, base: str, head: str | None) -> FileChanges:
    """Files changed between ``base`` and ``head`` (``None``: the working tree's tracked files), renames detected."""
    args = ["diff", "-M", "--name-status", "-z", base, *([head] if head else []), "--", str(repo.data)]
    try:
        fields = run_git(repo.top, *args).decode("utf-8", "replace").split("\0")
    except GitFailed as exc:
        raise DataError(f"无法读取 git 中的修改：{exc}", code="no-git") from None
    renamed = {}
    touched: set[PurePosixPath] = set()
    at = 0
    while at < len(fields) - 1:
        status = fields[at]
        if status.startswith(("R", "C")) and at + 2 < len(fields):
            old, new = PurePosixPath(fields[at + 1]), PurePosixPath(fields[at + 2])
            if status.startswith("R") and inside_data(new, repo.data) is not None:
                renamed[old] = new
            touched.update((old, new))
            at += 3
        else:
            touched.add(PurePosixPath(fields[at + 1]))
            at += 2
    return FileChanges(renamed, frozenset(touched))
