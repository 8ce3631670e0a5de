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

The list of plan files (and the paths shown for them) is kept the same way, by the
folders' stats: adding, removing or renaming a file changes its folder's times, so a
root whose folders all kept their stat (and were settled) holds the same files, and
it is not walked again (git's untracked cache). A root with symbolic links is always
walked: a link's target can change without any folder of the root changing.
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
    packed: Any  # cache_codec's packed plan or units


RECORDED = len(FileRecord._fields) - 1  # the fields before ``packed``: all a record keeps once its parse is released


class Listing(NamedTuple):
    """The plan files of a root as the last walk found them (stored as plain tuples: marshal)."""

    folders: tuple[tuple[str, int, int, int, int], ...]  # each folder walked (relative to the root) and its stat
    racy: bool  # a folder changed within RACY_NS of the record: its stat proves nothing
    files: tuple[tuple[str, str, str, str], ...]  # plan and units path (relative; "" for none), and as shown


Stat = tuple[int, int, int, int]


class Seen(NamedTuple):
    """A file now: its stat, digest and, when they had to be read, its bytes."""

    stat: tuple[int, int, int, int]
    digest: str
    raw: bytes | None


def folder_stat(path: Path | str) -> Stat:
    """A folder's stat for ``Snapshot.keep_listing``, taken before it is listed (a change while
    it is read leaves the record older than the listing: the next run walks again)."""
    return _stat(path)


def _stat(path: Path | str) -> Stat:
    """(size, mtime_ns, ctime_ns, inode); all -1 when it cannot be taken (the read will say why)."""
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1, -1, -1)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def digest_of(raw: bytes) -> str:
    # SHA-256: hardware-accelerated on current x86 (SHA-NI) and ARMv8 machines, ~2 GB/s against
    # BLAKE2b's ~0.8 in software (a 17 MB file: 8.5 against 20.5 ms, and done hashes it twice).
    return hashlib.sha256(raw).hexdigest()[:40]


