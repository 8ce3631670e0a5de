"""A cache of parsed data files, so a warm run never imports or runs the YAML parser.

- Keyed by the file's **content** (SHA-256 of the bytes, plus the bytes of the
  ``units.yaml`` that governs it, the path shown in messages and gkplan's
  version): an edit within the same second, or on a shared drive with coarse
  timestamps, is a different key. Stale data cannot be served.
- Stored outside the repository, in the folder the CLI chose (``use``; see
  ``cli.cache_location``: ``$GKPLAN_CACHE_DIR``, ``$XDG_CACHE_HOME/gkplan``, …).
  Until then there is no cache. Safe to delete at any time.
- Entries hold plain tuples (``marshal``: fast, and it cannot run code when
  read, unlike pickle); a corrupt or foreign entry is ignored and rebuilt.
- Nothing is written for a file with errors: bad files are always re-read, so
  their problems are always reported fresh.
- Deadlines are not cached: they are resolved again on load (memoized), so a
  newer deadline engine or holiday calendar is picked up at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

from gkplan import __version__

FORMAT = 4  # bump when the packed layout changes
_MAGIC = f"gkplan-cache/{FORMAT}/{__version__}".encode()
MAX_AGE_DAYS = 60  # entries unused this long are removed when a new one is written
MAX_ENTRIES = 5000  # per kind; beyond it the least recently used go (a 600-file bench holds 600)


_WHERE: dict[str, Path | None] = {"folder": None}  # where entries live; None: no cache
_PRUNED: set[Path] = set()  # kinds' folders pruned by this process: once is enough


def use(folder: Path | None) -> None:
    """Keep entries in ``folder`` from now on (``None``: no cache). The CLI decides where."""
    _WHERE["folder"] = folder


def cache_dir() -> Path | None:
    return _WHERE["folder"]


def cache_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256(_MAGIC)  # as snapshot.digest_of: accelerated in hardware on current machines
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def load(kind: str, key: str) -> Any | None:
    """The cached value, or ``None`` when absent, unreadable or corrupt."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / kind / f"{key}.marshal"
    try:
        value = marshal.loads(path.read_bytes())  # one read: marshal.load(stream) reads in small pieces
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(value, tuple) or len(value) != 2 or value[0] != key:
        return None  # a truncated, foreign or tampered entry
    with contextlib.suppress(OSError):
        os.utime(path)  # mark as used, for pruning
    return value[1]


def save(kind: str, key: str, value: Any) -> None:
    """Store atomically; any failure (read-only home, full disk) just means no cache."""
    folder = cache_dir()
    if folder is None:
        return
    target = folder / kind
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target, prefix=".tmp-", suffix=".marshal")
        try:
            with os.fdopen(fd, "wb") as stream:
                marshal.dump((key, value), stream)
            os.replace(temp, target / f"{key}.marshal")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        return
    if target not in _PRUNED:  # the cache grows only when something new is written: prune then, once a run
        _PRUNED.add(target)
        prune(kind)


def prune(kind: str) -> None:
    """Remove entries unused for ``MAX_AGE_DAYS``, then the least recently used beyond
    ``MAX_ENTRIES`` (``load`` marks an entry used). Any failure leaves the cache as it is."""
    import time

    folder = cache_dir()
    if folder is None:
        return
    limit = time.time() - MAX_AGE_DAYS * 86400
    try:
        entries = [(entry.stat().st_mtime, entry.path) for entry in os.scandir(folder / kind) if entry.name.endswith(".marshal")]
    except OSError:
        return
    entries.sort(reverse=True)  # most recently used first
    for index, (used, path) in enumerate(entries):
        if used < limit or index >= MAX_ENTRIES:
            with contextlib.suppress(OSError):
                os.unlink(path)
