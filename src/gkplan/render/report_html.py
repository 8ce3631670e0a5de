"""The meeting report as one self-contained HTML page: for a projector, and for A4 paper.

No network (a Content-Security-Policy forbids every fetch), inline CSS, the
per-unit chart as inline SVG, a Chinese font stack with fallbacks. Every piece
of text from the data goes through ``esc``. Colours come from the office's
scheme (``settings.swatch``), and a light is never only a colour: its word is
printed in the badge too.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence

from gkplan import __version__
from gkplan.model import Light, Scheme
from gkplan.query import Row, UnitTally
from gkplan.render.grid import display_width
from gkplan.render.palette import swatch
from gkplan.render.report_text import (
    base_text,
    blocked_notes,
    blocked_units,
    change_unit,
    edit_text,
    headline_cells,
    late_days,
    note_text,
    percent_text,
    rules_text,
    section_title,
    stale_since,
    status_label,
    subtitle,
    unfinished_units,
    unit_headers,
)
from gkplan.render.wording import days_text, deadline_text, iso
from gkplan.report import Report, ReportSection

FONTS = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei", "Heiti SC", sans-serif'
)

CSS = """
:root { --ink: #1d232b; --muted: #5b6570; --line: #d5dae0; --head: #eef1f5; --accent: #1f4e8c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1280px; padding: 28px 36px 48px; color: var(--ink); background: #fff;
  font-family: FONTS; font-size: 19px; line-height: 1.5; }
