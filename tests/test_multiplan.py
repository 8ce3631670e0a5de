"""Several plans in one data root: years of one bureau and several bureaus, each with its own units."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gkplan.cli import app
from tests.conftest import SHIPPED_DATA

OTHER_UNITS = """units:
  办公室: {kind: 机关科室}
  教研科: {kind: 机关科室}
groups:
  各科室: {kind: 机关科室}
"""

OTHER_PLAN = """plan:
  id: jyj-2023
  title: 2023年某教育局工作要点
  year: 2023
tasks:
  - id: 2
    name: 教研任务
    content: 开展教研。
    units:
      - 各科室
    deadline: 3月底前
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """data/rsj: the shipped 2022 plan plus a 2023 copy; data/jyj: another bureau with its own units."""
    data = tmp_path / "data"
    rsj = data / "rsj"
    shutil.copytree(SHIPPED_DATA, rsj)
    shipped = (rsj / "tasks.yaml").read_text(encoding="utf-8")
    next_year = shipped.replace('  id: "2022"', '  id: "2023"').replace("year: 2022", "year: 2023")
    (rsj / "2023.yaml").write_text(next_year, encoding="utf-8")
    jyj = data / "jyj"
    jyj.mkdir()
    (jyj / "units.yaml").write_text(OTHER_UNITS, encoding="utf-8")
    (jyj / "2023.yaml").write_text(OTHER_PLAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return data


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_all_plans_load_with_qualified_ids(root: Path) -> None:
    code, out, err = run("list", "--format", "json", "--today", "2022-10-08")  # found as ./data
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 32 + 32 + 1
    assert {r["plan"] for r in rows} == {"2022", "2023", "jyj-2023"}
    keys = {r["key"] for r in rows}
    assert {"2022:2", "2023:2", "jyj-2023:2"} <= keys
    code, out, _ = run("overdue", "--today", "2022-10-08")
    assert "2022:24" in out
    assert "2022:2 " in out


def test_plan_option_selects(root: Path) -> None:
    code, out, _ = run("list", "--plan", "2023", "--format", "json", "--today", "2023-10-08")
    rows = json.loads(out)
    assert {r["plan"] for r in rows} == {"2023"}
    assert rows[0]["key"] == "24"  # one plan loaded: plain ids again
    assert rows[0]["due"] == "2023-08-31"  # deadlines resolve in the plan's own year
    code, out, _ = run("list", "--plan", "2022", "--plan", "jyj-2023", "--format", "json")
    assert {r["plan"] for r in json.loads(out)} == {"2022", "jyj-2023"}
    code, _, err = run("list", "--plan", "2019")
    assert code == 4
    assert "没有计划「2019」" in err


def test_ambiguous_id_asks_for_the_plan(root: Path) -> None:
    code, _, err = run("show", "2")
    assert code == 4
    assert "2022:2" in err
    assert "jyj-2023:2" in err
    code, out, _ = run("show", "jyj-2023:2", "--today", "2023-01-05")
    assert code == 0
    assert "教研任务" in out
    assert "办公室、教研科" in out  # the other bureau's own units


def test_units_belong_to_their_bureau(root: Path) -> None:
    _, out, _ = run("list", "--unit", "教研科", "--format", "json")
    assert [r["key"] for r in json.loads(out)] == ["jyj-2023:2"]
    _, out, _ = run("summary", "--format", "json", "--today", "2022-10-08")
    rows = json.loads(out)
    assert {(r["bureau"], r["unit"]) for r in rows} >= {("data/jyj", "办公室"), ("data/rsj", "局办公室")}
    _, out, _ = run("summary", "--today", "2022-10-08")
    assert out.splitlines()[0].split()[:3] == ["灯", "机构", "单位"]


def test_duplicate_plan_ids_are_reported(root: Path) -> None:
    (root / "rsj" / "copy.yaml").write_text((root / "rsj" / "2023.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run("list")
    assert code == 5  # ExitCode.INCOMPLETE: printed, but marked as drawn from data with errors
    assert "计划编号「2023」" in out.splitlines()[0]
