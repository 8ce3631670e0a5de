"""Where a command's output may go (``-o``); the writing itself is ``store.atomic.atomic_write``.

One rule for every command that takes ``-o`` (report, ics, ledger, import):

- no ``-o`` or ``-o -``: standard output;
- the file's extension says the format, and must be one the command offers
  (``-o 例会.pdf`` is refused with the list); with ``--format`` too, both must agree;
- never onto a file gkplan reads as data (every plan file and units.yaml in the data
  folder, and the folder's own tasks.yaml, units.yaml and settings.yaml even before they
  exist) nor onto a lock file, also through a symlink or another spelling of the path.

A refusal is a ``UsageError`` raised before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from gkplan.errors import UsageError

STDOUT = "-"


def choose_output(
    option: str | Path | None,
    offered: Mapping[str, str],
    fmt: str | None = None,
    *,
    default: str,
    protected: Iterable[Path] = (),
) -> tuple[Path | None, str]:
    """``-o`` and ``--format`` -> (file, or ``None`` for stdout; format). See the module doc.

    ``offered``: extension (``.md``) -> format name; ``default``: the format on stdout
    when ``--format`` is not given.
    """
    if option is None or str(option) == STDOUT:
        return None, fmt or default
    path = Path(option)
    suffix = path.suffix.lower()
    choices = " ".join(dict.fromkeys(offered))
    if suffix not in offered:
        what = f"扩展名 {suffix}" if suffix else "没有扩展名"
        raise UsageError(
            f"-o「{path}」：{what}，gkplan 不会写出这种文件",
            hint=f"可用的扩展名：{choices}；或用 -o - 输出到屏幕（标准输出）",
        )
    if fmt is not None and fmt != offered[suffix]:
        raise UsageError(
            f"--format {fmt} 与 -o「{path}」的扩展名 {suffix} 不符",
            hint=f"请去掉 --format，或把文件名改为 {path.with_suffix(_suffix_for(offered, fmt))}",
        )
    refuse_data_file(path, protected)
    return path, offered[suffix]


def _suffix_for(offered: Mapping[str, str], fmt: str) -> str:
    return next((suffix for suffix, name in offered.items() if name == fmt), "")


def refuse_data_file(path: Path, protected: Iterable[Path]) -> None:
    """Refuse ``path`` when it is (or resolves to) one of the ``protected`` data or lock files."""
    target = _real(path)
    for data_file in protected:
        if _real(data_file) == target:
            raise UsageError(
                f"-o「{path}」是 gkplan 读取的数据文件，gkplan 不会覆盖它",
                hint="请换一个文件名，写到数据目录之外（报表、日历）或另起一个新的计划文件名（导入）",
            )


def _real(path: Path) -> str:
    """The path with symlinks and ``..`` resolved, also when the file does not exist yet."""
    return os.path.normcase(os.path.realpath(path))
