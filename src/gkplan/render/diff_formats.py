"""``gkplan diff`` output: a terminal page, a pull-request comment, JSON, CI annotations.

``diff_sections`` decides the wording once (sections of entries made of spans);
each format only lays the spans out. Every text from the data is untrusted (it
comes from a pull request): control and layout characters are shown escaped,
never printed raw; nothing is passed to rich as markup; Markdown and HTML
characters are escaped in the comment; an annotation stays on one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gkplan.model import STATUS_LABELS, Status
from gkplan.plandiff import (
    PLAN_FIELDS,
    PROGRESS_FIELDS,
    SETTINGS_FIELDS,
    TASK_FIELDS,
    UNIT_FIELDS,
    Change,
    PlanChange,
    PlanDiff,
    ProgressChange,
    TaskDiff,
    UnitDiff,
    Value,
)
from gkplan.render.check import escape_annotation_data, escape_annotation_property, problem_record
from gkplan.render.grid import Output
from gkplan.textsafe import json_text, visible  # the one display rule for data text

MARKER = "<!-- gkplan-diff -->"  # CI finds its own pull-request comment by this line
FOLD_ITEMS = 10  # a Markdown list longer than this is folded in <details>
FOLD_KEYS = 20  # so is a list of task ids


# A line is a list of spans: (text, kind); kind "" plain, "-" removed, "+" added, "…" elided, "b" bold.
Span = tuple[str, str]
Line = list[Span]


@dataclass(slots=True)
class Entry:
    sign: str  # + added, - removed, ~ changed, ! could not compare
    head: Line
    details: list[Line] = field(default_factory=list)
    path: str = ""  # for an annotation
    line: int = 0
    keys: tuple[str, ...] = ()  # tasks affected, folded in Markdown when many


@dataclass(slots=True)
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)


# --- wording --------------------------------------------------------------------------------

CHANGE_WORDS = {"added": "新增", "removed": "删除", "changed": "修改", "renamed": "改名", "unreadable": "无法比较"}
SIGNS = {"added": "+", "removed": "-", "changed": "~", "renamed": "~", "unreadable": "!"}
SIDE_WORDS = {"base": "基线", "head": "新版本"}


def value_text(name: str, value: Value) -> str:
    if value is None or value == ():
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(visible(v) for v in value)
    if name == "status" and isinstance(value, str) and value in Status.__members__.values():
        return STATUS_LABELS[Status(value)]
    return visible(str(value))


def _arrow(name: str, change: Change | ProgressChange) -> str:
    return f"{value_text(name, change.old)} → {value_text(name, change.new)}"


def headline(diff: PlanDiff) -> str:
    """One sentence: what was compared and how much changed."""
    where = f"{visible(diff.base_label)} → {visible(diff.head_label)}"
    if diff.empty:
        text = f"{where}：计划数据没有变化"
    else:
        parts = [f"任务修改 {diff.count('changed')} 项、新增 {diff.count('added')} 项、删除 {diff.count('removed')} 项"]
        if diff.progress_count:
            parts.append(f"进展变化 {diff.progress_count} 处")
        if diff.units:
            parts.append(f"单位变化 {len(diff.units)} 处，{len(diff.tasks_affected)} 项任务的责任单位随之改变")
        plans = [p for p in diff.plans if p.change != "unreadable"]
        if plans:
            parts.append(f"计划变化 {len(plans)} 个")
        if diff.settings:
            parts.append(f"报表规则变化 {len(diff.settings)} 项")
        text = f"{where}：" + "；".join(parts)
    if diff.problems:
        text += f"；数据错误 {len(diff.problems)} 处（见文末）"
    return text + "。"


def diff_sections(diff: PlanDiff) -> list[Section]:
    sections = []
    if diff.plans:
        sections.append(Section("计划", [_plan_entry(p) for p in diff.plans]))
    if diff.tasks:
        counts = f"修改 {diff.count('changed')}，新增 {diff.count('added')}，删除 {diff.count('removed')}"
        sections.append(Section(f"任务（{counts}）", [_task_entry(t) for t in diff.tasks]))
    by_file: dict[str, list[UnitDiff]] = {}
    for unit in diff.units:
        by_file.setdefault(unit.path, []).append(unit)
    for path, units in by_file.items():
        sections.append(Section(f"单位（{visible(path)}）", [_unit_entry(u) for u in units]))
    if diff.settings:
        lines = [[(f"{SETTINGS_FIELDS.get(c.field, c.field)}：{_arrow(c.field, c)}", "")] for c in diff.settings]
        sections.append(Section("报表规则（settings.yaml）", [Entry("~", line) for line in lines]))
    if diff.problems:
        entries = []
        for found in diff.problems:
            p = found.problem
            text = f"{SIDE_WORDS[found.side]} {visible(p.where)}：{p.code}：{visible(p.message)}"
            text += f"；{visible(p.hint)}" if p.hint else ""
            if found.side == "head":
                entries.append(Entry("!", [(text, "")], path=p.path, line=p.line))
            else:  # an old version's lines are not the pull request's lines: no annotation there
                entries.append(Entry("!", [(text, "")]))
        sections.append(Section(f"数据错误（{len(diff.problems)} 处；有错误的文件未能比较的部分从略）", entries))
    return sections


def _plan_entry(plan: PlanChange) -> Entry:
    word = CHANGE_WORDS[plan.change]
    if plan.change == "unreadable":
        head = f"计划 {visible(plan.id)}（{visible(plan.path)}）：{SIDE_WORDS[plan.side]}无法读取，任务未比较"
        return Entry("!", [(head, "")], path=plan.path)
    if plan.change in ("added", "removed"):
        values = {c.field: c.new if plan.change == "added" else c.old for c in plan.fields}
        title, count = values.get("title"), values.get("tasks")
        head = f"{word}计划 {visible(plan.id)}「{value_text('title', title)}」（{visible(plan.path)}，{value_text('tasks', count)} 项任务）"
        return Entry(SIGNS[plan.change], [(head, "")], path=plan.path)
    details = [[(f"{PLAN_FIELDS.get(c.field, c.field)}：{_arrow(c.field, c)}", "")] for c in plan.fields]
    return Entry("~", [(f"修改计划 {visible(plan.id)}", "")], details, path=plan.path)


def _task_title(task: TaskDiff) -> str:
    return f"{CHANGE_WORDS[task.change]}任务 {visible(task.key)}「{visible(task.name)}」"


def _value(task: TaskDiff, name: str, old: bool) -> Value:
    change = next((c for c in task.fields if c.field == name), None)
    if change is None:
        return None
    return change.old if old else change.new


def _task_entry(task: TaskDiff) -> Entry:
    # Only progress moved: point the annotation at the first progress entry, not the task's first line.
    lines = [p.line for p in task.progress if p.line]
    line = min(lines) if lines and not task.fields else task.line
    entry = Entry(SIGNS[task.change], [(_task_title(task), "")], path=task.path, line=line)
    if task.change != "changed":
        gone = task.change == "removed"
        units = value_text("units", _value(task, "units", gone))
        deadline = value_text("deadline", _value(task, "deadline", gone))
        due = _value(task, "due", gone)
        entry.details.append([(f"责任单位：{units}；时间节点：{deadline}" + (f"（截止 {due}）" if due else ""), "")])
        return entry
    names = {c.field for c in task.fields}
    for change in task.fields:
        label = TASK_FIELDS.get(change.field, change.field)
        if change.field == "content" and task.content:
            entry.details.append([(f"{label}：", ""), *((visible(s.text), s.op if s.op != "=" else "") for s in task.content)])
        elif change.field == "deadline":
            entry.details.append([(f"{label}：{_arrow('deadline', change)}" + _due_note(task, with_dates="due" in names), "")])
        elif change.field == "due":
            if "deadline" not in names:
                entry.details.append([(f"{label}：{_arrow('due', change)}" + _days(task), "")])
        else:
            entry.details.append([(f"{label}：{_arrow(change.field, change)}", "")])
    entry.details.extend(_progress_lines(task.progress))
    return entry


def _days(task: TaskDiff) -> str:
    return f" ({task.due_days:+d} 天)" if task.due_days else ""


def _due_note(task: TaskDiff, *, with_dates: bool) -> str:
    """``(2022-09-30 → 2022-10-31, +31 天)`` after a changed 时间节点; nothing when the date stayed."""
    if not with_dates:
        return f" (日期不变：{task.due})" if task.due else " (日期不变)"
    change = next(c for c in task.fields if c.field == "due")
    days = f", {task.due_days:+d} 天" if task.due_days else ""
    return f" ({value_text('due', change.old)} → {value_text('due', change.new)}{days})"


def _progress_lines(changes: tuple[ProgressChange, ...]) -> list[Line]:
    by_unit: dict[str | None, list[ProgressChange]] = {}
    for change in changes:
        by_unit.setdefault(change.unit, []).append(change)
    lines = []
    for unit, items in by_unit.items():
        who = f"进展 {visible(unit)}" if unit is not None else "核销"
        parts = [f"{PROGRESS_FIELDS.get(c.field, c.field)} {_arrow(c.field, c)}" for c in items]
        lines.append([(f"{who}：" + "；".join(parts), "")])
    return lines


def _unit_entry(unit: UnitDiff) -> Entry:
    what = "单位" if unit.kind == "unit" else "单位组"
    word = CHANGE_WORDS[unit.change]
    if unit.change == "renamed":
        old = next(c.old for c in unit.fields if c.field == "name")
        head = f"{what}改名：{value_text('name', old)} → {visible(unit.name)}"
    else:
        head = f"{word}{what}：{visible(unit.name)}"
    entry = Entry(SIGNS[unit.change], [(head, "")], path=unit.path, line=unit.line, keys=unit.tasks_affected)
    for change in unit.fields:
        if change.field == "name":
            continue
        label = UNIT_FIELDS.get(change.field, change.field)
        if unit.change in ("added", "removed"):
            value = change.new if unit.change == "added" else change.old
            entry.details.append([(f"{label}：{value_text(change.field, value)}", "")])
        else:
            entry.details.append([(f"{label}：{_arrow(change.field, change)}", "")])
    return entry


def affected_text(keys: tuple[str, ...]) -> str:
    if not keys:
        return "没有任务的责任单位因此改变"
    return f"{len(keys)} 项任务的责任单位随之改变：{'、'.join(visible(k) for k in keys)}"


# --- layouts --------------------------------------------------------------------------------


def _plain(line: Line) -> str:
    marks = {"-": ("[-", "-]"), "+": ("{+", "+}")}
    out = []
    for text, kind in line:
        if kind == "…":
            out.append("…")
        elif kind in marks:
            out.append(marks[kind][0] + text + marks[kind][1])
        else:
            out.append(text)
    return "".join(out)


def print_text(out: Output, diff: PlanDiff) -> None:
    """For a person at a terminal: rich colours there (data as plain ``Text``, never markup), plain text in a pipe."""
    lines: list[tuple[Line, str]] = [([(f"gkplan diff：{headline(diff)}", "")], "bold")]
    styles = {"+": "green", "-": "red", "~": "yellow", "!": "bold red"}
    for section in diff_sections(diff):
        lines.append(([], ""))
        lines.append(([(f"■ {section.title}", "")], "bold"))
        for entry in section.entries:
            lines.append(([(f"  {entry.sign} ", ""), *entry.head], styles[entry.sign]))
            for detail in entry.details:
                lines.append(([("      ", ""), *detail], ""))
            if entry.keys or (section.title.startswith("单位") and entry.sign != "!"):
                lines.append(([("      " + affected_text(entry.keys), "")], ""))
    if not out.color:
        for line, _ in lines:
            out.write(_plain(line))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out.stream, width=out.width, highlight=False, emoji=False, markup=False, soft_wrap=True, force_terminal=True)
    spans = {"-": "red strike", "+": "green underline", "…": "dim"}
    for line, style in lines:
        text = Text(style=style)
        for part, kind in line:
            text.append(_plain([(part, kind)]), style=spans.get(kind, ""))
        console.print(text)


def _md(text: str) -> str:
    """Data text for a pull-request comment: no HTML, no Markdown, no @mentions, one line."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    for char in ("\\", "`", "*", "_", "[", "]", "#", "|", "~", "!"):
        text = text.replace(char, "\\" + char)
    return text


def _md_line(line: Line) -> str:
    out = []
    for text, kind in line:
        if kind == "…":
            out.append("…")
        elif kind == "-":
            out.append(f"<del>{_md(text)}</del>")
        elif kind == "+":
            out.append(f"<ins>{_md(text)}</ins>")
        else:
            out.append(_md(text))
    return "".join(out)


def render_markdown(diff: PlanDiff) -> str:
    """A pull-request comment: the marker, a headline line, then sections; long lists folded."""
    lines = [MARKER, f"**gkplan diff** {_md(headline(diff))}"]
    for section in diff_sections(diff):
        lines += ["", f"### {_md(section.title)}", ""]
        items = []
        for entry in section.entries:
            items.append(f"- **{_md_line(entry.head)}**")
            items += [f"  - {_md_line(detail)}" for detail in entry.details]
            if entry.keys or (section.title.startswith("单位") and entry.sign != "!"):
                items.append(_md_keys(entry.keys))
        if len(section.entries) > FOLD_ITEMS:
            lines += [f"<details><summary>{len(section.entries)} 条，点击展开</summary>", "", *items, "", "</details>"]
        else:
            lines += items
    return "\n".join(lines) + "\n"


def _md_keys(keys: tuple[str, ...]) -> str:
    if len(keys) <= FOLD_KEYS:
        return f"  - {_md(affected_text(keys))}"
    listed = "、".join(_md(k) for k in keys)
    return f"  - <details><summary>{len(keys)} 项任务的责任单位随之改变</summary>{listed}</details>"


def _json_value(value: Value) -> object:
    return list(value) if isinstance(value, tuple) else value


def _fields(changes: tuple[Change, ...]) -> dict[str, list[object]]:
    return {c.field: [_json_value(c.old), _json_value(c.new)] for c in changes}


def diff_record(diff: PlanDiff) -> dict[str, object]:
    """The JSON document: plain values, lists for [old, new]; see the README for the shape."""
    tasks = []
    for task in diff.tasks:
        record: dict[str, object] = {
            "key": task.key,
            "change": task.change,
            "name": task.name,
            "path": task.path,
            "line": task.line,
            "fields": _fields(task.fields),
            "progress": [{"unit": p.unit, "field": p.field, "old": _json_value(p.old), "new": _json_value(p.new)} for p in task.progress],
        }
        if task.due_days is not None:
            record["due_days"] = task.due_days
        tasks.append(record)
    return {
        "base": diff.base,
        "head": diff.head,
        "plans": [
            {"id": p.id, "change": p.change, "path": p.path, "fields": _fields(p.fields), **({"side": p.side} if p.side else {})}
            for p in diff.plans
        ],
        "tasks": tasks,
        "units": [
            {
                "name": u.name,
                "kind": u.kind,
                "change": u.change,
                "path": u.path,
                "line": u.line,
                "fields": _fields(u.fields),
                "tasks_affected": list(u.tasks_affected),
            }
            for u in diff.units
        ],
        "settings": _fields(diff.settings),
        "problems": [{"side": p.side, **problem_record(p.problem)} for p in diff.problems],
    }


def render_json(diff: PlanDiff) -> str:
    return json_text(diff_record(diff)) + "\n"  # the one JSON rule: no raw line separator or CI marker


def render_github(diff: PlanDiff) -> str:
    """GitHub Actions workflow commands: a notice on each changed task, unit and plan, an error per data error."""
    lines = []
    for section in diff_sections(diff):
        for entry in section.entries:
            parts = [_plain(entry.head), *(_plain(d) for d in entry.details)]
            if entry.keys or (section.title.startswith("单位") and entry.sign != "!"):
                parts.append(affected_text(entry.keys))
            level = "error" if entry.sign == "!" and section.title.startswith("数据错误") else "notice"
            path = entry.path if entry.line or entry.sign != "-" else ""  # a removed thing has no line to point at
            lines.append(_annotation(level, path, entry.line, "gkplan diff", "；".join(parts)))
    lines.append(_annotation("notice", "", 0, "gkplan diff", headline(diff)))
    return "\n".join(lines) + "\n"


def _annotation(level: str, path: str, line: int, title: str, message: str) -> str:
    props = []
    if path:
        props.append(f"file={escape_annotation_property(path)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={escape_annotation_property(title)}")
    return f"::{level} {','.join(props)}::{escape_annotation_data(message)}"


def print_diff(out: Output, diff: PlanDiff, fmt: str) -> None:
    """``fmt``: text (``print_text``), md, json or github."""
    renderers = {"md": render_markdown, "json": render_json, "github": render_github}
    if fmt in renderers:
        out.stream.write(renderers[fmt](diff))
    else:
        print_text(out, diff)
