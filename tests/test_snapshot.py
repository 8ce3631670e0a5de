"""The data root's snapshot (store/snapshot.py) and filtered building: faster, never stale, same plans."""

from __future__ import annotations

import marshal
import os
from datetime import date
from pathlib import Path

import pytest

from gkplan import query
from gkplan.store import cache, load_workspace, snapshot


def names(data_dir: Path) -> dict[int, str]:
    return {t.id: t.name for t in load_workspace(data_dir).tasks}


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records count as settled at once (else files written by a test stay "racily clean" for 2 s)."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose bytes the snapshot read."""
    seen: list[str] = []
    real = snapshot.read_bytes

    def counting(path: Path, shown: str) -> bytes:
        seen.append(Path(shown).name)
        return real(path, shown)

    monkeypatch.setattr(snapshot, "read_bytes", counting)
    return seen


def edit_keeping_stat(path: Path, old: str, new: str) -> None:
    """Change the content, keep size and mtime (an edit within one timestamp tick)."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    assert len(old.encode()) == len(new.encode())
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_unchanged_settled_files_are_not_read(data_dir: Path, settled: None, reads: list[str]) -> None:
    cold = load_workspace(data_dir)
    assert sorted(reads) == ["tasks.yaml", "units.yaml"]  # first run: hashed, and recorded
    reads.clear()
    warm = load_workspace(data_dir)
    assert reads == []
    assert warm.plans == cold.plans
    assert warm.problems == cold.problems


def test_fresh_records_are_racy_and_always_hashed(data_dir: Path, reads: list[str]) -> None:
    load_workspace(data_dir)  # the files were just written: within RACY_NS of the record
    reads.clear()
    load_workspace(data_dir)
    assert sorted(reads) == ["tasks.yaml", "units.yaml"]


@pytest.mark.parametrize("racy", [True, False], ids=["racy", "settled"])
def test_edit_within_the_same_tick_is_seen(data_dir: Path, monkeypatch: pytest.MonkeyPatch, racy: bool) -> None:
    if not racy:
        monkeypatch.setattr(snapshot, "RACY_NS", 0)
    assert names(data_dir)[1] == "做好主动公开公文规范归集"
    edit_keeping_stat(data_dir / "tasks.yaml", "name: 做好主动公开公文规范归集", "name: 做好主动公开公文规范整理")
    assert names(data_dir)[1] == "做好主动公开公文规范整理"
    assert names(data_dir)[1] == "做好主动公开公文规范整理"  # and the record made from the new bytes holds


def test_units_change_rebuilds_the_plans_under_it(data_dir: Path, settled: None) -> None:
    def responsible() -> set[str]:
        return {u for t in load_workspace(data_dir).tasks for u in t.responsible}

    assert "局办公室" in responsible()
    units = data_dir / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("局办公室", "局综合科"), encoding="utf-8")
    tasks = data_dir / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("局办公室", "局综合科"), encoding="utf-8")
    after = responsible()
    assert "局综合科" in after
    assert "局办公室" not in after


def test_removed_plan_file_drops_out(data_dir: Path, settled: None) -> None:
    extra = data_dir / "2023.yaml"
    extra.write_text((data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2023"}
    extra.unlink()
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022"}


def test_corrupt_snapshot_is_ignored(data_dir: Path) -> None:
    cold = load_workspace(data_dir)
    folder = cache.cache_dir()
    assert folder is not None
    [entry] = (folder / "snapshots").glob("*.marshal")
    entry.write_bytes(b"\x00garbage")
    assert load_workspace(data_dir).plans == cold.plans


@pytest.mark.parametrize("pass_", ["cold", "warm", "snapshot"])
def test_only_builds_the_same_tasks_as_filtering_afterwards(data_dir: Path, settled: None, pass_: str) -> None:
    day = date(2022, 10, 8)
    if pass_ != "cold":
        load_workspace(data_dir)  # fills the per-file cache and the snapshot
    if pass_ == "warm":  # the per-file cache alone
        folder = cache.cache_dir()
        assert folder is not None
        for entry in (folder / "snapshots").glob("*.marshal"):
            entry.unlink()
    filtered = load_workspace(data_dir, only=query.late_filter(day))  # what overdue passes
    cache.use(None)
    full = load_workspace(data_dir)
    expected = [t for t in full.tasks if query.may_be_late(t.deadline, day)]
    assert filtered.tasks == expected
    assert 0 < len(expected) < len(full.tasks)
    assert filtered.problems == full.problems
    assert [p.id for p in filtered.plans] == [p.id for p in full.plans]


def test_task_id_filter_matches_find_task(data_dir: Path) -> None:
    for key in ("2", "2022:2", "2022：2", " 2 "):
        only = query.task_id_filter(key)
        assert only is not None
        workspace = load_workspace(data_dir, only=only)
        assert [t.id for t in workspace.tasks] == [2]
        assert query.find_task(workspace.plans, key).id == 2
    assert query.task_id_filter("第二项") is None


def test_a_filter_by_id_resolves_no_other_deadline(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``done`` names one task: from the cache, only its deadline is resolved (20,000 cost 10-25 ms)."""
    from gkplan.store import cache_codec

    everything = load_workspace(data_dir)  # cached
    resolved: list[str | None] = []
    real = cache_codec.deadline_for_task

    def counting(phrase: str | None, *args: object) -> object:
        resolved.append(phrase)
        return real(phrase, *args)

    monkeypatch.setattr(cache_codec, "deadline_for_task", counting)
    only = query.task_id_filter("2022:14")
    assert only is not None
    [task] = load_workspace(data_dir, only=only).tasks
    assert task == next(t for t in everything.tasks if t.id == 14)
    assert resolved == [task.deadline.phrase]


