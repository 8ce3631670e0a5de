"""The meeting report as text: a terminal table or Markdown, from one list of blocks.

``report_blocks`` decides what the page says (headings, tables, lines) from a
``Report`` already computed by ``gkplan.report``; ``render_markdown`` and
``print_table`` only lay the blocks out. The HTML and Excel renderers reuse the
small text helpers here so every format words things the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gkplan.model import STATUS_LABELS, Commit, History, Status
from gkplan.query import Row
from gkplan.render.grid import Grid, Output, markdown_lines, print_grid, write_banner
from gkplan.render.palette import swatch
from gkplan.render.wording import days_text, deadline_text, iso, units_text
from gkplan.report import EDIT_LABELS, FIELD_LABELS, Changes, NoteChange, PlanEdit, Report, ReportSection, StatusChange
from gkplan.textsafe import markdown

CONTENT_CHARS = 40  # a changed 任务内容 is shown shortened; the diff is in git


@dataclass(slots=True)
class ReportBlock:
    """A heading with a table, lines of text, or a bulleted list under it."""

    title: str = ""
    level: int = 2
    grid: Grid | None = None
    lines: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


# --- shared wording ---------------------------------------------------------------------------


def subtitle(report: Report) -> str:
    plans = report.plans
    parts = [f"截至 {report.today.isoformat()}", report.scope_name]
    numbers = [p.doc_number for p in plans if p.doc_number]
    if numbers:
        parts.append("、".join(numbers))
    return " · ".join(parts)


def rules_text(report: Report) -> str:
    s = report.settings
    text = f"黄灯：{s.warn_days} 天内到期"
    if s.stale_weeks:
        text += f"，或持续性任务 {s.stale_weeks} 周无进展"
    text += f"；配色：{s.scheme.value}"
    return text


def headline_cells(report: Report) -> list[tuple[str, str]]:
    h = report.headline
    cells = [
        ("任务", str(h.tasks)),
        ("已完成", str(h.done)),
        ("已核销", str(h.verified)),
        ("逾期", str(h.late)),
        (f"{report.settings.warn_days} 天内到期", str(h.due_soon)),
        ("完成率", percent_text(h.percent)),
    ]
    if h.blocked:
        cells.insert(5, ("受阻", str(h.blocked)))
    if report.settings.stale_weeks:
        cells.insert(-1, ("久无进展", str(h.stale)))
    return cells


def percent_text(value: float) -> str:
    return f"{value:.0f}%"


def status_label(status: Status) -> str:
    return STATUS_LABELS[status]


def change_unit(change: StatusChange | NoteChange) -> str:
    return change.unit or "局办公室（核销）"


def commit_text(commit: Commit) -> str:
    return f"{commit.short}（{commit.when.strftime('%Y-%m-%d %H:%M')}，{commit.author}：{commit.subject}）"


def base_text(history: History) -> str:
    """One sentence: what the changes are measured against."""
    assert history.base is not None
    text = f"对比 {history.since} 时的数据：提交 {commit_text(history.base)}"
    after = len(history.commits)
    text += f"；其后 {after} 次提交" if after else "；其后没有新的提交"
    if history.dirty:
        text += "，另有未提交的修改（已计入）"
    return text + "。"


def shorten(text: str, limit: int = CONTENT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def edit_text(edit: PlanEdit) -> str:
    label = EDIT_LABELS[edit.kind]
    if edit.kind.startswith("plan-"):
        return f"{label} {edit.key}：{edit.name}"
    text = f"{label} {edit.key}「{edit.name}」"
    if edit.fields:
        parts = []
        for change in edit.fields:
            before, after = change.before or "（空）", change.after or "（空）"
            if change.name == "content":
                before, after = shorten(before), shorten(after)
            parts.append(f"{FIELD_LABELS.get(change.name, change.name)}：{before} → {after}")
        text += "：" + "；".join(parts)
    return text


def note_text(note: NoteChange, qualified: bool) -> str:
    meta = "，".join(x for x in (iso(note.date) or "", note.by) if x)
    text = f"任务 {note.task.key(qualified)}「{note.task.name}」· {change_unit(note)}：{note.note}"
    return text + (f"（{meta}）" if meta else "")


def late_days(row: Row) -> int:
    return -(row.days_left or 0)


def stale_since(row: Row) -> str:
    """When each stale unit last recorded progress."""
    parts = []
    for unit in row.stale_units:
        entry = row.task.progress.get(unit)
        when = entry.date.isoformat() if entry and entry.date else "从未登记"
        parts.append(f"{unit}（{when}）")
    return "、".join(parts)


def blocked_units(row: Row) -> list[str]:
    return [u for u in row.units if row.task.unit_status(u) is Status.BLOCKED]


def blocked_notes(row: Row) -> str:
    units = blocked_units(row)
    notes = []
    for unit in units:
        entry = row.task.progress.get(unit)
        if entry and entry.note:
            notes.append(f"{unit}：{entry.note}" if len(units) > 1 else entry.note)
    return "；".join(notes)


def unfinished_units(row: Row) -> tuple[str, ...]:
    """The units in scope that have not finished their part (who still has work on a task due soon)."""
    return tuple(u for u in row.units if not row.task.unit_status(u).finished)


# --- blocks -----------------------------------------------------------------------------------


def section_title(report: Report, section: ReportSection) -> str:
    """A section's heading, the same in every format."""
    warn = report.settings.warn_days
    titles = {
        ReportSection.FIGURES: "概况",
        ReportSection.LATE: f"逾期任务（{len(report.late)} 项）",
        ReportSection.DUE_SOON: f"{warn} 天内到期（{len(report.due_soon)} 项）",
        ReportSection.BLOCKED: f"受阻（{len(report.blocked)} 项）",
        ReportSection.STALE: f"持续性任务 {report.settings.stale_weeks} 周以上无进展（{len(report.stale)} 项）",
        ReportSection.UNITS: "各单位",
        ReportSection.CHANGES: f"上次例会以来（{report.changes.history.since}）" if report.changes else "上次例会以来",
        ReportSection.NOTES: "注",
    }
    return titles[section]