class Snapshot:
    """The records of one data root, read once at the start of a load, saved once at its end.

    Memory stays as low as with one entry per file: a record that still holds is released
    as soon as its plan is built (only its stat and digest are kept), and on the runs that
    must write the snapshot again, ``save`` takes those parses back from the entry on disk."""

    def __init__(self, root: Path, *, release: bool = True) -> None:
        self.key = cache.cache_key("snapshot", str(root.resolve()), os.getcwd())
        records, listing = _entry(cache.load("snapshots", self.key))
        self.old = _records(records)
        self.read_names = set(self.old)
        self.old_listing = _listing(listing)
        self.new_listing = self.old_listing
        self.new: dict[str, tuple[Any, ...]] = {}  # FileRecord, or its RECORDED fields when unchanged
        self.changed = False
        self.opened_ns = time.time_ns()  # before any file is looked at: the conservative side
        self.release = release  # False for an update: it writes the snapshot again, and reading it twice costs more

    def look(self, path: Path | str, shown: str) -> Seen:
        """The file's digest: from its record when the stat is unchanged and settled, else from its bytes.

        Raises ``DataError`` as ``read_bytes`` does (a missing or unreadable file)."""
        stat = _stat(path)
        record = self.old.get(shown)
        settled = record is not None and not record.racy and 0 <= stat[0] <= max_bytes()
        if settled and record is not None and (record.size, record.mtime_ns, record.ctime_ns, record.inode) == stat:
            return Seen(stat, record.digest, None)
        raw = read_bytes(Path(path), shown)
        return Seen(stat, digest_of(raw), raw)

    def seen(self, path: Path, digest: str) -> Seen:
        """A file this process just wrote, bytes of ``digest`` (its stat taken after the write)."""
        return Seen(_stat(path), digest, None)

    def packed(self, shown: str, seen: Seen, units_digest: str = "") -> FileRecord | None:
        """The record whose parse holds for these bytes (and units), if any. One that does not
        hold is dropped at once: its parse is as large as the one about to replace it."""
        record = self.old.get(shown)
        if record is None:
            return None
        if record.digest != seen.digest or record.units_digest != units_digest:
            del self.old[shown]
            return None
        return record

    def units_digest(self, shown: str) -> str | None:
        """The digest of the units.yaml a plan recorded this run was built against."""
        record = self.new.get(shown)
        return None if record is None else str(record[FileRecord._fields.index("units_digest")])

    def keep(self, shown: str, seen: Seen, packed: Any, *, units_digest: str = "") -> None:
        """Record a file for the next run (only files read this run are kept: removed ones drop out)."""
        if seen.stat[0] < 0:
            return
        size, mtime_ns, ctime_ns, inode = seen.stat
        racy = max(mtime_ns, ctime_ns) >= self.opened_ns - RACY_NS
        fields = (size, mtime_ns, ctime_ns, inode, racy, seen.digest, units_digest)
        old = self.old.pop(shown, None)
        if old is not None and tuple(old[:RECORDED]) == fields and old.packed is packed:
            self.new[shown] = fields if self.release else tuple(old)  # unchanged: released, its parse stays on disk
        else:
            self.new[shown] = tuple(FileRecord(*fields, packed))
            self.changed = True

    def listing(self, root: Path) -> list[tuple[str, str, str, str]] | None:
        """The root's plan files as last walked, when no folder of it changed since (else ``None``)."""
        found = self.old_listing
        if found is None or found.racy:
            return None
        for folder, *stat in found.folders:
            if tuple(stat) != _stat(root / folder if folder else root):
                return None
        return list(found.files)

    def keep_listing(self, folders: list[tuple[str, Stat]], files: list[tuple[str, str, str, str]]) -> None:
        """Record a walk of the root: its folders (relative path, ``folder_stat``) and its files."""
        if any(stat[0] < 0 for _, stat in folders):
            self.new_listing = None
        else:
            racy = any(max(stat[1], stat[2]) >= self.opened_ns - RACY_NS for _, stat in folders)
            self.new_listing = Listing(tuple((name, *stat) for name, stat in folders), racy, tuple(files))
        if self.new_listing != self.old_listing:
            self.changed = True

    def save(self) -> None:
        """Write the records when anything differs from what was read."""
        if not self.changed and self.new.keys() == self.read_names:
            return
        records = self.new
        if any(len(record) < len(FileRecord._fields) for record in records.values()):
            on_disk = _records(_entry(cache.load("snapshots", self.key))[0])
            records = {}
            for shown, record in self.new.items():
                if len(record) == len(FileRecord._fields):
                    records[shown] = record
                elif (found := on_disk.get(shown)) is not None and tuple(found[:RECORDED]) == record:
                    records[shown] = tuple(found)
                # else another run replaced the entry meanwhile: that file is left out, and simply read next time
        listing = None if self.new_listing is None else tuple(self.new_listing)
        cache.save("snapshots", self.key, (records, listing))


def _entry(loaded: Any) -> tuple[Any, Any]:
    """(records, listing) of a loaded entry; nothing of a foreign or damaged one."""
    if isinstance(loaded, tuple) and len(loaded) == 2:
        return loaded[0], loaded[1]
    return None, None


def _listing(loaded: Any) -> Listing | None:
    """The well-formed listing of a loaded entry, if any."""
    try:
        folders, racy, files = loaded
        found = Listing(
            tuple((str(f), int(a), int(b), int(c), int(d)) for f, a, b, c, d in folders),
            bool(racy),
            tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in files),
        )
    except (TypeError, ValueError):
        return None
    paths = [f[0] for f in found.folders] + [p for f in found.files for p in (f[0], f[2])]
    if any(p.startswith("/") or ".." in p.split("/") for p in paths):
        return None  # a listing only ever names paths inside its root
    return found


def _records(loaded: Any) -> dict[str, FileRecord]:
    """The well-formed records of a loaded entry (a foreign or damaged one gives none)."""
    if not isinstance(loaded, dict):
        return {}
    width = len(FileRecord._fields)
    return {
        shown: FileRecord._make(record)
        for shown, record in loaded.items()
        if isinstance(shown, str) and isinstance(record, tuple) and len(record) == width
    }
