"""How long one progress update takes: on the shipped plan and on a generated 20,000-task file.

    python bench/update.py [--tasks 20000] [--runs 7] [--process-runs 3]

Prints medians of several runs for two measurements:

- in-process: ``store.writer.update_task`` alone (lock, read, find the block, edit,
  verify, atomic write), the workspace loaded once beforehand;
- whole process: ``gkplan done ID --unit UNIT`` as a user runs it (start-up, loading
  and parsing every plan, then the write).

Everything happens on copies in a temporary folder; the generated plan uses the real
schema (sections, Chinese names and content, 1-7 units including groups, the deadline
forms of the shipped plan, per-unit progress on about half the tasks).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gkplan.store import load_workspace  # noqa: E402
from gkplan.store.writer import update_task  # noqa: E402
from gkplan.updates import Action, Request  # noqa: E402

UNITS = ["局办公室", "就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心"]
GROUPS = {"局机关各科室": UNITS[:3], "局属各单位": UNITS[3:]}
DEADLINES = ["全年", "9月底前", "9 月底前", "10月底前", "6月底前", "8 月", "12月底前", "3月底前"]
WORDS = [
    *("政务公开", "政策解读", "信息发布", "依申请公开", "公文备案", "属性认定", "标准目录", "门户网站"),
    *("新媒体", "回应关切", "公众参与", "政府开放", "考核", "督促整改", "培训", "就业", "社会保险"),
    *("人才", "服务", "平台", "规范", "质量", "时限", "渠道"),
]
STATUSES = ["todo", "doing", "blocked", "done"]


def sentence(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(words)) + "。"


def make_plan(count: int, seed: int = 2022) -> str:
    """A plan file of ``count`` tasks in the schema of data/tasks.yaml."""
    rng = random.Random(seed)
    out = [
        "# 生成的基准数据：与 data/tasks.yaml 同一格式",
        "plan:",
        '  id: "2022"',
        "  title: 基准测试计划",
        "  year: 2022",
        "",
        "sections:",
        "  - code: 一",
        "    title: 基础工作",
        "  - code: 一（一）",
        "    title: 公文公开",
        "",
        "tasks:",
    ]
    for task_id in range(1, count + 1):
        names = rng.sample([*UNITS, *GROUPS], rng.randint(1, 4))
        responsible = list(dict.fromkeys(u for n in names for u in GROUPS.get(n, [n])))[:7]
        out += [
            "",
            f"  - id: {task_id}",
            "    section: 一（一）",
            f"    name: {sentence(rng, 3)[:-1]}",
            f"    content: {sentence(rng, rng.randint(40, 90))}",
            "    units:",
            *(f"      - {n}" for n in names),
            f"    deadline: {rng.choice(DEADLINES)}",
        ]
        if rng.random() < 0.5:
            out.append("    progress:")
            for unit in rng.sample(responsible, rng.randint(1, len(responsible))):
                day = date(2022, 6, 1) + timedelta(days=rng.randint(0, 120))
                out += [f"      {unit}:", f"        status: {rng.choice(STATUSES)}", f"        date: {day.isoformat()}"]
                if rng.random() < 0.3:
                    out.append(f"        note: {sentence(rng, 4)}")
    return "\n".join(out) + "\n"


def unit_of(data: Path, task_id: int) -> str:
    """A responsible unit of the task (read from the task's block only: cheap on any file size)."""
    from gkplan.store.writer import _build_task, _single_item
    from gkplan.store.yamltext import find_task_block

    text = (data / "tasks.yaml").read_text(encoding="utf-8")
    item = _single_item(find_task_block(text, task_id, "bench").text, "bench")
    plan = load_workspace(REPO / "data").plans[0]  # same units.yaml
    return _build_task(item, plan, "bench", task_id).responsible[0]


def in_process(data: Path, task_id: int, unit: str, runs: int) -> list[float]:
    """Seconds per ``update_task`` call (workspace loaded once, outside the timing)."""
    plan = load_workspace(data).plans[0]
    times = []
    for run in range(runs):
        action = Action.DONE if run % 2 == 0 else Action.START  # every call really changes the file
        request = Request(action, unit=unit, day=date(2022, 9, 20), by="基准")
        started = time.perf_counter()
        result = update_task(data / "tasks.yaml", plan, task_id, request, str(task_id))
        times.append(time.perf_counter() - started)
        assert result.changed
    return times


def whole_process(data: Path, task_id: int, unit: str, runs: int) -> list[float]:
    """Seconds per ``gkplan done|start ID --unit UNIT`` process."""
    env = {**os.environ, "GKPLAN_DATA": str(data), "GKPLAN_USER": "基准", "NO_COLOR": "1"}
    command = [sys.executable, "-c", "from gkplan.cli import main; main()"]
    times = []
    for run in range(runs):
        verb = "done" if run % 2 == 0 else "start"
        started = time.perf_counter()
        subprocess.run(
            [*command, verb, str(task_id), "--unit", unit, "--today", "2022-09-20"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return times


def show(label: str, times: list[float]) -> None:
    low, high, middle = min(times), max(times), statistics.median(times)
    print(f"  {label:<34} median {middle:8.3f} s   (min {low:.3f}, max {high:.3f}, n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=20000, help="tasks in the generated single file")
    parser.add_argument("--runs", type=int, default=7, help="in-process runs per data set")
    parser.add_argument("--process-runs", type=int, default=3, help="whole-process runs per data set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gkplan-bench-") as folder:
        shipped = Path(folder) / "shipped"
        shutil.copytree(REPO / "data", shipped)
        big = Path(folder) / "big"
        big.mkdir()
        shutil.copy(REPO / "data" / "units.yaml", big / "units.yaml")
        started = time.perf_counter()
        (big / "tasks.yaml").write_text(make_plan(args.tasks), encoding="utf-8")
        size = (big / "tasks.yaml").stat().st_size
        took = time.perf_counter() - started
        where = f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        print(f"{where}; generated {args.tasks} tasks = {size / 1048576:.1f} MB in {took:.1f} s")
        cases = (("shipped plan (32 tasks)", shipped, 2), (f"{args.tasks} tasks, one file", big, args.tasks // 2))
        for label, data, task_id in cases:
            unit = unit_of(big if data is big else shipped, task_id)
            print(f"{label}: update task {task_id}, unit {unit}")
            show("in-process update_task", in_process(data, task_id, unit, args.runs))
            show("whole process `gkplan done|start`", whole_process(data, task_id, unit, args.process_runs))


if __name__ == "__main__":
    main()
