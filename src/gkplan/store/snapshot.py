"""What a warm run knows about a data root without reading its files (git's index, for gkplan).

One cache entry per data root (and working directory: messages show paths relative to
it) holds, for every ``units.yaml`` and plan file read, its stat (size, mtime_ns,
ctime_ns, inode), the digest of its bytes and its packed parse (a plan's with the
digest of the ``units.yaml`` it was built against). Reading one entry replaces reading
600 small ones, and an unchanged file is not even read.

Never stale, by git's rules:

- a file whose stat differs from its record is read and hashed: the same digest means
  the packed parse still holds, another one sends it through the per-file cache
  (``cache.cache_key`` of its bytes) or the parser;
- a record made when the file had changed within ``RACY_NS`` is "racily clean": another
  edit in the same timestamp tick (coarse clocks, 2 s on FAT) could keep size and times,
  so such a file is always hashed until a later run records it as settled;
- a file's stat is taken before its bytes are read, so an edit in between leaves a
  record older than the content, which the next run sees as a change.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

from gkplan.store import cache
from gkplan.store.reader import max_bytes, read_bytes

RACY_NS = 2_000_000_000  # coarsest common timestamp tick (FAT: 2 s), plus the clock's own


class FileRecord(NamedTuple):
    """One file of the root as the last run saw it (stored as a plain tuple: marshal)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    racy: bool  # changed within RACY_NS of the record: its stat proves nothing
    digest: str  # of the bytes
    units_digest: str  # plans: of the units.yaml the parse used ("" for a units.yaml)
    key: str  # plans: the per-file cache key of those bytes ("" for a units.yaml)
    packed: Any  # cache_codec's packed plan or units


class Seen(NamedTuple):
    """A file now: its stat, digest and, when they had to be read, its bytes."""

    stat: tuple[int, int, int, int]
    digest: str
    raw: bytes | None


def _stat(path: Path) -> tuple[int, int, int, int]:
    """(size, mtime_ns, ctime_ns, inode); all -1 when it cannot be taken (the read will say why)."""
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1, -1, -1)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def digest_of(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


class Snapshot:
    """The records of one data root, read once at the start of a load, saved once at its end."""

    def __init__(self, root: Path) -> None:
        self.key = cache.cache_key("snapshot", str(root.resolve()), os.getcwd())
        loaded = cache.load("snapshots", self.key)
        self.old: dict[str, tuple[Any, ...]] = loaded if isinstance(loaded, dict) else {}
        self.new: dict[str, tuple[Any, ...]] = {}
        self.changed = False
        self.opened_ns = time.time_ns()  # before any file is looked at: the conservative side

    def look(self, path: Path, shown: str) -> Seen:
        """The file's digest: from its record when the stat is unchanged and settled, else from its bytes.

        Raises ``DataError`` as ``read_bytes`` does (a missing or unreadable file)."""
        stat = _stat(path)
        old = self.old.get(shown)
        if old is not None and stat[0] >= 0 and stat[0] <= max_bytes():
            record = FileRecord._make(old)
            if not record.racy and (record.size, record.mtime_ns, record.ctime_ns, record.inode) == stat:
                return Seen(stat, record.digest, None)
        raw = read_bytes(path, shown)
        return Seen(stat, digest_of(raw), raw)

    def seen(self, path: Path, raw: bytes) -> Seen:
        """A file this process just wrote with ``raw`` (its stat taken after the write)."""
        return Seen(_stat(path), digest_of(raw), raw)

    def packed(self, shown: str, seen: Seen, units_digest: str = "") -> FileRecord | None:
        """The record whose parse holds for these bytes (and units), if any."""
        old = self.old.get(shown)
        if old is None:
            return None
        record = FileRecord._make(old)
        if record.digest != seen.digest or record.units_digest != units_digest:
            return None
        return record

    def keep(self, shown: str, seen: Seen, packed: Any, *, units_digest: str = "", key: str = "") -> None:
        """Record a file for the next run (only files read this run are kept: removed ones drop out)."""
        if seen.stat[0] < 0:
            return
        size, mtime_ns, ctime_ns, inode = seen.stat
        racy = max(mtime_ns, ctime_ns) >= self.opened_ns - RACY_NS
        record = (size, mtime_ns, ctime_ns, inode, racy, seen.digest, units_digest, key)
        old = self.old.get(shown)
        if old is not None and old[:8] == record and old[8] is packed:
            self.new[shown] = old  # unchanged (compared without walking the packed parse)
        else:
            self.new[shown] = tuple(FileRecord(*record, packed))
            self.changed = True

    def save(self) -> None:
        """Write the records when anything differs from what was read."""
        if self.changed or self.new.keys() != self.old.keys():
            cache.save("snapshots", self.key, self.new)
