"""The parse cache is invisible: never stale, ignored when corrupt, never written for bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gkplan.model import Task
from gkplan.store import Workspace, cache, load_workspace


def cached_files(kind: str) -> list[Path]:
    folder = cache.cache_dir()
    assert folder is not None
    return sorted((folder / kind).glob("*.marshal")) if (folder / kind).exists() else []


FOLDER: list[Path | None] = []


def off() -> None:
    """``GKPLAN_NO_CACHE=1``, as the CLI passes it down."""
    FOLDER.append(cache.cache_dir())
    cache.use(None)


def on() -> None:
    cache.use(FOLDER.pop())


def names(data_dir: Path) -> dict[int, str]:
    return {t.id: t.name for t in load_workspace(data_dir).tasks}


def test_cache_lives_outside_the_repository(data_dir: Path, tmp_path: Path) -> None:
    load_workspace(data_dir)
    [entry] = cached_files("plans")
    assert entry.is_relative_to(tmp_path / ".cache" / "gkplan")
    assert not any(p.suffix == ".marshal" for p in data_dir.rglob("*"))


def test_warm_load_equals_cold_load(data_dir: Path) -> None:
    cold = load_workspace(data_dir)
    assert cached_files("plans")
    warm = load_workspace(data_dir)
    assert warm.plans == cold.plans
    assert warm.problems == cold.problems


def test_change_within_the_same_second_is_seen(data_dir: Path) -> None:
    path = data_dir / "tasks.yaml"
    assert names(data_dir)[1] == "做好主动公开公文规范归集"
    before = path.stat()
    text = path.read_text(encoding="utf-8").replace("name: 做好主动公开公文规范归集", "name: 做好主动公开公文规范整理", 1)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: only content differs
    assert path.stat().st_size == before.st_size
    assert names(data_dir)[1] == "做好主动公开公文规范整理"


def test_units_change_invalidates_the_plans_it_governs(data_dir: Path) -> None:
    assert "法规科" not in load_workspace(data_dir).tasks[1].responsible
    units = data_dir / "units.yaml"
    line = "  人才开发科: {kind: 局机关科室}\n"
    text = units.read_text(encoding="utf-8").replace(line, line + "  法规科: {kind: 局机关科室}\n")
    units.write_text(text, encoding="utf-8")
    assert "法规科" in load_workspace(data_dir).tasks[1].responsible


def test_corrupt_entries_are_ignored(data_dir: Path) -> None:
    expected = load_workspace(data_dir).plans
    for entry in cached_files("plans") + cached_files("units"):
        entry.write_bytes(b"\x00garbage")
    assert load_workspace(data_dir).plans == expected
    for entry in cached_files("plans"):
        entry.write_bytes(entry.read_bytes()[:100])  # truncated
    assert load_workspace(data_dir).plans == expected


def test_foreign_entry_under_the_right_name_is_ignored(data_dir: Path) -> None:
    import marshal

    expected = load_workspace(data_dir).plans
    [entry] = cached_files("plans")
    entry.write_bytes(marshal.dumps(("someone-else", ("x",))))
    assert load_workspace(data_dir).plans == expected


def test_nothing_is_cached_for_a_file_with_errors(data_dir: Path) -> None:
    path = data_dir / "tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      - 就业培训科\n", "      - 就业陪训科\n", 1), encoding="utf-8")
    first = load_workspace(data_dir)
    assert any(p.code == "unknown-unit" for p in first.problems)
    assert cached_files("plans") == []
    assert load_workspace(data_dir).problems == first.problems  # reported again, fresh


def test_cache_can_be_turned_off_or_deleted(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    off()
    load_workspace(data_dir)
    on()
    assert cached_files("plans") == []
    load_workspace(data_dir)
    folder = cache.cache_dir()
    assert folder is not None
    import shutil

    shutil.rmtree(folder)
    assert len(load_workspace(data_dir).tasks) == 32


def test_unwritable_cache_is_harmless(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    cache.use(blocker / "cache")
    assert len(load_workspace(data_dir).tasks) == 32


def test_warm_run_does_not_import_the_yaml_parser(data_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".cache")}
    code = (
        "import sys; from gkplan.cli import data_dir; from gkplan.store import load_workspace; "
        "load_workspace(data_dir(sys.argv[1])); print('yaml' in sys.modules)"
    )
    cold = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, env=env, check=True)
    warm = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, env=env, check=True)
    assert cold.stdout.strip() == "True"
    assert warm.stdout.strip() == "False"


def refuse_to_parse(*args: object, **kwargs: object) -> None:
    raise AssertionError("parsed a file the cache should have served")


def test_an_update_leaves_a_correct_warm_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch, gkplan: object) -> None:
    """After ``gkplan done`` the new content is cached without a re-parse, and equals a fresh parse."""
    from typer.testing import CliRunner

    from gkplan.cli import app

    runner = CliRunner()
    load_workspace(data_dir)  # warm
    for args in (
        ["done", "2", "--unit", "就业培训科", "--today", "2022-09-20", "--note", "已认定 120 件"],
        ["block", "14", "--unit", "高服中心", "--today", "2022-09-21", "--note", "等待答复"],
        ["start", "1", "--today", "2022-03-01"],
    ):
        entries = len(cached_files("plans"))
        result = runner.invoke(app, [*args, "--data", str(data_dir)], env={"GKPLAN_USER": "测试"})
        assert result.exit_code == 0, result.stderr
        with monkeypatch.context() as patched:  # the new content, recorded by the update itself in the root's snapshot …
            patched.setattr("gkplan.store.build.build_plan", refuse_to_parse)
            cached = load_workspace(data_dir)
        assert len(cached_files("plans")) == entries  # … and used from there: nothing parsed or saved again
        off()
        fresh = load_workspace(data_dir)
        on()
        assert cached.plans == fresh.plans
        assert cached.problems == fresh.problems == []
    task = {t.id: t for t in load_workspace(data_dir).tasks}
    assert task[14].progress["高服中心"].note == "等待答复"
    assert task[20].source is not None
    assert task[20].source.line > 247  # moved down by the lines added above it


def test_a_refused_update_still_records_what_its_load_parsed(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An update saves the snapshot once, after writing; a refused one must save it too, or the
    next command parses the changed file again (seconds on a large plan)."""
    from typer.testing import CliRunner

    from gkplan.cli import app

    load_workspace(data_dir)
    path = data_dir / "tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 做好主动公开公文规范归集", "name: 做好公文归集", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["done", "999", "--unit", "就业培训科", "--data", str(data_dir)], env={"GKPLAN_USER": "测试"})
    assert result.exit_code == 4, result.stderr  # no such task: nothing written
    load = cache.load

    def snapshot_only(kind: str, key: str) -> object:
        assert kind != "plans", "the plan came from its own cache entry, not from the data root's snapshot"
        return load(kind, key)

    with monkeypatch.context() as patched:
        patched.setattr("gkplan.store.build.build_plan", refuse_to_parse)
        patched.setattr(cache, "load", snapshot_only)
        assert load_workspace(data_dir).tasks[0].name == "做好公文归集"


