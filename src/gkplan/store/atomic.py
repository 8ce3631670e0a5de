"""The one way gkplan writes a file: never a half-written file, even on Ctrl-C or a full disk.

Plans after a status change, new plan and unit files (``import``, ``init``) and
finished reports (``-o``) all go through ``atomic_write``: a temp file in the same
folder, flushed and fsynced, then renamed into place, then the folder fsynced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from gkplan.errors import DataError, UsageError


def atomic_write(path: Path, data: bytes | Iterable[bytes], *, exclusive: bool = False, replace_only: bool = False) -> int:
    """Write ``data`` (bytes, or pieces of bytes: a large file need not be one string) to
    ``path`` in one step; the number of bytes written.

    A new file gets the mode a user expects from their umask (0644 under umask 022).
    Replacing a file keeps its mode, and its owner where the process may set it (root
    recording progress in someone's checkout leaves the files theirs). With
    ``exclusive`` an existing file is never replaced (``UsageError``), even one created
    meanwhile, and a missing folder is created (``gkplan init DIR``). With ``replace_only``
    (a plan being updated) a file deleted meanwhile is not created again (``DataError``).
    """
    from gkplan.store.reader import display_path

    shown = display_path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError("这是一个目录，不能写成文件", where=shown, hint="请写文件名，如 例会报告.html")
    if exclusive:
        refuse_existing(path, shown)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"无法建立目录：{exc.strerror}", where=display_path(folder), hint="请检查上级目录是否可写") from None
    elif not folder.is_dir():
        raise UsageError("文件所在的目录不存在", where=shown, hint="请先建立目录，或换一个路径")
    try:
        before: os.stat_result | None = os.stat(path)
    except OSError:
        before = None
    if replace_only and before is None:
        raise gone_error(shown)
    try:
        handle, temp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise DataError(f"无法在目录中建立临时文件：{exc.strerror}", where=shown, hint="请检查该目录是否可写") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            written = 0
            for piece in [data] if isinstance(data, bytes) else data:
                written += stream.write(piece)
            stream.flush()
            os.fsync(stream.fileno())
        if before is None or exclusive:
            os.chmod(temp, 0o666 & ~current_umask())
        else:
            os.chmod(temp, stat.S_IMODE(before.st_mode))
            _keep_owner(temp, before)
        if exclusive:
            _link_new(temp, path, shown)
        else:
            if replace_only and not os.path.lexists(path):
                raise gone_error(shown)  # deleted while we wrote: the smallest window we can leave
            os.replace(temp, path)
    except OSError as exc:
        raise DataError(
            f"写入失败，文件保持原样：{exc.strerror}",
            where=shown,
            hint="请检查磁盘空间和文件权限；Windows 上请先关闭占用该文件的程序",
        ) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)  # gone after a rename; left after a failure or Ctrl-C
    _sync_folder(folder)
    return written


def gone_error(shown: str) -> DataError:
    return DataError("文件在登记过程中被删除或改名，未写入", where=shown, hint="请恢复文件（如 git checkout）后重试")


TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """Temp files for ``path`` are ``.NAME.<random>.tmp`` beside it (hidden; .gitignore lists them)."""
    return f".{path.name}."


def remove_stale_temps(path: Path) -> None:
    """Delete the temp files a killed writer left for ``path`` (call while holding its lock:
    then no live writer of ours has one). Only regular files of our naming, never a link."""
    prefix = temp_prefix(path)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def current_umask() -> int:
    """The process umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def refuse_existing(path: Path, shown: str) -> None:
    if path.exists() or path.is_symlink():
        raise UsageError("文件已存在，gkplan 不会覆盖它", where=shown, hint="请换一个文件名（-o），或先把旧文件改名")


def _link_new(temp: str, path: Path, shown: str) -> None:
    """Put ``temp`` at ``path`` only if nothing is there (a hard link fails on an existing name)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        refuse_existing(path, shown)
        raise
    except OSError:  # a file system without hard links: check, then rename
        refuse_existing(path, shown)
        os.replace(temp, path)


def _keep_owner(temp: str, before: os.stat_result) -> None:
    if not hasattr(os, "chown"):
        return
    if (before.st_uid, before.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(OSError):  # only root (or the owner, for the group) may: the mode is kept either way
        os.chown(temp, before.st_uid, before.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the OS allows it (not on Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
