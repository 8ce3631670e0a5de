"""Memory on the cold paths is bounded by the data, not by a plain-data tree of a whole file.

A plan file is built task by task as it is read (``build.TaskStream``), so no more than one
task's mapping is alive at a time, and ``gkplan check`` lets each plan file's data go once
it is checked. Bounds here are sizes and counts (tracemalloc peaks relative to the bytes
read, in a fresh process); speed belongs in ``bench/``.
"""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gkplan.store import cache, load_workspace, plan_from_bytes, units_from_bytes
from gkplan.store.build import STREAMED, TaskStream, build_plan
from gkplan.store.reader import parse_bytes, parse_text
from tests.conftest import SHIPPED_DATA, SMALL_UNITS

BENCH = Path(__file__).resolve().parents[1] / "bench"

PLAN = """plan:
  id: "2022"
  title: 测试计划
  year: 2022
"""
SECTIONS = """sections:
  - code: 一
    title: 基础工作
  - code: 一（一）
    title: 公文备案
"""
TASKS = """tasks:
  - id: 1
    section: 一（一）
    name: 公文备案
    content: 做好公文备案。
    units: [就业培训科]
    deadline: 6月底前
  - id: 2
    section: 一（二）
    name: 未知章节
    content: 章节不在 sections 中。
    units: [不存在的科]
    deadline: 9月底前
  - 一段文字
  - id: 1
    name: 重复序号
    content: 与任务 1 同号。
    units: [局属各单位]
  - [列表, 不是任务]
  - id: 3
    name: 有进展
    content: 已登记。
    units: [就业培训科]
    progress:
      就业培训科: {status: done, date: 2022-05-01, by: 张三}
"""
OTHER_TASKS = """tasks:
  - id: 9
    name: 另一份任务表
    content: YAML 只保留后一个 tasks。
    units: [局办公室]
"""
LATE_PLAN = PLAN.replace("2022", "2023").replace("测试计划", "后写的计划")

# (file text, what it shows); each must build exactly as from the whole file's plain data
LAYOUTS = (
    (PLAN + SECTIONS + TASKS, "the usual order"),
    (PLAN + TASKS, "no sections"),
    (TASKS + PLAN + SECTIONS, "plan and sections after the tasks: read again as a whole"),
    (PLAN + TASKS + SECTIONS, "sections after the tasks"),
    (PLAN + SECTIONS + TASKS + LATE_PLAN, "a second plan: after the tasks (duplicate key)"),
    (PLAN + SECTIONS + TASKS + OTHER_TASKS, "two lists of tasks: the last one counts"),
    (PLAN + SECTIONS + "tasks: 无\n" + OTHER_TASKS, "a first tasks: that is not a list"),
    (PLAN + SECTIONS + TASKS + "tasks: []\n", "an empty list of tasks last"),
    (PLAN + SECTIONS + "tasks: []\n", "no tasks"),
    (PLAN + SECTIONS + "tasks: [{id: 1, name: 流式, content: 写在一行, units: [局办公室]}]\n", "flow style"),
    ("- 不是映射\n", "a list at the top"),
)


def whole(text: str, directory: Any) -> tuple[Any, list[Any]]:
    """The plan built from the whole file's plain data, as before streaming."""
    document = parse_text(text, "tasks.yaml")
    plan, problems = build_plan(document.data, "tasks.yaml", directory)
    return plan, document.problems + problems


