"""The shipped data is the real 2022 plan, transcribed faithfully from the source document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gkplan.model import DeadlineKind, Plan
from gkplan.store import load_workspace
from tests.conftest import REPO, SHIPPED_DATA

SOURCE = REPO / "docs" / "source" / "jiarenshefa-2022-23.txt"
GROUPS = ("局机关各科室", "局属各单位")
SECTION_OFFICES = ("局办公室", "就业培训科", "人才开发科")
AFFILIATES = ("就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心")


@pytest.fixture(scope="module")
def plan() -> Plan:
    workspace = load_workspace(SHIPPED_DATA)
    assert workspace.problems == []
    assert len(workspace.plans) == 1
    return workspace.plans[0]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_plan_metadata(plan: Plan) -> None:
    assert plan.id == "2022"
    assert plan.year == 2022
    assert plan.doc_number == "嘉人社发〔2022〕23号"
    assert plan.issuer == "上海市嘉定区人力资源和社会保障局"
    assert plan.issued is not None
    assert plan.issued.isoformat() == "2022-05-25"


def test_all_32_rows_in_order(plan: Plan) -> None:
    assert [t.id for t in plan.tasks] == list(range(1, 33))


def test_transcription_rebuilds_the_source_table(plan: Plan) -> None:
    """Concatenating 序号, merged 任务名称, 任务内容, 责任单位 and 时间节点 row by row gives the
    source's table exactly (PDF line breaks aside): nothing dropped, added or reordered."""
    text = SOURCE.read_text(encoding="utf-8")
    table = squash(text[text.index("时间节\n点") + len("时间节\n点") :])
    rebuilt = []
    previous_name = None
    for task in plan.tasks:
        rebuilt.append(str(task.id))
        if task.name != previous_name:  # a merged name cell appears once, on its first row
            rebuilt.append(task.name)
        previous_name = task.name
        rebuilt.append(task.content)
        units = "、".join(task.units) if task.units == GROUPS else "".join(task.units)
        rebuilt.append(units)
        rebuilt.append(task.deadline.phrase or "")
    assert squash("".join(rebuilt)) == table


def test_content_has_no_line_wrap_artefacts(plan: Plan) -> None:
    cjk = r"[\u4e00-\u9fff，。、；：“”（）《》]"
    for task in plan.tasks:
        assert "\n" not in task.content
        assert not re.search(f"{cjk}\\s+{cjk}", task.content), task.id


def test_each_task_sits_in_its_section(plan: Plan) -> None:
    """Task names are the sub-headings of the body text: 1-4 under 一（一）, …, 30-32 under 四（三）."""
    titles = {s.code: s.title for s in plan.sections}
    assert len([c for c in titles if "（" not in c]) == 4
    assert len([c for c in titles if "（" in c]) == 12
    assert [t.id for t in plan.tasks if t.section == "一（一）"] == [1, 2, 3, 4]
    assert [t.id for t in plan.tasks if t.section == "四（三）"] == [30, 31, 32]
    for task in plan.tasks:
        assert task.section in titles
    # A task named like its sub-heading sits under it.
    for task in plan.tasks:
        if task.name in titles.values():
            assert titles[task.section] == task.name


def test_merged_name_cells_share_one_name(plan: Plan) -> None:
    names = {t.id: t.name for t in plan.tasks}
    assert names[2] == names[3] == "加强历史公文转化公开"
    assert names[16] == names[17] == names[18] == "突出重点领域信息公开"
    assert names[30] == names[31] == names[32] == "强化工作监督"


def test_row_15_has_no_deadline_and_says_so(plan: Plan) -> None:
    task = plan.tasks[14]
    assert task.id == 15
    assert task.deadline.phrase is None
    assert task.deadline.kind is DeadlineKind.MISSING
    assert task.deadline.due is not None
    assert task.deadline.due.isoformat() == "2022-12-31"
    assert "未写时间节点" in task.deadline.note
    source = (SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8")
    assert "deadline: null" in source  # visible in the file, not silently filled in


def test_deadlines_as_written(plan: Plan) -> None:
    phrases = {t.id: t.deadline.phrase for t in plan.tasks}
    assert phrases[2] == "9 月底前"
    assert phrases[20] == "10月底前"
    assert phrases[21] == "11月底前"
    assert phrases[24] == "8 月"
    assert phrases[29] == "10月底前"
    others = {i for i in phrases if i not in (2, 15, 20, 21, 24, 29)}
    assert {phrases[i] for i in others} == {"全年"}


def test_units_and_groups(plan: Plan) -> None:
    units = plan.units
    assert tuple(u.name for u in units.units.values() if u.kind == "局机关科室") == SECTION_OFFICES
    assert tuple(u.name for u in units.units.values() if u.kind == "局属单位") == AFFILIATES
    assert units.groups["局机关各科室"].members == SECTION_OFFICES
    assert units.groups["局属各单位"].members == AFFILIATES
    assert units.lookup("办公室") is units.units["局办公室"]
    row_16 = plan.tasks[15]
    assert row_16.units == ("就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心")
    row_2 = plan.tasks[1]
    assert row_2.units == GROUPS
    assert len(row_2.responsible) == 7


def test_adding_a_unit_is_one_line(tmp_path: Path) -> None:
    """A new 科室 joins 局机关各科室 (and its tasks) with a single added line."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "tasks.yaml").write_bytes((SHIPPED_DATA / "tasks.yaml").read_bytes())
    lines = (SHIPPED_DATA / "units.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  人才开发科:")) + 1
    lines.insert(at, "  法规科: {kind: 局机关科室}\n")
    (data / "units.yaml").write_text("".join(lines), encoding="utf-8")
    workspace = load_workspace(data)
    assert workspace.problems == []
    plan = workspace.plans[0]
    assert "法规科" in plan.units.groups["局机关各科室"].members
    assert "法规科" in plan.tasks[1].responsible
