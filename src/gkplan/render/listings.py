"""What ``list``, ``overdue``, ``due``, ``show``, ``units`` and ``summary`` print, in each format,
from rows the query layer already chose."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from gkplan.model import DeadlineKind, Light, Plan, Scheme, Section
from gkplan.query import Row, UnitTally, deadline_notes
from gkplan.render.grid import Grid, Output, markdown_lines, print_grid, write_csv
from gkplan.render.palette import swatch
from gkplan.render.wording import days_text, deadline_text, iso, units_text
from gkplan.textsafe import json_text, markdown


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MD = "md"


TASK_FIELDS = (
    "plan",
    "id",
    "name",
    "section",
    "units",
    "deadline",
    "kind",
    "start",
    "due",
    "status",
    "overdue",
    "days_left",
    "late_units",
    "content",
)


def task_object(row: Row, qualified: bool = False) -> dict[str, Any]:
    """The JSON contract scripts rely on (see README)."""
    task = row.task
    deadline = task.deadline
    return {
        "plan": task.plan,
        "id": task.id,
        "key": task.key(qualified),
        "name": task.name,
        "content": task.content,
        "section": task.section,
        "units": list(task.units),
        "responsible": list(row.units),
        "deadline": deadline.phrase,
        "kind": deadline.kind.value,
        "start": iso(deadline.start),
        "due": iso(row.due),
        "status": row.status.value,
        "overdue": row.overdue,
        "days_left": row.days_left,
        "late_units": list(row.late_units),
        "deadline_note": deadline.note,
    }


def task_grid(rows: Sequence[Row], qualified: bool, *, late_view: bool = False, scheme: Scheme = Scheme.RED_YELLOW_GREEN) -> Grid:
    headers = ["灯", "序号", "任务名称", "未完成单位" if late_view else "责任单位", "时间节点", "类型", "截止日期", "状态", "剩余"]
    looks = {light: swatch(light, scheme) for light in Light}
    lights = [looks[row.light] for row in rows]
    tasks = [row.task for row in rows]
    columns = [  # column by column: a list of 20,000 rows is built in one comprehension per column
        [look.label for look in lights],
        [task.key(qualified) for task in tasks],
        [task.name for task in tasks],
        [units_text(row.behind_units) for row in rows] if late_view else [units_text(task.units) for task in tasks],
        [deadline_text(task) for task in tasks],
        [task.deadline.kind.label for task in tasks],
        [iso(row.due) or "—" for row in rows],
        [row.status.label for row in rows],
        [days_text(row) for row in rows],
    ]
    # on a narrow terminal: 类型 goes, then 时间节点
    return Grid.of_columns(headers, columns, [look.style for look in lights], wrap=(3, 8), shorten=(2,), drop=(5, 4))


def print_tasks(
    out: Output,
    rows: Sequence[Row],
    fmt: Format,
    *,
    qualified: bool = False,
    late_view: bool = False,
    summary: str = "",
    empty: str = "没有符合条件的任务。",
    scheme: Scheme = Scheme.RED_YELLOW_GREEN,
) -> None:
    """``list``, ``overdue`` and ``due``: one line per task."""
    if fmt is Format.JSON:
        out.write_json_list(task_object(r, qualified) for r in rows)
        return
    if fmt is Format.CSV:
        objects = [task_object(r, qualified) for r in rows]
        write_csv(
            out.stream,
            TASK_FIELDS,
            [[_csv_cell(obj[name]) for name in TASK_FIELDS] for obj in objects],
            raw=out.raw_csv,
        )
        return
    grid = task_grid(rows, qualified, late_view=late_view, scheme=scheme)
    notes = [f"注：{note}" for note in deadline_notes(rows, qualified)]
    if fmt is Format.MD:
        lines = markdown_lines(grid) if rows else [empty]
        if summary and rows:
            lines += ["", summary]
        lines += ["", *(markdown(note) for note in notes)] if notes else []
        out.write("\n".join(lines))
        return
    if not rows:
        out.say(empty)
        return
    print_grid(out, grid)
    if summary:
        out.say(summary)
    for note in notes:
        out.say(note, indent=2)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def count_line(rows: Sequence[Row]) -> str:
    late = sum(1 for r in rows if r.overdue)
    done = sum(1 for r in rows if r.status.finished)
    return f"共 {len(rows)} 项：逾期 {late}，已完成 {done}。"


def print_show(out: Output, plan: Plan, row: Row, fmt: Format, qualified: bool, scheme: Scheme = Scheme.RED_YELLOW_GREEN) -> None:
    """Everything about one task."""
    task = row.task
    progress: list[dict[str, Any]] = [
        {
            "unit": unit,
            "status": task.unit_status(unit).value,
            "late": unit in row.late_units,
            "date": iso(task.progress[unit].date) if unit in task.progress else None,
            "by": task.progress[unit].by if unit in task.progress else "",
            "note": task.progress[unit].note if unit in task.progress else "",
        }
        for unit in task.responsible
    ]
    section = plan.section(task.section)
    parent = plan.section(section.parent) if section and section.parent else None
    if fmt is Format.JSON:
        obj = task_object(row, qualified)
        obj["section_title"] = section.title if section else ""
        obj["part_of"] = parent.title if parent else ""
        obj["anchor"] = iso(task.anchor)
        obj["progress"] = progress
        obj["verified"] = {"date": iso(task.verified.date), "by": task.verified.by, "note": task.verified.note} if task.verified else None
        obj["source"] = str(task.source) if task.source else ""
        out.write(json_text(obj))
        return
    fields: list[tuple[str, str]] = [
        ("计划", f"{plan.title}" + (f"（{plan.doc_number}）" if plan.doc_number else "")),
        ("章节", _section_text(parent, section, task.section)),
        ("任务名称", task.name),
        ("任务内容", task.content),
        ("责任单位", units_text(task.units)),
    ]
    if tuple(task.units) != tuple(task.responsible):
        fields.append(("包括", units_text(task.responsible)))
    if task.deadline.kind is DeadlineKind.MISSING:
        fields.append(("时间节点", "（原表未填）"))
    else:
        fields.append(("时间节点", f"{deadline_text(task)}（{task.deadline.kind.label}）"))
    fields.append(("日期", _dates_text(row)))
    if task.anchor:
        fields.append(("起算日", task.anchor.isoformat()))
    fields.append(("状态", f"{row.status.label}（{swatch(row.light, scheme).label}）· {days_text(row)}"))
    if task.deadline.note:
        fields.append(("说明", task.deadline.note))
    if task.verified:
        v = task.verified
        fields.append(("核销", " ".join(x for x in (iso(v.date) or "", v.by, v.note) if x)))
    if task.source:
        fields.append(("来源", str(task.source)))
    title = f"任务 {task.key(qualified)} · {task.name}"
    grid = Grid(["单位", "状态", "日期", "登记人", "说明"], title="各单位进展", wrap=(4,))
    for entry in progress:
        light = Light.RED if entry["late"] else (Light.DONE if entry["status"] == "done" else Light.NONE)
        status = task.unit_status(entry["unit"]).label + ("（逾期）" if entry["late"] else "")
        grid.add([entry["unit"], status, entry["date"] or "", entry["by"], entry["note"]], swatch(light, scheme).style)
    if fmt is Format.MD:
        lines = [f"## {markdown(title)}", ""] + [f"- **{k}**：{markdown(v)}" for k, v in fields] + [""] + markdown_lines(grid)
        out.write("\n".join(lines))
        return
    if fmt is Format.CSV:
        write_csv(out.stream, grid.headers, grid.rows, raw=out.raw_csv)
        return
    out.say(title)
    label_width = max(len(k) for k, _ in fields)
    for key, value in fields:
        out.say(
            f"  {key}{'　' * (label_width - len(key))}：{value}", indent=2 * label_width + 4
        )  # under the value: 2 spaces, the label, ：
    out.write()
    print_grid(out, grid)


def _section_text(parent: Section | None, section: Section | None, code: str) -> str:
    if section is None:
        return code or "—"
    text = f"{code} {section.title}"
    if parent is not None:
        text = f"{parent.code}、{parent.title} / {text}"
    return text


def _dates_text(row: Row) -> str:
    deadline = row.task.deadline
    if row.due is None:
        return "待触发" if deadline.waiting else "无法确定"
    if deadline.start and deadline.start != row.due:
        return f"{deadline.start.isoformat()} 至 {row.due.isoformat()}"
    return f"截止 {row.due.isoformat()}"


def print_units(out: Output, plans: Sequence[Plan], counts: dict[str, int], fmt: Format) -> None:
    """``units``: every unit and group, with task counts."""
    units: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for plan in plans:
        for unit in plan.units.units.values():
            if all(u["name"] != unit.name for u in units):
                units.append({"name": unit.name, "kind": unit.kind, "aliases": list(unit.aliases), "tasks": counts.get(unit.name, 0)})
        for group in plan.units.groups.values():
            if all(g["name"] != group.name for g in groups):
                groups.append(
                    {"name": group.name, "members": list(group.members), "aliases": list(group.aliases), "tasks": counts.get(group.name, 0)}
                )
    if fmt is Format.JSON:
        out.write(json_text({"units": units, "groups": groups}))
        return
    unit_grid = Grid(["单位", "类别", "简称", "任务数"], title=f"单位（{len(units)} 个）")
    for u in units:
        unit_grid.add([u["name"], u["kind"], "、".join(u["aliases"]) or "—", str(u["tasks"])], "" if u["tasks"] else "dim")
    group_grid = Grid(["单位组", "成员", "任务数"], title=f"单位组（{len(groups)} 个）", wrap=(1,))
    for g in groups:
        group_grid.add([g["name"], "、".join(g["members"]), str(g["tasks"])])
    if fmt is Format.CSV:
        write_csv(
            out.stream,
            ["type", "name", "kind_or_members", "aliases", "tasks"],
            [
                *(["unit", u["name"], u["kind"], "、".join(u["aliases"]), u["tasks"]] for u in units),
                *(["group", g["name"], "、".join(g["members"]), "、".join(g["aliases"]), g["tasks"]] for g in groups),
            ],
            raw=out.raw_csv,
        )
        return
    if fmt is Format.MD:
        out.write("\n".join([*markdown_lines(unit_grid), "", *markdown_lines(group_grid)]))
        return
    print_grid(out, unit_grid)
    out.write()
    print_grid(out, group_grid)


def print_summary(
    out: Output,
    summaries: Sequence[UnitTally],
    fmt: Format,
    soon_days: int,
    scheme: Scheme = Scheme.RED_YELLOW_GREEN,
) -> None:
    """``summary``: one row per unit."""
    objects = [
        {
            "unit": s.unit,
            "kind": s.kind,
            "bureau": s.bureau,
            "tasks": s.tasks,
            "done": s.done,
            "overdue": s.late,
            "due_soon": s.due_soon,
            "percent": round(s.percent, 1),
        }
        for s in summaries
    ]
    if fmt is Format.JSON:
        out.write(json_text(objects))
        return
    if fmt is Format.CSV:
        names = ["unit", "kind", "bureau", "tasks", "done", "overdue", "due_soon", "percent"]
        write_csv(out.stream, names, [[o[n] for n in names] for o in objects], raw=out.raw_csv)
        return
    several = len({s.bureau for s in summaries}) > 1
    headers = ["灯", "单位", "类别", "任务", "完成", "逾期", f"{soon_days}天内到期", "完成率"]
    grid = Grid(["灯", "机构", *headers[1:]] if several else headers)
    for s in summaries:
        cells = [s.unit, s.kind, str(s.tasks), str(s.done), str(s.late), str(s.due_soon), f"{s.percent:.0f}%"]
        look = swatch(s.light, scheme)
        grid.add([look.label, *([s.bureau] if several else []), *cells], look.style)
    if fmt is Format.MD:
        out.write("\n".join(markdown_lines(grid)))
        return
    print_grid(out, grid)