@pytest.mark.parametrize(("text", "shows"), LAYOUTS, ids=[shows for _, shows in LAYOUTS])
def test_streamed_build_is_the_whole_build(text: str, shows: str) -> None:
    directory, _ = units_from_bytes(SMALL_UNITS.encode(), "units.yaml")
    streamed = plan_from_bytes(text.encode(), "tasks.yaml", "tasks.yaml", directory, SMALL_UNITS.encode())
    assert streamed == whole(text, directory), shows


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure Python"])
def test_bytes_with_a_bom_and_crlf_build_as_their_text(libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml reads the bytes themselves (BOM and all): every line and column is the text's."""
    import yaml

    text = (PLAN + SECTIONS + TASKS).replace("\n", "\r\n")
    directory, _ = units_from_bytes(SMALL_UNITS.encode(), "units.yaml")
    expected = whole(text, directory)
    if not libyaml:
        monkeypatch.delattr(yaml, "CSafeLoader")  # a machine without libyaml: PyYAML's own parser reads the text
    raw = b"\xef\xbb\xbf" + text.encode()
    assert plan_from_bytes(raw, "tasks.yaml", "tasks.yaml", directory, SMALL_UNITS.encode()) == expected
    document = parse_bytes(raw, "tasks.yaml", keep_text=False)
    assert (document.has_bom, document.newline) == (True, "\r\n")


def test_shipped_plan_streams_and_builds_as_a_whole() -> None:
    raw = (SHIPPED_DATA / "tasks.yaml").read_bytes()
    directory, _ = units_from_bytes((SHIPPED_DATA / "units.yaml").read_bytes(), "units.yaml")
    stream = TaskStream("tasks.yaml", directory)
    document = parse_bytes(raw, "tasks.yaml", keep_text=False, stream=("tasks", stream.item))
    assert stream.holds(document.data)
    assert document.text == ""  # not kept: libyaml read the bytes
    assert document.data["tasks"] == [STREAMED] * stream.count  # no task's mapping outlived its task
    streamed = build_plan(document.data, "tasks.yaml", directory, streamed=stream)
    assert streamed == whole(raw.decode("utf-8"), directory)
    assert len(streamed[0].tasks) == stream.count > 30


def test_a_task_mapping_is_gone_once_its_task_is_built() -> None:
    """At most one task's mapping is alive at a time, however many tasks the file has (a task
    mapping holds a list, so the collector tracks it even while it is paused)."""
    import gc

    text = (
        PLAN + "tasks:\n" + "".join(f"  - id: {n}\n    name: 任务{n}\n    content: 内容{n}\n    units: [局办公室]\n" for n in range(1, 301))
    )
    directory, _ = units_from_bytes(SMALL_UNITS.encode(), "units.yaml")
    stream = TaskStream("tasks.yaml", directory)
    alive: list[int] = []

    def item(root: dict[Any, Any], index: int, entry: Any, where: tuple[int, int]) -> Any:
        alive.append(sum(1 for o in gc.get_objects() if type(o) is dict and str(o.get("content", "")).startswith("内容")))
        return stream.item(root, index, entry, where)

    parse_bytes(text.encode(), "tasks.yaml", keep_text=False, stream=("tasks", item))
    assert len(alive) == 300
    assert max(alive) == 1  # the one being handed over


# In a fresh process: the peak of traced allocations while loading (or checking) a data root,
# per byte of its YAML files. The cap on a file's size is set to what is there, since reading
# reserves the cap (64 MB by default) for a moment, which tracemalloc counts in full.
PEAK = """
import json, sys, tracemalloc
from pathlib import Path
from gkplan.store import configure, load_workspace
from gkplan.store.reader import set_max_bytes
from gkplan.validate import check_data
root, what, cache = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
configure(cache_dir=Path(cache))
set_max_bytes(size + 1)
tracemalloc.start()
found = check_data(root).tasks if what == "check" else len(load_workspace(root).tasks)
print(json.dumps({"tasks": found, "bytes": size, "peak": tracemalloc.get_traced_memory()[1]}))
"""


def peak_per_byte(root: Path, what: str, cache: Path) -> float:
    done = subprocess.run([sys.executable, "-c", PEAK, str(root), what, str(cache)], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    assert figures["tasks"] == 2000
    return float(figures["peak"]) / figures["bytes"]


@pytest.mark.parametrize("files", [1, 60])
def test_a_cold_load_takes_a_few_times_the_file_size(make_plans: ModuleType, tmp_path: Path, files: int) -> None:
    """2,000 tasks (1.5 MB): in one file, its whole plain data took 12x its size; the model and
    its cache entry now take about 5x, in one file or 60 (the bound leaves room)."""
    root = tmp_path / "data"
    make_plans.generate(root, tasks=2000, files=files, layout="single" if files == 1 else "bureaus")
    assert peak_per_byte(root, "load", tmp_path / "cache") < 7
    assert len(load_workspace(root).tasks) == 2000  # and the cache it wrote serves the same plan


@pytest.mark.parametrize("files", [1, 60])
def test_check_holds_one_task_mapping_and_one_file_text_at_a_time(make_plans: ModuleType, tmp_path: Path, files: int) -> None:
    """2,000 tasks: keeping every file's data and text took 12x their size (in one file or 60); now 4-6x."""
    root = tmp_path / "data"
    make_plans.generate(root, tasks=2000, files=files, layout="single" if files == 1 else "bureaus")
    assert peak_per_byte(root, "check", tmp_path / "cache") < 8


# Warnings of every kind the linter finds in a task, some silenced by comments.
WARNED = """plan:
  id: "2022"
  title: 测试 计划
  year: 2022
sections:
  - code: 一
    title: 基础　工作
tasks:
  # 原表此栏空白。gkplan: ignore[missing-deadline]
  - id: 1
    section: 一
    name: "公文\\n备案"
    content: 做好公文备案。。
    units: [就业培训科, 就业培训科]
  - id: 2
    name: 没有章节
    content: 做好公文备案。。  # gkplan: ignore[duplicate-content]
    units: [局办公室]
    deadline: 6月底前
  - id: 3
    section: 一
    name: 第三
    content: 其他 工作
    units: [局属各单位, 就业促进中心]
    deadline: null
  - id: 3
    name: 重复序号
    content: "有换行\\n的内容"
    units: [局办公室]
    progress:
      局办公室: {status: done, date: 2022-05-01, by: "张\\n三"}
"""
CLEAN = WARNED.replace("id: 3\n    name: 重复序号", "id: 4\n    name: 第四")  # no error: its checks are cached
CHECKED = (
    *LAYOUTS[:-1],
    (WARNED, "warnings, some silenced"),
    (CLEAN, "warnings only"),
    (WARNED.replace("tasks:", "tasks: []\ntasks:", 1), "warnings, two lists"),
)


def cached(folder: Path) -> dict[str, Any]:
    return {str(path.relative_to(folder)): marshal.loads(path.read_bytes()) for path in sorted(folder.rglob("*.marshal"))}


@pytest.mark.parametrize(("text", "shows"), CHECKED, ids=[shows for _, shows in CHECKED])
def test_check_as_read_finds_what_a_check_of_the_whole_file_finds(
    text: str, shows: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gkplan import validate

    root = tmp_path / "data"
    root.mkdir()
    (root / "units.yaml").write_text(SMALL_UNITS, encoding="utf-8")
    (root / "tasks.yaml").write_text(text, encoding="utf-8")
    (root / "more.yaml").write_text(text.replace('id: "2022"', 'id: "more"'), encoding="utf-8")
    cache.use(tmp_path / "as-read")
    as_read = validate.check_data(root)
    monkeypatch.setattr(validate._Linter, "watch", lambda self, path, text: None)  # keep each document whole, as before
    cache.use(tmp_path / "whole")  # a fresh cache: parsed again
    whole_file = validate.check_data(root)
    assert cached(tmp_path / "as-read") == cached(tmp_path / "whole")  # the same entries, warnings in the same order
    assert (as_read.problems, as_read.suppressed) == (whole_file.problems, whole_file.suppressed), shows
    assert (as_read.files, as_read.plans, as_read.tasks, as_read.units) == (
        whole_file.files,
        whole_file.plans,
        whole_file.tasks,
        whole_file.units,
    )
    if text is CLEAN:
        assert {p.code for p in as_read.warnings} >= {"pdf-artefact", "line-break", "repeated-unit", "missing-deadline", "missing-section"}
        assert {p.code for p in as_read.suppressed} == {"missing-deadline", "duplicate-content"}


def test_a_filtered_build_keeps_few_tasks_and_caches_them_all() -> None:
    """``overdue`` and ``done`` build objects only for the tasks they show; the cache entry still holds every task."""
    raw = (SHIPPED_DATA / "tasks.yaml").read_bytes()
    units = (SHIPPED_DATA / "units.yaml").read_bytes()
    directory, _ = units_from_bytes(units, "units.yaml")
    every: dict[str, Any] = {}
    some: dict[str, Any] = {}
    plan, problems = plan_from_bytes(raw, "tasks.yaml", "tasks.yaml", directory, units, entries=every, save=False)
    kept, kept_problems = plan_from_bytes(
        raw, "tasks.yaml", "tasks.yaml", directory, units, entries=some, save=False, only=lambda task_id, _: task_id % 3 == 0
    )
    assert [t.id for t in kept.tasks] == [t.id for t in plan.tasks if t.id % 3 == 0]
    assert [t for t in plan.tasks if t.id % 3 == 0] == list(kept.tasks)
    assert kept_problems == problems
    assert some == every  # one entry, every task in it
