"""``gkplan review`` (回头看): per unit, a count table and the tasks behind each count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from gkplan.render.grid import Grid, Output, markdown_lines, print_grid
from gkplan.render.wording import iso
from gkplan.review import Outcome, ReviewItem, UnitReview
from gkplan.textsafe import markdown

OUTCOMES = (Outcome.ON_TIME, Outcome.LATE, Outcome.DONE_UNDATED, Outcome.UNFINISHED, Outcome.OPEN)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def count_grid(reviews: Sequence[UnitReview], several: bool) -> Grid:
    headers = [*(["机构"] if several else []), "单位", "任务", *(o.label for o in OUTCOMES), "按时率"]
    grid = Grid(headers)
    for r in reviews:
        style = "bold red" if r.count(Outcome.UNFINISHED) else ""
        cells = [*([r.bureau] if several else []), r.unit, str(len(r.items)), *(str(r.count(o)) for o in OUTCOMES), _rate(r.on_time_rate)]
        grid.add(cells, style)
    return grid


def item_text(item: ReviewItem, qualified: bool) -> str:
    text = f"{item.task.key(qualified)} {item.task.name}"
    due = iso(item.due) or "无截止日期"
    if item.outcome is Outcome.LATE and item.finished_on:
        return f"{text}（{item.finished_on.isoformat()} 完成，截止 {due}，晚 {item.days_late} 天）"
    if item.outcome is Outcome.ON_TIME and item.finished_on:
        return f"{text}（{item.finished_on.isoformat()} 完成，截止 {due}）"
    if item.outcome is Outcome.UNFINISHED:
        return f"{text}（截止 {due}，已逾期 {item.days_late} 天）"
    return f"{text}（截止 {due}）"


def detail_lines(review: UnitReview, qualified: bool) -> list[tuple[str, list[str]]]:
    """(outcome heading, task lines), skipping empty outcomes."""
    return [(f"{o.label}（{review.count(o)}）", [item_text(i, qualified) for i in review.of(o)]) for o in OUTCOMES if review.count(o)]


def review_object(review: UnitReview, qualified: bool) -> dict[str, Any]:
    def item(i: ReviewItem) -> dict[str, Any]:
        return {
            "plan": i.task.plan,
            "id": i.task.id,
            "key": i.task.key(qualified),
            "name": i.task.name,
            "outcome": i.outcome.value,
            "due": iso(i.due),
            "finished_on": iso(i.finished_on),
            "days_late": i.days_late,
        }

    counts = {o.value: review.count(o) for o in OUTCOMES}
    rate = review.on_time_rate
    return {
        "unit": review.unit,
        "kind": review.kind,
        "bureau": review.bureau,
        "tasks": len(review.items),
        "counts": counts,
        "on_time_rate": None if rate is None else round(rate, 1),
        "items": [item(i) for i in review.items],
    }


def print_review(out: Output, reviews: Sequence[UnitReview], fmt: str, today: date, qualified: bool) -> None:
    several = len({r.bureau for r in reviews}) > 1
    if fmt == "json":
        out.write_json_list((review_object(r, qualified) for r in reviews), chunk=1)  # a unit may have 20,000 parts
        return
    title = f"回头看：截至 {today.isoformat()} 各单位任务完成情况"
    note = "按时率 = 按时完成 ÷（按时完成 + 逾期完成 + 逾期未完成）；未到期的和未登记完成日期的不计入。"
    grid = count_grid(reviews, several)
    if fmt == "md":
        lines = [f"# {title}", "", *markdown_lines(grid), "", note]
        for r in reviews:
            lines += ["", f"## {markdown(r.unit)}" + (f"（{markdown(r.bureau)}）" if several else "")]
            for heading, items in detail_lines(r, qualified):
                lines += ["", f"**{heading}**", "", *(f"- {markdown(line)}" for line in items)]
        out.write("\n".join(lines))
        return
    out.say(title)
    out.write()
    print_grid(out, grid)
    out.say(note)
    for r in reviews:
        out.write()
        out.say(f"■ {r.unit}" + (f"（{r.bureau}）" if several else ""))
        for heading, items in detail_lines(r, qualified):
            out.say(f"  {heading}", indent=2)
            for line in items:
                out.say(f"    · {line}", indent=6)
