"""summary, report (every format) and review show the same figures and light for each unit.

They once counted separately and drifted: with ``stale_weeks: 4`` and ``--today
2022-03-01`` ``summary`` showed 局办公室 绿 while ``report`` showed 黄.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gkplan.cli import app
from tests.conftest import EXAMPLES, SHIPPED_DATA

DAYS = [date(2022, 1, 3) + timedelta(days=n) for n in range(0, 380, 23)]  # through the year and past its end


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _md_table(text: str, after: str | None = None) -> list[dict[str, str]]:
    lines = text.splitlines()
    if after is not None:
        lines = lines[lines.index(after) :]
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True)))
    return rows


def _figures(data: Path, day: date) -> dict[str, dict[str, object]]:
    """Per unit, what each command says: they must all be equal."""
    today = day.isoformat()
    base = ["--data", str(data), "--today", today]
    summary = {r["单位"]: r for r in _md_table(_run("summary", *base, "-f", "md"))}
    summary_json = {r["unit"]: r for r in json.loads(_run("summary", *base, "-f", "json"))}
    report = {r["单位"]: r for r in _md_table(_run("report", *base, "-f", "md", "--since", "HEAD"), after="## 各单位")}
    review = {r["unit"]: r for r in json.loads(_run("review", *base, "-f", "json"))}
    soon = next(key for key in next(iter(report.values())) if key.endswith("天内到期"))
    out: dict[str, dict[str, object]] = {}
    for unit, line in report.items():
        counts = review[unit]["counts"]
        out[unit] = {
            "light": {line["灯"], summary[unit]["灯"]},
            "tasks": {int(line["任务"]), int(summary[unit]["任务"]), summary_json[unit]["tasks"], review[unit]["tasks"]},
            "done": {
                int(line["完成"]),
                int(summary[unit]["完成"]),
                summary_json[unit]["done"],
                counts["on_time"] + counts["late"] + counts["done_undated"],
            },
            "late": {int(line["逾期"]), int(summary[unit]["逾期"]), summary_json[unit]["overdue"], counts["unfinished"]},
            "soon": {int(line[soon]), int(summary[unit][soon]), summary_json[unit]["due_soon"]},
        }
    assert set(summary) >= set(report), "summary lists every unit, report those with a part"
    assert set(review) == set(report)
    return out


@pytest.mark.parametrize("folder", [SHIPPED_DATA, EXAMPLES / "2022-progress" / "data"], ids=["shipped", "example"])
def test_summary_report_and_review_agree_over_the_year(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    for day in DAYS:
        for unit, figures in _figures(data, day).items():
            for name, values in figures.items():
                assert len(values) == 1, f"{day} {unit} {name}: {values}"


def test_stale_weeks_turns_the_same_units_yellow_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    (data / "settings.yaml").write_text("stale_weeks: 4\n", encoding="utf-8")
    figures = _figures(data, date(2022, 3, 1))
    assert figures["局办公室"]["light"] == {"黄"}  # summary said 绿 before the rule had one place
    assert all(len(values) == 1 for unit in figures.values() for values in unit.values())
    # the spreadsheet and the HTML page draw the same light
    _run("report", "--data", str(data), "--today", "2022-03-01", "--since", "HEAD", "-o", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx")["各单位"]
    header = [cell.value for cell in sheet[1]]
    lights = {row[header.index("单位")]: row[header.index("灯")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {unit: {light} for unit, light in lights.items()} == {unit: f["light"] for unit, f in figures.items()}
    html = _run("report", "--data", str(data), "--today", "2022-03-01", "--since", "HEAD", "-f", "html")
    html_lights = {unit: light for light, unit in re.findall(r'<td><span class="badge"[^>]*>(\w+)</span></td><td>([^<]+)</td>', html)}
    assert {unit: {light} for unit, light in html_lights.items()} == {unit: f["light"] for unit, f in figures.items()}


@pytest.mark.parametrize("day", [date(2022, 3, 1), date(2022, 10, 8), date(2023, 1, 15)])
@pytest.mark.parametrize("stale_weeks", [0, 4])
def test_counting_alike_parts_once_counts_what_evaluating_each_counts(
    day: date, stale_weeks: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tally_units evaluates each part state once per task; keep_parts evaluates every part: same counts."""
    import importlib.util

    from gkplan.query import tally_units
    from gkplan.store import load_workspace

    spec = importlib.util.spec_from_file_location("make_plans", SHIPPED_DATA.parent / "bench" / "make_plans.py")
    assert spec is not None
    assert spec.loader is not None
    make_plans = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_plans", make_plans)  # its dataclasses look their module up
    spec.loader.exec_module(make_plans)
    make_plans.generate(tmp_path / "gen", tasks=400, files=12, seed=7)
    for root in (EXAMPLES / "2022-progress" / "data", tmp_path / "gen"):
        plans = load_workspace(root).plans
        fast = tally_units(plans, day, stale_weeks=stale_weeks)
        each = tally_units(plans, day, stale_weeks=stale_weeks, keep_parts=True)
        assert [(t.unit, t.tasks, t.done, t.verified, t.late, t.due_soon, t.stale, t.blocked, t.light) for t in fast] == [
            (t.unit, t.tasks, t.done, t.verified, t.late, t.due_soon, t.stale, t.blocked, t.light) for t in each
        ]
        assert sum(t.tasks for t in fast) > 0
