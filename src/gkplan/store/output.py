"""Write a finished report (``-o FILE``) atomically: never a half-written file, even on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from gkplan.errors import UsageError


def write_output(path: Path, content: bytes) -> None:
    """A temp file in the same folder, flushed, then renamed over ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"-o「{path}」是一个目录", hint="请写文件名，如 例会报告.html")
    if not folder.is_dir():
        raise UsageError(f"-o「{path}」所在的目录不存在", hint="请先建立目录，或换一个路径")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"无法写入 {path}：{exc.strerror}", hint="请检查目录权限，或换一个路径") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(OSError):  # keep the permissions a user would get from their umask
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise UsageError(f"无法写入 {path}：{exc.strerror}", hint="请检查磁盘空间和权限") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