h1 { font-size: 1.75em; margin: 0 0 .2em; line-height: 1.25; }
h1 small { display: block; font-size: .62em; font-weight: 600; color: var(--accent); margin-top: .2em; }
h2 { font-size: 1.3em; margin: 1.5em 0 .5em; padding-bottom: .2em; border-bottom: 3px solid var(--accent); }
h3 { font-size: 1.08em; margin: 1.1em 0 .4em; }
p { margin: .4em 0; }
.sub { color: var(--muted); font-size: 1em; margin: 0 0 1em; }
.rules, .muted { color: var(--muted); font-size: .85em; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; margin: 1em 0 .4em; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; background: #f8f9fb; }
.card b { display: block; font-size: 2.3em; line-height: 1.1; font-variant-numeric: tabular-nums; }
.card span { color: var(--muted); font-size: .9em; }
.card.red { background: #RED_FILL; border-color: #RED_BAR; } .card.red b { color: #RED_INK; }
.card.yellow { background: #YELLOW_FILL; border-color: #YELLOW_BAR; } .card.yellow b { color: #YELLOW_INK; }
.card.good { background: #GOOD_FILL; border-color: #GOOD_BAR; } .card.good b { color: #GOOD_INK; }
.banner { border: 2px solid #b00020; background: #fde7e9; color: #b00020; font-weight: bold; padding: 8px 12px; border-radius: 6px; }
table { width: 100%; border-collapse: collapse; margin: .3em 0 .8em; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: 6px 9px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.key { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.task { font-weight: 600; }
.content { color: var(--muted); font-size: .82em; font-weight: normal; margin-top: 2px; }
.late-days { color: #RED_INK; font-weight: 700; white-space: nowrap; }
.badge { display: inline-block; min-width: 2.4em; padding: 1px 8px; border-radius: 999px; text-align: center;
  font-weight: 700; font-size: .9em; white-space: nowrap; border: 1px solid rgba(0,0,0,.12); }
.unit { display: inline-block; padding: 0 6px; margin: 1px 2px 1px 0; border-radius: 4px; background: #eef1f5; white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
figure { margin: .5em 0 1em; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .8em; }
.arrow { color: var(--muted); padding: 0 .3em; }
ul { margin: .3em 0 .8em; padding-left: 1.3em; }
li { margin: .2em 0; }
footer { margin-top: 2em; padding-top: .6em; border-top: 1px solid var(--line); color: var(--muted); font-size: .8em; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h1 { font-size: 17pt; } h2 { font-size: 13pt; margin-top: 1.1em; } h3 { font-size: 11pt; }
  .card b { font-size: 20pt; }
  .figures { grid-template-columns: repeat(4, 1fr); gap: 6px; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .card, figure, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section.changes { break-before: page; page-break-before: always; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tbody tr:nth-child(even) td { background: none; }
}
@media (max-width: 720px) { body { padding: 14px; font-size: 16px; } td.key, td.date { white-space: normal; } }
"""


def esc(text: object) -> str:
    """Every value on the page: HTML-escaped, control characters shown (``textsafe.printable``)."""
    from gkplan.textsafe import printable

    return html.escape(printable(str(text)), quote=True)


def _css(scheme: Scheme) -> str:
    red, yellow, good = swatch(Light.RED, scheme), swatch(Light.YELLOW, scheme), swatch(Light.GREEN, scheme)
    css = CSS.replace("FONTS", FONTS)
    for name, look in (("RED", red), ("YELLOW", yellow), ("GOOD", good)):
        css = css.replace(f"#{name}_FILL", f"#{look.fill}").replace(f"#{name}_BAR", f"#{look.bar}").replace(f"#{name}_INK", f"#{look.ink}")
    return css


def badge(light: Light, scheme: Scheme) -> str:
    look = swatch(light, scheme)
    return f'<span class="badge" style="background:#{look.fill};color:#{look.ink}">{esc(look.label)}</span>'


def chips(names: Iterable[str]) -> str:
    return "".join(f'<span class="unit">{esc(name)}</span>' for name in names)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """``rows`` hold HTML already escaped; ``numeric`` columns align right."""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(content: str, cls: str = "") -> str:
    return f'<td class="{cls}">{content}</td>' if cls else f"<td>{content}</td>"


def _task_cell(row: Row, with_content: bool = True) -> str:
    text = f'<div class="task">{esc(row.task.name)}</div>'
    if with_content and row.task.content:
        text += f'<div class="content">{esc(row.task.content)}</div>'
    return _td(text)


def render_html(report: Report) -> str:
    scheme = report.settings.scheme
    parts: list[str] = []
    add = parts.append
    title = f"{report.title} · 例会报告"
    add("<!DOCTYPE html>")
    add('<html lang="zh-CN"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
    add(f'<meta name="generator" content="gkplan {esc(__version__)}">')
    add(f"<title>{esc(title)} · {esc(report.today.isoformat())}</title>")
    add(f"<style>{_css(scheme)}</style></head><body>")
    add(f"<header><h1>{esc(report.title)}<small>例会报告</small></h1>")
    add(f'<p class="sub">{esc(subtitle(report))}</p></header>')
    if report.banner:
        add(f'<p class="banner" role="alert">{esc(report.banner)}</p>')

    for section in report.sections:
        if text := _SECTION_HTML[section](report):
            add(text)

    add("<footer>")
    if report.notes:
        add("<p>" + "<br>".join(f"注：{esc(n)}" for n in report.notes) + "</p>")
    add(f"<p>由 gkplan {esc(__version__)} 生成 · 截至 {esc(report.today.isoformat())} · {esc(rules_text(report))}</p>")
    add("</footer></body></html>")
    return "\n".join(parts) + "\n"


def _figures(report: Report) -> str:
    parts = [f'<section class="figures" aria-label="{esc(section_title(report, ReportSection.FIGURES))}">']
    for label, value in headline_cells(report):
        cls = "card"
        if label == "逾期" and value != "0":
            cls += " red"
        elif (label.endswith("到期") and value != "0") or (label in ("受阻", "久无进展") and value != "0"):
            cls += " yellow"
        elif label in ("已完成", "已核销") and value != "0":
            cls += " good"
        parts.append(f'<div class="{cls}"><b>{esc(value)}</b><span>{esc(label)}</span></div>')
    parts.append("</section>")
    parts.append(f'<p class="rules">{esc(rules_text(report))}</p>')
    return "\n".join(parts)


def _section(report: Report, section: ReportSection, element_id: str, body: str) -> str:
    return f'<section id="{element_id}"><h2>{esc(section_title(report, section))}</h2>\n{body}\n</section>'


def _late(report: Report) -> str:
    if not report.late:
        return _section(report, ReportSection.LATE, "late", '<p class="empty">没有逾期任务。</p>')
    q = report.qualified
    rows = [
        [
            _td(esc(r.task.key(q)), "key"),
            _task_cell(r),
            _td(chips(r.behind_units)),
            _td(esc(deadline_text(r.task)), "nowrap"),
            _td(esc(iso(r.due) or "—"), "date"),
            _td(f'<span class="late-days">{late_days(r)} 天</span>', "num"),
        ]
        for r in report.late
    ]
    table = _table(["序号", "任务", "未完成单位", "时间节点", "截止日期", "逾期"], rows, numeric=(5,))
    return _section(report, ReportSection.LATE, "late", table)


def _due_soon(report: Report) -> str:
    if not report.due_soon:
        return _section(report, ReportSection.DUE_SOON, "soon", f'<p class="empty">{report.settings.warn_days} 天内没有到期的任务。</p>')
    q = report.qualified
    rows = [
        [
            _td(esc(r.task.key(q)), "key"),
            _task_cell(r),
            _td(chips(unfinished_units(r))),
            _td(esc(deadline_text(r.task)), "nowrap"),
            _td(esc(iso(r.due) or "—"), "date"),
            _td(esc(days_text(r)), "num"),
            _td(esc(r.status.label), "nowrap"),
        ]
        for r in report.due_soon
    ]
    table = _table(["序号", "任务", "未完成单位", "时间节点", "截止日期", "剩余", "状态"], rows, numeric=(5,))
    return _section(report, ReportSection.DUE_SOON, "soon", table)


def _blocked(report: Report) -> str:
    q = report.qualified
    rows = [
        [_td(esc(r.task.key(q)), "key"), _task_cell(r, False), _td(chips(blocked_units(r))), _td(esc(blocked_notes(r)))]
        for r in report.blocked
    ]
    return _section(report, ReportSection.BLOCKED, "blocked", _table(["序号", "任务", "受阻单位", "说明"], rows))


def _stale(report: Report) -> str:
    if not report.stale:
        return _section(report, ReportSection.STALE, "stale", '<p class="empty">没有。</p>')
    rows = [[_td(esc(r.task.key(report.qualified)), "key"), _task_cell(r, False), _td(esc(stale_since(r)))] for r in report.stale]
    return _section(report, ReportSection.STALE, "stale", _table(["序号", "任务", "久无进展的单位（最近登记）"], rows))


def _units(report: Report) -> str:
    chart = unit_chart(report.units, report.settings.scheme, report.settings.warn_days)
    return _section(report, ReportSection.UNITS, "units", f"{chart}\n{_unit_table(report)}")


def _unit_table(report: Report) -> str:
    scheme = report.settings.scheme
    stale = bool(report.settings.stale_weeks)
    blocked = bool(report.headline.blocked)
    headers = unit_headers(report)
    first_number = headers.index("任务")
    rows = []
    for line in report.units:
        cells = [_td(badge(line.light, scheme)), *([_td(esc(line.bureau))] if report.several_bureaus else [])]
        cells += [_td(esc(line.unit)), _td(esc(line.kind))]
        numbers = [line.tasks, line.done, line.verified, line.late, line.due_soon]
        numbers += [line.stale] if stale else []
        numbers += [line.blocked] if blocked else []
        cells += [_td(str(n), "num") for n in numbers]
        cells.append(_td(esc(percent_text(line.percent)), "num"))
        rows.append(cells)
    return _table(headers, rows, numeric=tuple(range(first_number, len(headers))))


def unit_chart(lines: Sequence[UnitTally], scheme: Scheme, warn_days: int) -> str:
    """Each unit's tasks as one bar: done, late, due soon (or stale), the rest; its completion at the right."""
    if not lines:
        return ""
    done, late, soon = swatch(Light.GREEN, scheme), swatch(Light.RED, scheme), swatch(Light.YELLOW, scheme)
    label_w, bar_w, right_w, row_h, top = 190, 520, 170, 34, 40
    width = label_w + bar_w + right_w
    height = top + row_h * len(lines) + 8
    out = [
        f'<figure><svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" style="font-family:inherit">',
        '<title id="chart-title">各单位任务完成情况</title>',
    ]
    legend = [("已完成", done.bar), ("逾期", late.bar), (f"{warn_days}天内到期/久无进展", soon.bar), ("其他未完成", "E3E6EA")]
    x = label_w
    for text, colour in legend:
        out.append(f'<rect x="{x}" y="8" width="16" height="16" rx="3" fill="#{colour}"/>')
        out.append(f'<text x="{x + 22}" y="21" font-size="15" fill="#4A5058">{esc(text)}</text>')
        x += 22 + 8 * display_width(text) + 24  # about 8 px per display cell at 15 px
    for index, line in enumerate(lines):
        y = top + index * row_h
        out.append(f'<text x="{label_w - 12}" y="{y + 22}" font-size="17" text-anchor="end" fill="#1d232b">{esc(line.unit)}</text>')
        total = max(line.tasks, 1)
        attention = min(line.due_soon + line.stale, line.tasks - line.done - line.late)
        segments = [(line.done, done.bar), (line.late, late.bar), (attention, soon.bar)]
        segments.append((line.tasks - line.done - line.late - attention, "E3E6EA"))
        x0 = float(label_w)
        for count, colour in segments:
            if count <= 0:
                continue
            w = bar_w * count / total
            out.append(f'<rect x="{x0:.1f}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" fill="#{colour}"/>')
            if w >= 26:
                out.append(
                    f'<text x="{x0 + w / 2:.1f}" y="{y + 23}" font-size="14" text-anchor="middle" '
                    f'fill="#{"FFFFFF" if colour != "E3E6EA" else "4A5058"}">{count}</text>'
                )
            x0 += w
        summary = f"{percent_text(line.percent)}（{line.done}/{line.tasks}）"
        out.append(f'<text x="{label_w + bar_w + 12}" y="{y + 22}" font-size="16" fill="#1d232b">{esc(summary)}</text>')
    out.append("</svg>")
    out.append("<figcaption>条形为该单位负责的全部任务，数字为项数；右侧为完成率（已完成/任务数）。</figcaption></figure>")
    return "".join(out)


def _notes(report: Report) -> str:
    return ""  # the footnotes close the page, in the footer


def _changes(report: Report) -> str:
    changes = report.changes
    q = report.qualified
    if changes is None:
        note = report.history_note or "未读取修改历史"
        title = esc(section_title(report, ReportSection.CHANGES))
        return f'<section class="changes-missing" id="changes"><h2>{title}</h2><p class="muted">{esc(note)}；本节从略。</p></section>'
    parts = [f'<section class="changes" id="changes"><h2>{esc(section_title(report, ReportSection.CHANGES))}</h2>']
    parts.append(f'<p class="muted">{esc(base_text(changes.history))}</p>')
    if changes.empty:
        parts.append('<p class="empty">期间进展、说明和计划都没有变化。</p></section>')
        return "".join(parts)
    if changes.statuses:
        rows = [
            [
                _td(esc(c.task.key(q)), "key"),
                _td(f'<span class="task">{esc(c.task.name)}</span>'),
                _td(esc(change_unit(c))),
                _td(f'{esc(status_label(c.before))}<span class="arrow">→</span><b>{esc(status_label(c.after))}</b>'),
                _td(esc(iso(c.date) or ""), "date"),
                _td(esc(c.by)),
            ]
            for c in changes.statuses
        ]
        parts.append(f"<h3>进展变化（{len(changes.statuses)} 条）</h3>")
        parts.append(_table(["序号", "任务", "单位", "状态", "日期", "登记人"], rows))
    if changes.notes:
        parts.append(f"<h3>新的说明（{len(changes.notes)} 条）</h3><ul>")
        parts.extend(f"<li>{esc(note_text(n, q))}</li>" for n in changes.notes)
        parts.append("</ul>")
    if changes.edits:
        parts.append(f"<h3>计划修改（{len(changes.edits)} 处）</h3><ul>")
        parts.extend(f"<li>{esc(edit_text(e))}</li>" for e in changes.edits)
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


_SECTION_HTML: dict[ReportSection, Callable[[Report], str]] = {
    ReportSection.FIGURES: _figures,
    ReportSection.LATE: _late,
    ReportSection.DUE_SOON: _due_soon,
    ReportSection.BLOCKED: _blocked,
    ReportSection.STALE: _stale,
    ReportSection.UNITS: _units,
    ReportSection.CHANGES: _changes,
    ReportSection.NOTES: _notes,
}