def test_display_paths_shows_what_display_path_shows(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gkplan.store.reader import display_path, display_paths

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "target.yaml").write_text("x: 1\n", encoding="utf-8")
    (data_dir / "linked.yaml").symlink_to(outside / "target.yaml")
    (data_dir / "sub").mkdir()
    (data_dir / "sub" / "p.yaml").write_text("x: 1\n", encoding="utf-8")
    paths = [data_dir / "tasks.yaml", data_dir / "linked.yaml", data_dir / "sub" / "p.yaml", outside / "target.yaml"]
    for cwd in (data_dir, data_dir.parent, outside):
        monkeypatch.chdir(cwd)
        shown = display_paths()
        relative = [Path(os.path.relpath(p, cwd)) for p in paths]
        assert [shown(p) for p in paths + relative] == [display_path(p) for p in paths + relative]


def test_a_change_keeps_the_other_files_records(data_dir: Path, settled: None, reads: list[str]) -> None:
    """Unchanged records are released while loading and taken back from disk when the snapshot is written again."""
    other = data_dir / "2023.yaml"
    other.write_text((data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    load_workspace(data_dir)
    edit_keeping_stat(other, "name: 做好主动公开公文规范归集", "name: 做好主动公开公文规范整理")
    reads.clear()
    changed = load_workspace(data_dir)
    assert reads == ["2023.yaml"]  # ctime moved: hashed; the others trusted
    reads.clear()
    again = load_workspace(data_dir)
    assert reads == []
    assert again.plans == changed.plans
    assert [t.name for t in again.tasks if t.plan == "2023" and t.id == 1] == ["做好主动公开公文规范整理"]


def test_damaged_records_are_ignored(data_dir: Path) -> None:
    cold = load_workspace(data_dir)
    folder = cache.cache_dir()
    assert folder is not None
    [entry] = (folder / "snapshots").glob("*.marshal")
    key, (records, listing) = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps((key, ({name: record[:3] for name, record in records.items()} | {1: "x"}, listing))))
    assert load_workspace(data_dir).plans == cold.plans
    entry.write_bytes(marshal.dumps((key, (records, ("not", "a", "listing")))))
    assert load_workspace(data_dir).plans == cold.plans
    folders, _racy, files = listing
    outside = (folders, False, tuple(("../elsewhere/tasks.yaml", *rest) for _plan, *rest in files))
    entry.write_bytes(marshal.dumps((key, (records, outside))))
    assert load_workspace(data_dir).plans == cold.plans  # a listing naming a path outside the root is not used
    entry.write_bytes(marshal.dumps((key, records)))  # the layout of an older gkplan
    assert load_workspace(data_dir).plans == cold.plans


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The roots walked for their plan files (a listing from the snapshot walks none)."""
    from gkplan import store

    seen: list[Path] = []
    real = store.walk_plan_files

    def counting(root: Path) -> object:
        seen.append(root)
        return real(root)

    monkeypatch.setattr(store, "walk_plan_files", counting)
    return seen


def test_an_unchanged_root_is_not_walked_again(data_dir: Path, settled: None, walks: list[Path]) -> None:
    cold = load_workspace(data_dir)
    assert len(walks) == 1
    warm = load_workspace(data_dir)
    assert len(walks) == 1  # the listing came from the snapshot
    assert warm.plans == cold.plans
    assert [p.source for p in warm.plans] == [p.source for p in cold.plans]  # paths shown alike


def test_a_plan_added_in_a_new_folder_is_seen(data_dir: Path, settled: None, walks: list[Path]) -> None:
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022"}
    bureau = data_dir / "jyj"
    bureau.mkdir()
    (bureau / "2023.yaml").write_text(
        (data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2023"'), encoding="utf-8"
    )
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2023"}
    assert len(walks) == 2
    (bureau / "2024.yaml").write_text(
        (data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2024"'), encoding="utf-8"
    )  # a file added to a sub-folder changes that folder, not the root
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2023", "2024"}
    (bureau / "2023.yaml").rename(bureau / "_2023.yaml")  # set aside: not a plan any more
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2024"}


def test_folders_changed_moments_ago_are_walked_again(data_dir: Path, walks: list[Path]) -> None:
    load_workspace(data_dir)
    load_workspace(data_dir)  # the folder was just written: its stat proves nothing yet
    assert len(walks) == 2


def test_a_root_with_a_symbolic_link_is_always_walked(data_dir: Path, settled: None, walks: list[Path], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "2023.yaml"
    target.write_text((data_dir / "tasks.yaml").read_text(encoding="utf-8").replace('id: "2022"', 'id: "2023"'), encoding="utf-8")
    (data_dir / "2023.yaml").symlink_to(target)
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2023"}
    assert {p.id for p in load_workspace(data_dir).plans} == {"2022", "2023"}
    assert len(walks) == 2


def test_a_file_back_to_content_seen_before_is_hashed_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot's record no longer holds, the file's own cache entry does (a branch switched
    back): the digest taken to look the file up also keys that entry (17 MB hashed once, not twice),
    and that entry, just read, is not written again (a 10 MB marshal dump)."""
    import hashlib

    path = data_dir / "tasks.yaml"
    original = path.read_bytes()
    expected = load_workspace(data_dir)  # recorded in the snapshot, and in the file's own entry
    path.write_bytes(original.replace("做好主动公开公文规范归集".encode(), "做好公文归集".encode(), 1))
    load_workspace(data_dir)  # the snapshot now records the edited content
    path.write_bytes(original)
    hashed: list[int] = []
    real = hashlib.sha256

    class Counting:
        def __init__(self, data: bytes = b"", **options: int) -> None:
            self.inner = real(data, **options)
            hashed.append(len(data))

        def update(self, data: bytes) -> None:
            hashed.append(len(data))
            self.inner.update(data)

        def hexdigest(self) -> str:
            return self.inner.hexdigest()

    save = cache.save

    def not_plans_again(kind: str, key: str, value: object) -> None:
        assert kind != "plans", "the file's own entry, just read, was written again"
        save(kind, key, value)

    monkeypatch.setattr(hashlib, "sha256", Counting)
    monkeypatch.setattr("gkplan.store.build.build_plan", lambda *a, **k: pytest.fail("parsed: the file's own entry was missed"))
    monkeypatch.setattr(cache, "save", not_plans_again)
    again = load_workspace(data_dir)
    assert hashed.count(len(original)) == 1
    assert again.plans == expected.plans
