"""``gkplan review`` (回头看): per unit, what was finished on time, late, or not at all."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from gkplan.deadlines import resolve_deadline
from gkplan.model import Progress, Status, Task
from gkplan.review import Outcome, judge
from tests.conftest import EXAMPLES, Runner

D = date


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example" / "data"
    shutil.copytree(EXAMPLES / "2022-progress" / "data", target)
    return target


def test_review_markdown_on_example_data(gkplan: Runner, example: Path, golden: object) -> None:
    result = gkplan("review", "--today", "2022-12-31", "--format", "md", "--unit", "人才服务中心", data=example)
    assert result.exit_code == 0, result.stderr
    golden("review_example_one_unit_2022-12-31.md", result.stdout)  # type: ignore[operator]


def test_review_per_unit_on_time_late_and_not_done(gkplan: Runner, example: Path) -> None:
    result = gkplan("review", "--today", "2022-12-31", "--format", "json", data=example)
    assert result.exit_code == 0
    units = {entry["unit"]: entry for entry in json.loads(result.stdout)}
    assert list(units)[:3] == ["局办公室", "就业培训科", "人才开发科"]  # units.yaml order
    office = {item["id"]: item for item in units["局办公室"]["items"]}
    assert office[2]["outcome"] == "on_time"
    assert office[2]["finished_on"] == "2022-09-20"
    talent = {item["id"]: item for item in units["人才服务中心"]["items"]}
    assert talent[2]["outcome"] == "unfinished"
    assert talent[2]["days_late"] == 92  # 2022-09-30 to 2022-12-31
    social = {item["id"]: item for item in units["社会保障服务中心"]["items"]}
    assert social[2] == social[2] | {"outcome": "late", "finished_on": "2022-10-05", "days_late": 5}
    assert units["社会保障服务中心"]["counts"]["late"] == 2


def test_review_table_and_shipped_data(gkplan: Runner) -> None:
    result = gkplan("review", "--today", "2022-12-31")
    assert result.exit_code == 0
    assert "回头看：截至 2022-12-31 各单位任务完成情况" in result.stdout
    assert "■ 就业培训科" in result.stdout
    assert "逾期未完成（" in result.stdout  # nothing recorded in the real data: past-due tasks are not done


def part(phrase: str, status: Status = Status.TODO, day: date | None = None) -> Task:
    unit = "就业培训科"
    progress = {unit: Progress(unit, status, day)} if status is not Status.TODO else {}
    deadline = resolve_deadline(phrase, 2022)
    return Task("2022", 1, "任务", "", "", (unit,), (unit,), deadline, progress=progress)


@pytest.mark.parametrize(
    ("phrase", "status", "day", "outcome", "days_late"),
    [
        ("9月底前", Status.DONE, D(2022, 9, 30), Outcome.ON_TIME, 0),
        ("9月底前", Status.DONE, D(2022, 10, 3), Outcome.LATE, 3),
        ("9月底前", Status.DONE, None, Outcome.DONE_UNDATED, 0),
        ("9月底前", Status.DOING, D(2022, 9, 1), Outcome.UNFINISHED, 92),
        ("全年", Status.DOING, D(2022, 9, 1), Outcome.OPEN, 0),  # due today, not yet late
        ("每季度末", Status.DOING, D(2022, 6, 20), Outcome.UNFINISHED, 92),  # nothing in the 3rd quarter (due 2022-09-30)
        ("每季度末", Status.DOING, D(2022, 7, 2), Outcome.OPEN, 0),  # reported in the 3rd quarter
    ],
)
def test_judge(phrase: str, status: Status, day: date | None, outcome: Outcome, days_late: int) -> None:
    item = judge(part(phrase, status, day), "就业培训科", D(2022, 12, 31))
    assert (item.outcome, item.days_late) == (outcome, days_late)
