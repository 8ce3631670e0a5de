"""Write plan and unit files as a person would: the ``data/tasks.yaml`` shape, text built line by line.

PyYAML never dumps the document (it would sort keys, drop comments and use flow
style). What comes out: a header comment explaining the fields, plan
metadata, optional sections, one block per task separated by blank lines, block
style, no anchors, scalars quoted only when YAML needs it (``"2022"``, a deadline
that looks like a date), by the one formatter ``yamltext.format_scalar``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from gkplan.errors import Problem
from gkplan.model import UnitDirectory
from gkplan.store.yamltext import format_scalar, format_value

FIELD_GUIDE = """\
# 字段说明（每个任务一段，以 "- id:" 开头）：
#   id        序号（整数，不加引号）
#   section   （可选）所属章节，对应正文的 一（一）… 四（三）
#   name      任务名称（原表合并单元格的几行用同一名称）
#   content   任务内容（原文照录）
#   units     责任单位，按原表所写，每行一个；可写单位名、简称或单位组
#             （单位组如“局机关各科室”的成员见 units.yaml）；
#             原表另有“配合单位”栏时，牵头单位在前，配合单位跟在注释行之后
#   deadline  时间节点，按原表所写，如 全年、9 月底前、8 月；原表空白写 null
#   anchor    （可选）相对时限的起算日，如 出台后10个工作日内 的“出台”日期
#   progress  （可选）各责任单位的进展：status 为 todo/doing/blocked/done，
#             另可写 date（YYYY-MM-DD）、by（登记人）、note（说明）
#   verified  （可选）局办公室核销：date、by、note；只能用于已完成的任务
# 日期一律写成 YYYY-MM-DD。改完请运行 gkplan check。"""

SUPPORT_MARK = "配合单位（原表“配合单位”栏）："


@dataclass(frozen=True, slots=True)
class SectionDraft:
    code: str  # 一 or 一（一）
    title: str


@dataclass(frozen=True, slots=True)
class TaskDraft:
    """One task as it will be written. ``units`` lists the lead units first, then ``support``."""

    id: int
    name: str
    content: str
    units: tuple[str, ...]
    deadline: str | None
    section: str = ""
    support: tuple[str, ...] = ()  # the units of ``units`` that came from a 配合单位 column
    anchor: date | None = None
    comments: tuple[tuple[str, str], ...] = ()  # (field, line): a comment written above that field


@dataclass(frozen=True, slots=True)
class PlanDraft:
    id: str
    title: str
    year: int
    doc_number: str = ""
    issuer: str = ""
    issued: date | None = None
    sections: tuple[SectionDraft, ...] = ()
    tasks: tuple[TaskDraft, ...] = ()
    origin: tuple[str, ...] = ()  # header comment lines saying where the plan came from


@dataclass(frozen=True, slots=True)
class UnitDraft:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    note: str = ""  # trailing comment


@dataclass(frozen=True, slots=True)
class GroupDraft:
    """A group line; ``active=False`` writes it commented out, to be filled in by hand."""

    name: str
    kind: str = ""
    members: tuple[str, ...] = ()
    note: str = ""
    active: bool = True


# --- scalars ----------------------------------------------------------------------------------


def key(text: str) -> str:
    """A mapping key (a unit or group name)."""
    return format_scalar(text, flow=True)


# --- plans ------------------------------------------------------------------------------------


def emit_plan(plan: PlanDraft) -> str:
    """The plan file's text, in the shape of the shipped ``data/tasks.yaml``."""
    lines: list[str] = [f"# {plan.title} · 任务分解表"]
    lines += [f"# {line}" for line in plan.origin]
    lines += ["#", FIELD_GUIDE, "", "plan:"]
    lines.append(f"  id: {format_value(plan.id)}")
    lines.append(f"  title: {format_value(plan.title)}")
    for name, value in (("doc_number", plan.doc_number), ("issuer", plan.issuer), ("issued", plan.issued)):
        if value:
            lines.append(f"  {name}: {format_value(value)}")
    lines.append(f"  year: {plan.year}")
    if plan.sections:
        lines += ["", "# 正文的各部分及其小标题；任务用 section 指向这里的编号。", "sections:"]
        for index, section in enumerate(plan.sections):
            if index and "（" not in section.code:
                lines.append("")
            lines.append(f"  - code: {format_value(section.code)}")
            lines.append(f"    title: {format_value(section.title)}")
    lines += ["", "tasks:" if plan.tasks else "tasks: []"]
    for task in plan.tasks:
        lines.append("")
        lines += _task_lines(task)
    return "\n".join(lines) + "\n"


