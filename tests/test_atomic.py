"""``store.atomic.atomic_write``: the one writer every command uses; modes a user expects."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gkplan.errors import DataError, UsageError
from gkplan.store.atomic import atomic_write
from tests.conftest import SHIPPED_DATA

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and owners")
GKPLAN = Path(sys.executable).parent / "gkplan"


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, mask: int, expected: int) -> None:
    old = os.umask(mask)
    try:
        atomic_write(tmp_path / "new.txt", b"x")
        atomic_write(tmp_path / "exclusive.txt", b"x", exclusive=True)
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.txt") == expected
    assert mode(tmp_path / "exclusive.txt") == expected


def test_replacing_keeps_mode_and_owner(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_bytes(b"old")
    path.chmod(0o604)
    owner = None
    if os.geteuid() == 0:  # root can give the file away first, as in someone else's checkout
        owner = (4321, 4321)
        os.chown(path, *owner)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert mode(path) == 0o604
    if owner:
        assert (path.stat().st_uid, path.stat().st_gid) == owner


def test_exclusive_never_replaces_and_makes_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "2023.yaml"
    atomic_write(target, b"plan: 1\n", exclusive=True)
    assert target.read_bytes() == b"plan: 1\n"
    with pytest.raises(UsageError, match="不会覆盖"):
        atomic_write(target, b"other\n", exclusive=True)
    assert target.read_bytes() == b"plan: 1\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["2023.yaml"]  # no temp file left


def test_a_missing_folder_or_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="目录不存在"):
        atomic_write(tmp_path / "nowhere" / "r.html", b"x")
    with pytest.raises(UsageError, match="目录"):
        atomic_write(tmp_path, b"x")


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.md"
    path.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(DataError, match="文件保持原样"):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_init_import_and_report_files_follow_the_umask(tmp_path: Path) -> None:
    """init and import used to create 0600 files; a report -o was 0644 but lost a replaced file's mode."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def run(*args: str) -> None:
        command = ["sh", "-c", 'umask 022 && exec "$@"', "sh", str(GKPLAN), *args]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()

    run("init", "new")
    assert mode(tmp_path / "new" / "tasks.yaml") == 0o644
    assert mode(tmp_path / "new" / "units.yaml") == 0o644
    (tmp_path / "old.md").write_text("old", encoding="utf-8")
    (tmp_path / "old.md").chmod(0o600)
    run("report", "--data", str(SHIPPED_DATA), "--today", "2022-10-08", "-o", "old.md")
    assert mode(tmp_path / "old.md") == 0o600  # a private report stays private
    run("report", "--data", str(SHIPPED_DATA), "--today", "2022-10-08", "-o", "fresh.md")
    assert mode(tmp_path / "fresh.md") == 0o644


def test_pieces_are_written_as_one_file(tmp_path: Path) -> None:
    target = tmp_path / "日历.ics"
    assert atomic_write(target, (part.encode() for part in ["BEGIN", "中间", "END"])) == len("BEGIN中间END".encode())
    assert target.read_bytes() == "BEGIN中间END".encode()


def test_a_failure_while_pieces_are_made_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_bytes(b"old")

    def pieces() -> Iterator[bytes]:
        yield b"new, half"
        raise RuntimeError("the renderer failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, pieces())
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temp file left