def report_blocks(report: Report) -> list[ReportBlock]:
    """The report's sections, in ``report.sections`` order, as blocks."""
    return [block for section in report.sections for block in _SECTION_BLOCKS[section](report)]


def _figures(report: Report) -> list[ReportBlock]:
    figures = headline_cells(report)
    head = Grid([label for label, _ in figures])
    head.add([value for _, value in figures])
    return [ReportBlock(section_title(report, ReportSection.FIGURES), grid=head, lines=[rules_text(report)])]


def _late(report: Report) -> list[ReportBlock]:
    late = Grid(["序号", "任务名称", "未完成单位", "时间节点", "截止日期", "逾期天数"], wrap=(2,), shorten=(1,), drop=(3,))
    for row in report.late:
        cells = [row.task.key(report.qualified), row.task.name, units_text(row.behind_units), deadline_text(row.task), iso(row.due) or "—"]
        late.add([*cells, str(late_days(row))], swatch(row.light, report.settings.scheme).style)
    return [_listing(section_title(report, ReportSection.LATE), late, "没有逾期任务。")]


def _due_soon(report: Report) -> list[ReportBlock]:
    warn = report.settings.warn_days
    soon = Grid(["序号", "任务名称", "未完成单位", "时间节点", "截止日期", "剩余", "状态"], wrap=(2,), shorten=(1,), drop=(3,))
    for row in report.due_soon:
        units = units_text(unfinished_units(row))
        cells = [row.task.key(report.qualified), row.task.name, units, deadline_text(row.task), iso(row.due) or "—"]
        soon.add([*cells, days_text(row), row.status.label])
    return [_listing(section_title(report, ReportSection.DUE_SOON), soon, f"{warn} 天内没有到期的任务。")]


def _blocked(report: Report) -> list[ReportBlock]:
    grid = Grid(["序号", "任务名称", "受阻单位", "说明"], wrap=(2, 3), shorten=(1,))
    for row in report.blocked:
        grid.add([row.task.key(report.qualified), row.task.name, units_text(blocked_units(row)), blocked_notes(row)])
    return [ReportBlock(section_title(report, ReportSection.BLOCKED), grid=grid)]


def _stale(report: Report) -> list[ReportBlock]:
    grid = Grid(["序号", "任务名称", "久无进展的单位（最近登记）"], wrap=(2,), shorten=(1,))
    for row in report.stale:
        grid.add([row.task.key(report.qualified), row.task.name, stale_since(row)], "yellow")
    return [_listing(section_title(report, ReportSection.STALE), grid, "没有。")]


def _units(report: Report) -> list[ReportBlock]:
    headers = unit_headers(report)
    units = Grid(headers, drop=(headers.index("类别"),))  # a narrow terminal keeps the counts, not the kind
    for line in report.units:
        look = swatch(line.light, report.settings.scheme)
        cells = [look.label, *([line.bureau] if report.several_bureaus else []), line.unit, line.kind, str(line.tasks), str(line.done)]
        cells += [str(line.verified), str(line.late), str(line.due_soon)]
        cells += [str(line.stale)] if report.settings.stale_weeks else []
        cells += [str(line.blocked)] if report.headline.blocked else []
        cells.append(percent_text(line.percent))
        units.add(cells, look.style)
    return [ReportBlock(section_title(report, ReportSection.UNITS), grid=units)]