def _task_lines(task: TaskDraft) -> list[str]:
    out: list[str] = []

    def comments(field: str) -> None:
        out.extend(f"    # {line}" for f, line in task.comments if f == field)

    comments("id")
    out.append(f"  - id: {task.id}")
    if task.section:
        comments("section")
        out.append(f"    section: {format_value(task.section)}")
    for field, value in (("name", task.name), ("content", task.content)):
        comments(field)
        out.append(f"    {field}: {format_value(value)}")
    comments("units")
    if task.units:
        out.append("    units:")
        support = set(task.support)
        marked = False
        for unit in task.units:
            if unit in support and not marked:
                out.append(f"      # {SUPPORT_MARK}")
                marked = True
            out.append(f"      - {format_value(unit)}")
    else:
        out.append("    units: []")
    comments("deadline")
    out.append(f"    deadline: {format_value(task.deadline)}")
    if task.anchor:
        out.append(f"    anchor: {format_value(task.anchor)}")
    return out


# --- units ------------------------------------------------------------------------------------

UNITS_GUIDE = """\
# units：每个单位一行，{kind: 类别, aliases: [简称, …]}。
#   新增单位只需加一行，同类别的单位组（见下）会自动包含它。
#   可选 email: 地址（或 [地址, …]）：gkplan remind 给该单位发催办邮件。
# groups：单位组，任务写组名即指派给组内每个单位。
#   kind: 类别      —— 该类别的全部单位
#   members: [单位] —— 另行列出的成员（可与 kind 同用）
# 单位名、简称、组名都不能重复。改完请运行 gkplan check。"""


def emit_units(units: Iterable[UnitDraft], groups: Iterable[GroupDraft], origin: Iterable[str] = ()) -> str:
    """A ``units.yaml``: one unit per line, then the groups; groups to fill in are commented out."""
    lines = ["# 责任单位与单位组"]
    lines += [f"# {line}" for line in origin]
    lines += ["#", UNITS_GUIDE, ""]
    unit_list = list(units)
    lines.append("units:" if unit_list else "units: {}")
    for unit in unit_list:
        fields = [f"kind: {format_scalar(unit.kind, flow=True)}"]
        if unit.aliases:
            fields.append("aliases: [" + ", ".join(format_scalar(a, flow=True) for a in unit.aliases) + "]")
        lines.append(f"  {key(unit.name)}: {{{', '.join(fields)}}}" + (f"  # {unit.note}" if unit.note else ""))
    group_list = list(groups)
    if group_list:
        lines += ["", "groups:" if any(g.active for g in group_list) else "groups: {}"]
    for group in group_list:
        fields = []
        if group.kind:
            fields.append(f"kind: {format_scalar(group.kind, flow=True)}")
        if group.members or not group.kind:
            fields.append("members: [" + ", ".join(format_scalar(m, flow=True) for m in group.members) + "]")
        line = f"{key(group.name)}: {{{', '.join(fields)}}}" + (f"  # {group.note}" if group.note else "")
        lines.append(f"  {line}" if group.active else f"  # {line}")
    return "\n".join(lines) + "\n"


# --- checking what is about to be written ------------------------------------------------------


def check_units_text(text: str, shown: str) -> tuple[UnitDirectory, list[Problem]]:
    """Read a units file's text as ``gkplan check`` would (before it is written)."""
    from gkplan.store.build import build_units
    from gkplan.store.reader import parse_text

    document = parse_text(text, shown)
    directory, problems = build_units(document.data, shown)
    return directory, document.problems + problems


def check_plan_text(text: str, shown: str, directory: UnitDirectory, *, default_id: str = "") -> list[Problem]:
    """Every problem ``gkplan check`` would report on a plan file's text (before it is written)."""
    from gkplan.store.build import build_plan
    from gkplan.store.reader import parse_text

    document = parse_text(text, shown)
    _, problems = build_plan(document.data, shown, directory, default_id=default_id)
    return document.problems + problems
