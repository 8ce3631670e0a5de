"""The benchmark's data generator writes data that ``gkplan check`` accepts, in the documented shape.

Speed figures belong to ``bench/run.py``; nothing here is timed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from gkplan.model import Status
from gkplan.store import load_workspace
from gkplan.validate import check_data
from tests.conftest import SHIPPED_DATA

BENCH = Path(__file__).resolve().parents[1] / "bench"


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_bureaus_layout_passes_check_in_the_documented_shape(make_plans: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "data"
    assert make_plans.main(["--tasks", "400", "--files", "15", "--out", str(root)]) == 0
    validation = check_data(root)
    assert validation.errors == []
    # the only warning is the documented share of rows without 时间节点 (as row 15 of the shipped plan)
    assert {p.code for p in validation.warnings} <= {"missing-deadline"}
    assert (validation.plans, validation.tasks) == (15, 400)
    workspace = load_workspace(root)
    assert workspace.qualified
    assert len({plan.id for plan in workspace.plans}) == 15
    assert len({path.parent for path in root.rglob("units.yaml")}) >= 3  # several bureaus, each with its own units
    for plan in workspace.plans:
        assert 6 <= len(plan.units.units) <= 15
        assert len(plan.units.groups) == 2
    tasks = workspace.tasks
    assert all(1 <= len(t.units) <= 7 for t in tasks)
    assert any(name in plan.units.groups for plan in workspace.plans for t in plan.tasks for name in t.units)
    assert all(30 <= len(t.content) <= 200 for t in tasks)
    assert 0.35 * len(tasks) < sum(1 for t in tasks if t.progress) < 0.65 * len(tasks)
    statuses = Counter(t.status for t in tasks)
    assert statuses[Status.VERIFIED] > 0
    assert statuses[Status.DONE] > 0
    phrases = {t.deadline.phrase for t in tasks}
    assert {"全年", "上半年", "三季度末", "每季度"} <= phrases
    assert all(t.deadline.due is not None for t in tasks if t.deadline.phrase)  # every phrase written is read


def test_single_layout_is_the_shipped_layout(make_plans: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "data"
    make_plans.main(["--tasks", "120", "--layout", "single", "--out", str(root)])
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == ["tasks.yaml", "units.yaml"]
    validation = check_data(root)
    assert validation.errors == []
    workspace = load_workspace(root)
    assert [t.id for t in workspace.tasks] == list(range(1, 121))
    assert sorted(workspace.plans[0].units.units) == sorted(load_workspace(SHIPPED_DATA).plans[0].units.units)
    assert not workspace.qualified


@pytest.mark.parametrize(("tasks", "files"), [(50, 1), (61, 7), (600, 600)])
def test_task_count_is_exact_over_the_files(make_plans: ModuleType, tmp_path: Path, tasks: int, files: int) -> None:
    root = tmp_path / "data"
    make_plans.main(["--tasks", str(tasks), "--files", str(files), "--out", str(root)])
    manifest = json.loads((root / make_plans.MANIFEST).read_text(encoding="utf-8"))
    assert sum(plan["tasks"] for plan in manifest["plans"]) == tasks
    assert len(list(make_plans.iter_plan_files(root))) == files
    workspace = load_workspace(root)
    assert (len(workspace.plans), len(workspace.tasks)) == (files, tasks)


def test_same_seed_same_bytes_and_refuses_to_overwrite(make_plans: ModuleType, tmp_path: Path) -> None:
    args = ["--tasks", "200", "--files", "5"]
    make_plans.main([*args, "--out", str(tmp_path / "a")])
    make_plans.main([*args, "--out", str(tmp_path / "b")])
    make_plans.main([*args, "--out", str(tmp_path / "c"), "--seed", "7"])
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")
    assert tree_bytes(tmp_path / "a") != tree_bytes(tmp_path / "c")
    before = tree_bytes(tmp_path / "a")
    assert make_plans.main([*args, "--out", str(tmp_path / "a"), "--seed", "7"]) == 2  # not empty, no --force
    assert tree_bytes(tmp_path / "a") == before
    assert make_plans.main([*args, "--out", str(tmp_path / "a"), "--seed", "7", "--force"]) == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "c")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left behind
