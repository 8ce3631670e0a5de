"""Seven liaisons record their part of one task at the same moment: every update lands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gkplan.store import load_workspace
from gkplan.store.reader import parse_text
from gkplan.store.yamltext import strip_positions

SEVEN = ("局办公室", "就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心")

# Each child waits at a start line (a file appearing) so the seven really race.
CHILD = """
import os, sys, time
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.005)
from gkplan.cli import main
sys.argv = ["gkplan", *sys.argv[2:]]
main()
"""


def args(unit: str) -> list[str]:
    return ["done", "2", "--unit", unit, "--today", "2022-09-20", "--note", f"{unit}完成"]


def test_seven_processes_updating_seven_units_all_land(data_dir: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    env = {**os.environ, "GKPLAN_DATA": str(data_dir), "GKPLAN_USER": "", "NO_COLOR": "1"}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(go), *args(unit)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for unit in SEVEN
    ]
    go.touch()
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert out.startswith("任务 2：")
    assert sum("任务状态：已完成" in out for out, _ in outputs) == 1  # exactly one saw the last unit finish

    text = (data_dir / "tasks.yaml").read_text(encoding="utf-8")
    task = next(t for t in strip_positions(parse_text(text, "t").data)["tasks"] if t["id"] == 2)
    assert set(task["progress"]) == set(SEVEN)
    for unit, entry in task["progress"].items():
        assert entry == {"status": "done", "date": "2022-09-20", "note": f"{unit}完成"}
    model = next(t for t in load_workspace(data_dir).plans[0].tasks if t.id == 2)
    assert model.status.value == "done"
    assert not list(data_dir.glob(".*.tmp"))
