"""The data as it was at an earlier git commit, for "since last meeting".

git runs as a subprocess with a timeout, never with a prompt; old file contents
go through the same loader as the working tree (``units_from_bytes`` /
``plan_from_bytes``: safe reader, builder, cache). Anything that makes history
unknowable (no git, not a repository, no commit that old, an old file that no
longer parses) gives a ``History`` with a ``reason`` instead of an error, so
the rest of the report still prints. Only a revision the user typed that git
does not know is an error.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from gkplan.errors import DataError, UsageError
from gkplan.model import Commit, History, Plan

GIT_TIMEOUT = 20.0  # seconds for one git command; a network drive can be slow, a hang is not fine
_FORMAT = "%H%x1f%h%x1f%cI%x1f%an%x1f%s"


class GitFailed(Exception):
    pass


def run_git(top: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=top,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitFailed("找不到 git 命令") from None
    except subprocess.TimeoutExpired:
        raise GitFailed(f"git 在 {GIT_TIMEOUT:.0f} 秒内没有响应") from None
    except OSError as exc:
        raise GitFailed(f"无法运行 git：{exc.strerror}") from None
    if done.returncode != 0:
        raise GitFailed(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:][0] if done.stderr.strip() else "git 出错")
    return done.stdout


def _commits(text: bytes) -> list[Commit]:
    result = []
    for line in text.decode("utf-8", "replace").splitlines():
        parts = line.split("\x1f")
        if len(parts) == 5:
            rev, short, when, author, subject = parts
            result.append(Commit(rev, short, datetime.fromisoformat(when), author, subject))
    return result


def read_history(root: Path, since: date | str, keep: list[str] | None = None) -> History:
    """The data under ``root`` as of ``since``: the last commit before that day, or a revision.

    ``keep``: only these plan ids (``--plan``), so plans left out are not reported as removed.
    """
    label = since.isoformat() if isinstance(since, date) else since
    try:
        top = Path(run_git(root, "rev-parse", "--show-toplevel").decode("utf-8").strip())
    except GitFailed as exc:
        reason = str(exc)
        if "not a git repository" in reason.lower():
            reason = "数据目录不在 git 仓库中"
        return History(label, reason=f"无法读取修改历史：{reason}")
    try:
        relative = PurePosixPath(root.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        return History(label, reason="无法读取修改历史：数据目录不在 git 工作区内")
    pathspec = str(relative) if str(relative) != "." else "."
    try:
        base = _base(top, since, pathspec)
        if base is None:
            return History(label, reason=f"{label} 之前数据目录还没有提交记录，无从比较")
        commits = _commits(run_git(top, "log", f"--format={_FORMAT}", f"{base.rev}..HEAD", "--", pathspec))
        dirty = _dirty(run_git(top, "status", "--porcelain", "-z", "--untracked-files=all", "--", pathspec), relative)
    except GitFailed as exc:
        return History(label, reason=f"无法读取修改历史：{exc}")
    try:
        plans = _plans_at(top, base, relative)
    except GitFailed as exc:
        return History(label, reason=f"无法读取修改历史：{exc}")
    except DataError as exc:
        return History(label, reason=f"{base.short} 时的数据无法读取（{exc}），无从比较")
    if keep is not None:
        plans = [plan for plan in plans if plan.id in keep]
    return History(label, base, tuple(commits), dirty, tuple(plans))


def _dirty(status: bytes, root: PurePosixPath) -> bool:
    """Uncommitted changes to files the loader reads (not the writer's lock files, not notes)."""
    paths = []
    for entry in status.decode("utf-8", "replace").split("\0"):
        if len(entry) > 3 and entry[2] == " ":  # "XY path"
            paths.append(PurePosixPath(entry[3:]))
        elif entry:  # the source of a rename follows its entry, bare
            paths.append(PurePosixPath(entry))
    from gkplan.store import inside_data

    return any(path.suffix in (".yaml", ".yml") and inside_data(path, root) is not None for path in paths)


def _base(top: Path, since: date | str, pathspec: str) -> Commit | None:
    if isinstance(since, date):
        # The state at the start of that day: the last commit touching the data before it.
        before = f"--before={since.isoformat()}T00:00:00"
        found = _commits(run_git(top, "log", "-1", f"--format={_FORMAT}", before, "HEAD", "--", pathspec))
        return found[0] if found else None
    if since.startswith("-"):
        raise UsageError(f"--since「{since}」不是日期，也不是 git 版本", hint="请写 YYYY-MM-DD 或提交号，如 HEAD~3")
    try:
        rev = run_git(top, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}").decode().strip()
    except GitFailed:
        raise UsageError(
            f"--since「{since}」不是日期，也不是 git 中的提交",
            hint="请写上次例会的日期（YYYY-MM-DD），或提交号、标签、HEAD~3 之类的版本",
        ) from None
    return _commits(run_git(top, "log", "-1", f"--format={_FORMAT}", rev))[0]


def _plans_at(top: Path, base: Commit, relative: PurePosixPath) -> list[Plan]:
    """Every plan under the data folder as of ``base``, found and loaded by the working tree's rules."""
    from gkplan.store import assemble_workspace, plan_files_in
    from gkplan.store.reader import display_path

    listing = run_git(top, "ls-tree", "-r", "-z", base.rev, "--", str(relative))
    # "mode type hash<TAB>path"; symlinks (120000) are skipped as the working tree's discovery
    # never reads a plan twice through a link (and a link's blob is only its target's name)
    entries = [entry.split("\t", 1) for entry in listing.decode("utf-8", "replace").split("\0") if "\t" in entry]
    paths = [PurePosixPath(path) for meta, path in entries if not meta.startswith("120000")]
    # A plan without a units.yaml is refused by the working tree's loader: nothing to compare with.
    pairs = [(plan, units) for plan, units in plan_files_in(paths, relative) if units is not None]
    contents = cat_blobs(top, base.rev, sorted({p for pair in pairs for p in pair if p is not None}))

    def shown(path: PurePosixPath) -> str:  # as the working tree's file is shown: same cache entries
        return display_path(top / path)

    return assemble_workspace(top / relative, pairs, contents.__getitem__, shown, None, tolerant=False).plans


def cat_blobs(top: Path, rev: str, paths: list[PurePosixPath]) -> dict[PurePosixPath, bytes]:
    """Many files of one commit in one git process (``cat-file --batch``)."""
    if not paths:
        return {}
    request = "".join(f"{rev}:{path}\n" for path in paths).encode("utf-8")
    output = run_git(top, "cat-file", "--batch", stdin=request)
    result: dict[PurePosixPath, bytes] = {}
    at = 0
    for path in paths:
        end = output.index(b"\n", at)
        header = output[at:end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise GitFailed(f"读不到 {rev[:7]}:{path}")
        size = int(header[2])
        result[path] = output[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return result
