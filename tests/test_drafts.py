"""The emitter writes plan and unit files in the shipped shape, and they read back as written."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.model import Plan
from gkplan.store import load_workspace
from gkplan.store.drafts import (
    GroupDraft,
    PlanDraft,
    SectionDraft,
    TaskDraft,
    UnitDraft,
    check_plan_text,
    check_units_text,
    emit_plan,
    emit_units,
)
from gkplan.store.yamltext import format_scalar
from tests.conftest import SHIPPED_DATA


def draft_of(plan: Plan) -> PlanDraft:
    """The shipped plan as the emitter's input."""
    return PlanDraft(
        id=plan.id,
        title=plan.title,
        year=plan.year,
        doc_number=plan.doc_number,
        issuer=plan.issuer,
        issued=plan.issued,
        sections=tuple(SectionDraft(s.code, s.title) for s in plan.sections),
        tasks=tuple(TaskDraft(t.id, t.name, t.content, t.units, t.deadline.phrase, section=t.section, anchor=t.anchor) for t in plan.tasks),
    )


def test_emitting_the_shipped_plan_gives_the_shipped_data() -> None:
    plan = load_workspace(SHIPPED_DATA).plans[0]
    text = emit_plan(draft_of(plan))
    shipped = yaml.safe_load((SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8"))
    assert yaml.safe_load(text) == shipped
    assert yaml.safe_load(text)["tasks"] == shipped["tasks"]


def test_emitted_plan_has_the_shipped_layout() -> None:
    """Block style, one blank line before each task, no anchors, Chinese as written."""
    plan = load_workspace(SHIPPED_DATA).plans[0]
    text = emit_plan(draft_of(plan))
    shipped = (SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8")
    task_block = shipped[shipped.index("  - id: 20\n") : shipped.index("\n\n  - id: 21")]
    assert task_block in text
    assert '  id: "2022"\n' in text
    assert "  issued: 2022-05-25\n" in text
    assert "\\u" not in text
    assert "&" not in text
    assert "*" not in text
    assert text.count("\n\n  - id: ") == 32


@pytest.mark.parametrize(
    ("text", "expected", "why"),
    [
        ("9 月底前", "9 月底前", "Chinese with a space stays plain"),
        ("全年", "全年", "plain"),
        ("2022", '"2022"', "would read as a number"),
        ("2023-06-30", '"2023-06-30"', "would read as a date"),
        ("yes", '"yes"', "would read as a boolean"),
        ("null", '"null"', "would read as null"),
        ("", '""', "empty"),
        ("要点: 说明", '"要点: 说明"', "colon-space starts a mapping"),
        ("# 不是注释", '"# 不是注释"', "would be a comment"),
        ("“依申请转主动公开”栏目", "“依申请转主动公开”栏目", "Chinese quotes need no quoting"),
        ("- 开头", '"- 开头"', "would start a list"),
        ("第一行\n第二行", '"第一行\\n第二行"', "line breaks are escaped on one line"),
        ("-x", '"-x"', "a leading indicator is quoted (the writer and import once disagreed here)"),
        ("?x", '"?x"', "a leading indicator is quoted"),
    ],
)
def test_scalar_quotes_only_when_yaml_needs_it(text: str, expected: str, why: str) -> None:
    assert format_scalar(text) == expected, why


@settings(max_examples=500)
@given(st.text())
def test_any_text_reads_back_as_itself(text: str) -> None:
    """Every string the one formatter emits loads back (PyYAML safe loader) as the same string:
    as a value, as a key, and inside a flow list or mapping."""
    rendered = format_scalar(text)
    assert "\n" not in rendered
    assert yaml.safe_load(f"k: {rendered}") == {"k": text}
    assert yaml.safe_load(f"{rendered}: v") == {text: "v"}
    flow = format_scalar(text, flow=True)
    assert yaml.safe_load(f"[{flow}]") == [text]
    assert yaml.safe_load(f"{{{flow}: [{flow}, x]}}") == {text: [text, "x"]}


def test_support_units_follow_a_comment_and_the_builder_accepts_them() -> None:
    task = TaskDraft(1, "任务", "内容", ("局办公室", "就业培训科"), "全年", support=("就业培训科",))
    text = emit_plan(PlanDraft("2023", "计划", 2023, tasks=(task,)))
    assert "    units:\n      - 局办公室\n      # 配合单位（原表“配合单位”栏）：\n      - 就业培训科\n" in text
    directory, problems = check_units_text(
        emit_units([UnitDraft("局办公室", "局机关科室"), UnitDraft("就业培训科", "局机关科室")], []), "u"
    )
    assert problems == []
    assert check_plan_text(text, "p", directory) == []


def test_units_file_has_one_unit_a_line_and_groups_to_fill_in_commented_out() -> None:
    text = emit_units(
        [UnitDraft("局办公室", "局机关科室"), UnitDraft("信息中心", "局属单位", aliases=("信息办",))],
        [GroupDraft("局机关各科室", kind="局机关科室", note="待核对"), GroupDraft("各有关单位", note="待补充", active=False)],
    )
    assert "  局办公室: {kind: 局机关科室}\n" in text
    assert "  信息中心: {kind: 局属单位, aliases: [信息办]}\n" in text
    assert "  局机关各科室: {kind: 局机关科室}  # 待核对\n" in text
    assert "  # 各有关单位: {members: []}  # 待补充\n" in text
    directory, problems = check_units_text(text, "units.yaml")
    assert problems == []
    assert directory.expand("局机关各科室") == ("局办公室",)
    assert directory.lookup("各有关单位") is None