def test_the_refreshed_cache_keeps_warnings_below_the_edit_at_their_new_lines(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gkplan.store import known_content, remember_update
    from gkplan.store.writer import plan_file, update_task
    from gkplan.updates import Action, Request

    path = data_dir / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    deadline: 10月底前\n", "    deadline: 10月底前完成报送\n", 1), encoding="utf-8")
    workspace = load_workspace(data_dir, for_update=True)
    assert [p.code for p in workspace.problems] == ["deadline-leftover"]  # a warning on task 20, below task 2
    plan = workspace.plans[0]
    known = known_content(workspace, next(t for t in plan.tasks if t.id == 2))
    result = update_task(plan_file(plan), plan, 2, Request(Action.DONE, unit="就业培训科", note="已认定"), "2", known=known)
    assert result.as_known
    remember_update(workspace, result)
    with monkeypatch.context() as patched:
        patched.setattr("gkplan.store.build.build_plan", refuse_to_parse)
        cached = load_workspace(data_dir)
    off()
    fresh = load_workspace(data_dir)
    assert cached.plans == fresh.plans
    assert cached.problems == fresh.problems
    assert cached.problems[0].line > workspace.problems[0].line  # moved down by the progress lines added above


def test_an_update_made_in_between_is_not_lost_from_the_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two liaisons: B loads, A records and writes, then B writes. B's cache entry must hold A's change too."""
    from gkplan.store import known_content, remember_update
    from gkplan.store.writer import plan_file, update_task
    from gkplan.updates import Action, Request

    def task(workspace: Workspace, task_id: int) -> Task:
        return next(t for t in workspace.tasks if t.id == task_id)

    b_workspace = load_workspace(data_dir, for_update=True)  # B has loaded
    stale = b_workspace.plans[0]
    a_workspace = load_workspace(data_dir, for_update=True)
    a_plan = a_workspace.plans[0]
    a_known = known_content(a_workspace, task(a_workspace, 14))
    a_result = update_task(plan_file(a_plan), a_plan, 14, Request(Action.BLOCK, unit="高服中心", note="等待答复"), "14", known=a_known)
    remember_update(a_workspace, a_result)  # A is done
    b_known = known_content(b_workspace, task(b_workspace, 2))
    b_result = update_task(plan_file(stale), stale, 2, Request(Action.DONE, unit="就业培训科"), "2", known=b_known)
    assert a_result.as_known
    assert not b_result.as_known  # B's writer found A's bytes, not those B loaded
    remember_update(b_workspace, b_result)
    cached = load_workspace(data_dir)
    off()
    fresh = load_workspace(data_dir)
    assert cached.plans == fresh.plans
    task = {t.id: t for t in cached.tasks}
    assert task[14].progress["高服中心"].note == "等待答复"
    assert task[2].progress["就业培训科"].status.value == "done"


def test_writing_a_new_entry_prunes_old_and_surplus_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache once grew without bound: prune() was never called."""
    import time

    cache.use(tmp_path / "pruned")
    folder = tmp_path / "pruned" / "plans"
    folder.mkdir(parents=True)
    now = time.time()
    for number in range(8):
        entry = folder / f"{number:040x}.marshal"
        entry.write_bytes(b"x")
        age_days = 90 if number < 3 else number  # three unused for 90 days, five recently used
        os.utime(entry, (now - age_days * 86400, now - age_days * 86400))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 4)
    cache.save("plans", "new", ("value",))
    left = sorted(p.name for p in folder.glob("*.marshal"))
    # the 90-day ones went for age; of the rest, the least recently used beyond four went for count
    assert left == sorted(["new.marshal", *(f"{n:040x}.marshal" for n in (3, 4, 5))])
    assert cache.load("plans", "new") == ("value",)


def test_packing_shares_equal_short_texts_and_forgets_them_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal names and units are packed as one object (marshal writes them once); the memory of
    them is bounded, so a long-lived process that packs many plans does not grow without end."""
    from gkplan.store import cache_codec

    monkeypatch.setattr(cache_codec, "_SHARED", {})
    monkeypatch.setattr(cache_codec, "SHARED_AT_MOST", 10)
    first = cache_codec._shared("".join(["就业", "培训科"]))
    assert cache_codec._shared("".join(["就业培", "训科"])) is first
    long_text = "很长的任务内容" * 20
    assert cache_codec._shared(long_text) is long_text
    assert len(cache_codec._SHARED) == 1  # long contents are not remembered
    for number in range(50):
        cache_codec._shared(f"单位{number}")
    assert len(cache_codec._SHARED) <= 10