def _notes(report: Report) -> list[ReportBlock]:
    return [ReportBlock(section_title(report, ReportSection.NOTES), bullets=list(report.notes))]


def _listing(title: str, grid: Grid, empty: str) -> ReportBlock:
    """A list of tasks under a heading, or one line saying there are none."""
    return ReportBlock(title, grid=grid) if grid.rows else ReportBlock(title, lines=[empty])


def unit_headers(report: Report) -> list[str]:
    headers = ["灯", *(["机构"] if report.several_bureaus else []), "单位", "类别", "任务", "完成", "核销", "逾期"]
    headers.append(f"{report.settings.warn_days}天内到期")
    headers += ["久无进展"] if report.settings.stale_weeks else []
    headers += ["受阻"] if report.headline.blocked else []
    return [*headers, "完成率"]


def change_blocks(report: Report) -> list[ReportBlock]:
    changes = report.changes
    if changes is None:
        note = report.history_note or "未读取修改历史"
        return [ReportBlock(section_title(report, ReportSection.CHANGES), lines=[f"{note}；本节从略。"])]
    blocks = [ReportBlock(section_title(report, ReportSection.CHANGES), lines=[base_text(changes.history)])]
    if changes.empty:
        blocks[0].lines.append("期间进展、说明和计划都没有变化。")
        return blocks
    blocks.extend(_change_detail(changes, report.qualified))
    return blocks


def _change_detail(changes: Changes, qualified: bool) -> list[ReportBlock]:
    blocks = []
    if changes.statuses:
        grid = Grid(["序号", "任务名称", "单位", "原状态", "现状态", "日期", "登记人"], shorten=(1,))
        for change in changes.statuses:
            when = iso(change.date) or ""
            cells = [change.task.key(qualified), change.task.name, change_unit(change)]
            grid.add([*cells, status_label(change.before), status_label(change.after), when, change.by])
        blocks.append(ReportBlock(f"进展变化（{len(changes.statuses)} 条）", level=3, grid=grid))
    if changes.notes:
        notes = [note_text(n, qualified) for n in changes.notes]
        blocks.append(ReportBlock(f"新的说明（{len(changes.notes)} 条）", level=3, bullets=notes))
    if changes.edits:
        blocks.append(ReportBlock(f"计划修改（{len(changes.edits)} 处）", level=3, bullets=[edit_text(e) for e in changes.edits]))
    return blocks


_SECTION_BLOCKS: dict[ReportSection, Callable[[Report], list[ReportBlock]]] = {
    ReportSection.FIGURES: _figures,
    ReportSection.LATE: _late,
    ReportSection.DUE_SOON: _due_soon,
    ReportSection.BLOCKED: _blocked,
    ReportSection.STALE: _stale,
    ReportSection.UNITS: _units,
    ReportSection.CHANGES: change_blocks,
    ReportSection.NOTES: _notes,
}


# --- layouts ----------------------------------------------------------------------------------


def render_markdown(report: Report) -> str:
    lines = [f"# {markdown(report.title)} · 例会报告", ""]
    if report.banner:
        lines += [f"> **注意：{markdown(report.banner)}**", ""]
    lines.append(markdown(subtitle(report)))
    for block in report_blocks(report):
        lines += ["", f"{'#' * block.level} {markdown(block.title)}", ""]
        if block.grid is not None:
            lines += markdown_lines(block.grid)  # escapes every cell
            if block.lines:
                lines.append("")
        lines += [markdown(line) for line in block.lines]
        lines += [f"- {markdown(item)}" for item in block.bullets]
    return "\n".join(lines) + "\n"


def render_table(report: Report, out: Output) -> None:
    """For a person at a terminal (rich colours there), or plain aligned text in a pipe."""
    out.say(f"{report.title} · 例会报告")
    if report.banner:
        write_banner(out, report.banner)
    out.say(subtitle(report))
    for block in report_blocks(report):
        out.write()
        out.say(f"{'■' if block.level == 2 else '□'} {block.title}")
        if block.grid is not None:
            print_grid(out, block.grid)
        for line in block.lines:
            out.say(line)
        for item in block.bullets:
            out.say(f"  · {item}", indent=4)
