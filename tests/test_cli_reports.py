"""The reporting commands on the shipped plan: filters, boundaries, formats, options and errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Runner

TODAY = "2022-10-08"  # first working day after the 2022 National Day holiday
GROUP_TASKS = 30  # every task but 1 and 30 (局办公室 alone) is written to the two groups


def ids(result_stdout: str) -> list[int]:
    return [row["id"] for row in json.loads(result_stdout)]


def run_json(gkplan: Runner, *args: str) -> list[dict]:
    result = gkplan(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


# --- overdue ---------------------------------------------------------------------------------


def test_overdue_lists_late_tasks_by_due_date(gkplan: Runner) -> None:
    result = gkplan("overdue", "--today", TODAY)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["灯", "序号", "任务名称", "未完成单位", "时间节点", "类型", "截止日期", "状态", "剩余"]
    assert lines[2].split()[:2] == ["红", "24"]
    assert "逾期 38 天" in lines[2]
    assert lines[3].split()[:2] == ["红", "2"]
    assert "逾期 8 天" in lines[3]
    assert lines[-1] == "截至 2022-10-08，逾期 2 项。"


@pytest.mark.parametrize(
    ("today", "late"),
    [
        ("2022-08-31", []),  # task 24 (8 月) is due today: not late
        ("2022-09-01", [24]),  # the day after it is
        ("2022-09-30", [24]),  # task 2 (9 月底前) due today
        ("2022-10-01", [24, 2]),
        ("2022-11-01", [24, 2, 20, 29]),
        ("2023-01-01", list(range(1, 33))),
    ],
)
def test_overdue_boundary(gkplan: Runner, today: str, late: list[int]) -> None:
    rows = run_json(gkplan, "overdue", "--today", today)
    assert sorted(r["id"] for r in rows) == sorted(late)
    assert all(r["overdue"] and r["days_left"] < 0 for r in rows)


def test_overdue_json_contract(gkplan: Runner) -> None:
    rows = run_json(gkplan, "overdue", "--today", TODAY)
    row = rows[1]
    assert row == {
        "plan": "2022",
        "id": 2,
        "key": "2",
        "name": "加强历史公文转化公开",
        "content": "对未开展过公文公开属性认定的公文进行公开属性认定。",
        "section": "一（一）",
        "units": ["局机关各科室", "局属各单位"],
        "responsible": ["局办公室", "就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心"],
        "deadline": "9 月底前",
        "kind": "by_date",
        "start": None,
        "due": "2022-09-30",
        "status": "todo",
        "overdue": True,
        "days_left": -8,
        "late_units": ["局办公室", "就业培训科", "人才开发科", "就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心"],
        "deadline_note": "",
    }


def test_overdue_when_nothing_is_late(gkplan: Runner) -> None:
    result = gkplan("overdue", "--today", "2022-06-01")
    assert result.exit_code == 0
    assert result.stdout == "截至 2022-06-01，没有逾期任务。\n"
    assert run_json(gkplan, "overdue", "--today", "2022-06-01") == []


def test_overdue_for_one_unit(gkplan: Runner) -> None:
    rows = run_json(gkplan, "overdue", "--unit", "人才开发科", "--today", "2022-11-01")
    assert [r["id"] for r in rows] == [24, 2, 29]  # not 20: 人才开发科 is not responsible for it
    assert all(r["late_units"] == ["人才开发科"] for r in rows)


# --- today, data ---------------------------------------------------------------------------


def test_today_from_environment(gkplan: Runner) -> None:
    assert ids(gkplan("overdue", "--format", "json", env={"GKPLAN_TODAY": "2022-10-01"}).stdout) == [24, 2]
    # --today wins over the environment
    assert ids(gkplan("overdue", "--format", "json", "--today", "2022-09-01", env={"GKPLAN_TODAY": "2022-10-01"}).stdout) == [24]


def test_bad_today_is_a_usage_error(gkplan: Runner) -> None:
    result = gkplan("overdue", "--today", "2022-02-30")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--today「2022-02-30」不是有效日期" in result.stderr
    assert "YYYY-MM-DD" in result.stderr
    result = gkplan("list", env={"GKPLAN_TODAY": "next monday"})
    assert result.exit_code == 2
    assert "GKPLAN_TODAY" in result.stderr


def test_today_accepts_common_spellings(gkplan: Runner) -> None:
    for spelling in ("2022/10/08", "2022.10.08", "20221008", "2022-10-8"):
        assert ids(gkplan("overdue", "--format", "json", "--today", spelling).stdout) == [24, 2]


def test_data_from_environment_and_discovery(gkplan: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from gkplan.cli import app

    runner = CliRunner()
    by_env = runner.invoke(app, ["overdue", "--today", TODAY, "--format", "json"], env={"GKPLAN_DATA": str(data_dir)})
    assert ids(by_env.stdout) == [24, 2]
    nested = data_dir.parent / "docs" / "minutes"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)  # like git finding .git: the nearest data/ upward
    found = runner.invoke(app, ["overdue", "--today", TODAY, "--format", "json"])
    assert ids(found.stdout) == [24, 2]
    monkeypatch.chdir(data_dir)  # inside data/ itself
    assert ids(runner.invoke(app, ["overdue", "--today", TODAY, "--format", "json"]).stdout) == [24, 2]


def test_no_data_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from gkplan.cli import app

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(app, ["overdue"])
    assert result.exit_code == 3
    assert "找不到数据目录" in result.stderr
    assert "--data" in result.stderr
    result = CliRunner().invoke(app, ["overdue", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 3
    assert "数据目录不存在" in result.stderr


def test_broken_yaml_names_file_and_line(gkplan: Runner, data_dir: Path) -> None:
    path = data_dir / "tasks.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  - id: 5"))
    lines[at + 1] = "    section: [一（二）\n"  # unclosed bracket
    path.write_text("".join(lines), encoding="utf-8")
    result = gkplan("overdue", "--today", TODAY)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "data/tasks.yaml:" in result.stderr
    assert "YAML 格式错误" in result.stderr


def test_missing_units_file(gkplan: Runner, data_dir: Path) -> None:
    (data_dir / "units.yaml").unlink()
    result = gkplan("list")
    assert result.exit_code == 3
    assert "找不到 units.yaml" in result.stderr


def test_data_problems_are_reported_but_reports_still_run(gkplan: Runner, data_dir: Path) -> None:
    path = data_dir / "tasks.yaml"
    text = path.read_text(encoding="utf-8").replace("      - 就业培训科\n", "      - 就业陪训科\n", 1)
    path.write_text(text, encoding="utf-8")
    result = gkplan("overdue", "--today", TODAY)
    assert result.exit_code == 5  # ExitCode.INCOMPLETE
    assert ids(gkplan("overdue", "--today", TODAY, "--format", "json", "--allow-errors").stdout) == [24, 2]
    banner = result.stdout.splitlines()[0]
    assert banner.startswith("！数据有 1 处错误，以下结果不完整：")
    assert "就业陪训科" in banner
    assert banner.endswith("请先运行 gkplan check")
    assert result.stderr == ""


def test_reports_never_write(gkplan: Runner, data_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    for args in (["list"], ["overdue"], ["due"], ["show", "2"], ["units"], ["summary"]):
        assert gkplan(*args, "--today", TODAY).exit_code == 0
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


# --- list ------------------------------------------------------------------------------------


def test_list_everything_sorted_by_due_then_id(gkplan: Runner) -> None:
    rows = run_json(gkplan, "list", "--today", TODAY)
    assert len(rows) == 32
    keys = [(r["due"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert [r["id"] for r in rows[:5]] == [24, 2, 20, 29, 21]


def test_list_unit_includes_group_tasks(gkplan: Runner) -> None:
    rows = run_json(gkplan, "list", "--unit", "就业培训科", "--today", TODAY)
    assert len(rows) == GROUP_TASKS
    assert {r["id"] for r in rows} == set(range(1, 33)) - {1, 30}
    assert all(r["responsible"] == ["就业培训科"] for r in rows)


def test_list_unit_by_alias_and_group(gkplan: Runner) -> None:
    office = run_json(gkplan, "list", "--unit", "办公室", "--today", TODAY)
    assert {r["id"] for r in office} == set(range(1, 33)) - {16, 17, 18, 20}
    affiliates = run_json(gkplan, "list", "--unit", "局属各单位", "--today", TODAY)
    assert {r["id"] for r in affiliates} == set(range(1, 33)) - {1, 30}
    row_20 = next(r for r in affiliates if r["id"] == 20)
    assert row_20["responsible"] == ["就业促进中心", "社会保障服务中心"]


def test_list_unknown_unit_suggests(gkplan: Runner) -> None:
    result = gkplan("list", "--unit", "就业陪训科")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert "没有名为「就业陪训科」的单位或单位组" in result.stderr
    assert "就业培训科" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_by_status(gkplan: Runner) -> None:
    assert len(run_json(gkplan, "list", "--status", "todo", "--today", TODAY)) == 32
    assert run_json(gkplan, "list", "--status", "done", "--status", "verified", "--today", TODAY) == []
    assert len(run_json(gkplan, "list", "--status", "未开始", "--today", TODAY)) == 32
    result = gkplan("list", "--status", "finished")
    assert result.exit_code == 2
    assert "--status「finished」无效" in result.stderr
    assert "todo" in result.stderr


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("一", list(range(1, 10))),
        ("一（一）", [1, 2, 3, 4]),
        ("一(一)", [1, 2, 3, 4]),
        ("1.1", [1, 2, 3, 4]),
        ("四", list(range(25, 33))),
        ("公众参与", [14, 15]),
    ],
)
def test_list_by_section(gkplan: Runner, section: str, expected: list[int]) -> None:
    rows = run_json(gkplan, "list", "--section", section, "--today", TODAY)
    assert sorted(r["id"] for r in rows) == expected


def test_a_section_that_is_not_in_the_plan_is_an_error_not_an_empty_list(gkplan: Runner) -> None:
    result = gkplan("list", "--section", "五", "--today", TODAY)
    assert result.exit_code == 4
    assert "已有章节：一 进一步优化政务公开基础工作" in result.stderr


def test_list_search_name_and_content(gkplan: Runner) -> None:
    assert sorted(r["id"] for r in run_json(gkplan, "list", "--search", "目录", "--today", TODAY)) == [19, 20]
    assert sorted(r["id"] for r in run_json(gkplan, "list", "--search", "队伍建设", "--today", TODAY)) == [27, 28, 29]
    assert sorted(r["id"] for r in run_json(gkplan, "list", "--search", "oa", "--today", TODAY)) == [1]


def test_list_due_window(gkplan: Runner) -> None:
    before = run_json(gkplan, "list", "--due-before", "2022-10-31", "--today", TODAY)
    assert [r["id"] for r in before] == [24, 2]  # strictly before
    after = run_json(gkplan, "list", "--due-after", "2022-10-31", "--due-before", "2022-12-31", "--today", TODAY)
    assert [r["id"] for r in after] == [21]
    result = gkplan("list", "--due-before", "十月")
    assert result.exit_code == 2
    assert "--due-before「十月」不是有效日期" in result.stderr


def test_list_empty_result_says_so(gkplan: Runner) -> None:
    result = gkplan("list", "--search", "不存在的内容", "--today", TODAY)
    assert result.exit_code == 0
    assert result.stdout.startswith("没有符合条件的任务。")


def test_list_footnote_for_the_missing_deadline(gkplan: Runner) -> None:
    result = gkplan("list", "--section", "二（三）", "--today", TODAY)
    assert "（未填）" in result.stdout
    assert "注：任务 15：计划未写时间节点，按 2022 年底计" in result.stdout


# --- due -------------------------------------------------------------------------------------


def test_due_within_inclusive_window(gkplan: Runner) -> None:
    assert [r["id"] for r in run_json(gkplan, "due", "--within", "30", "--today", TODAY)] == [20, 29]
    # due today counts; due in exactly N days counts; N+1 does not
    assert [r["id"] for r in run_json(gkplan, "due", "--within", "0", "--today", "2022-10-31")] == [20, 29]
    assert [r["id"] for r in run_json(gkplan, "due", "--within", "23", "--today", TODAY)] == [20, 29]
    assert run_json(gkplan, "due", "--within", "22", "--today", TODAY) == []


def test_due_for_a_unit(gkplan: Runner) -> None:
    rows = run_json(gkplan, "due", "--within", "30", "--unit", "人才开发科", "--today", TODAY)
    assert [r["id"] for r in rows] == [29]


# --- show ------------------------------------------------------------------------------------


def test_show_everything_about_a_task(gkplan: Runner) -> None:
    result = gkplan("show", "2", "--today", TODAY)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("任务 2 · 加强历史公文转化公开\n")
    assert "一、进一步优化政务公开基础工作 / 一（一） 强化政府公文备案和集中规范公开" in out
    assert "包括　　：局办公室、就业培训科、人才开发科、就业促进中心、人才服务中心、高服中心、社会保障服务中心" in out
    assert "截止 2022-09-30" in out
    assert "逾期 8 天" in out
    assert "data/tasks.yaml:" in out
    assert out.count("未开始（逾期）") == 7


def test_show_window_and_days_left(gkplan: Runner) -> None:
    out = gkplan("show", "24", "--today", "2022-08-15").stdout
    assert "2022-08-01 至 2022-08-31" in out
    assert "剩 16 天" in out


def test_show_json(gkplan: Runner) -> None:
    result = gkplan("show", "15", "--today", TODAY, "--format", "json")
    task = json.loads(result.stdout)
    assert task["id"] == 15
    assert task["deadline"] is None
    assert task["kind"] == "missing"
    assert task["due"] == "2022-12-31"
    assert task["section_title"] == "全方位强化公众参与"
    assert [p["unit"] for p in task["progress"]][:2] == ["局办公室", "就业培训科"]
    assert all(p["status"] == "todo" for p in task["progress"])


@pytest.mark.parametrize("key", ["99", "abc", "2023:2"])
def test_show_unknown_task(gkplan: Runner, key: str) -> None:
    result = gkplan("show", key)
    assert result.exit_code == 4
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert key.split(":", maxsplit=1)[0] in result.stderr


def test_show_accepts_qualified_id(gkplan: Runner) -> None:
    assert gkplan("show", "2022:2", "--today", TODAY).stdout.startswith("任务 2 ·")


# --- units, summary ---------------------------------------------------------------------------


def test_units_json(gkplan: Runner) -> None:
    result = gkplan("units", "--format", "json")
    data = json.loads(result.stdout)
    counts = {u["name"]: u["tasks"] for u in data["units"]}
    assert counts == {
        "局办公室": 28,
        "就业培训科": 30,
        "人才开发科": 29,
        "就业促进中心": 30,
        "人才服务中心": 29,
        "高服中心": 29,
        "社会保障服务中心": 27,
    }
    assert data["units"][0]["aliases"] == ["办公室"]
    groups = {g["name"]: g for g in data["groups"]}
    assert groups["局属各单位"]["members"] == ["就业促进中心", "人才服务中心", "高服中心", "社会保障服务中心"]
    assert groups["局机关各科室"]["tasks"] == 32


def test_summary_per_unit(gkplan: Runner) -> None:
    rows = {r["unit"]: r for r in run_json(gkplan, "summary", "--today", "2022-10-25")}
    assert rows["就业培训科"] == {
        "unit": "就业培训科",
        "kind": "局机关科室",
        "bureau": "data",
        "tasks": 30,
        "done": 0,
        "overdue": 2,
        "due_soon": 2,  # 20 and 29, both 10月底前
        "percent": 0.0,
    }
    assert rows["人才开发科"]["due_soon"] == 1  # only 29
    assert rows["局办公室"]["tasks"] == 28


# --- formats ---------------------------------------------------------------------------------


def test_csv_format(gkplan: Runner) -> None:
    result = gkplan("list", "--unit", "就业培训科", "--today", TODAY, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == GROUP_TASKS
    assert rows[0]["id"] == "24"
    assert rows[0]["units"] == "局机关各科室、局属各单位"
    assert rows[0]["overdue"] == "true"
    assert rows[0]["days_left"] == "-38"


def test_markdown_format(gkplan: Runner) -> None:
    out = gkplan("overdue", "--today", TODAY, "--format", "md").stdout
    lines = out.splitlines()
    assert lines[0] == "| 灯 | 序号 | 任务名称 | 未完成单位 | 时间节点 | 类型 | 截止日期 | 状态 | 剩余 |"
    assert lines[1] == "|---|---|---|---|---|---|---|---|---|"
    assert lines[2].startswith("| 红 | 24 | 推动政府开放活动常态化 |")


def test_table_columns_line_up_in_display_width(gkplan: Runner) -> None:
    from gkplan.render.grid import display_width

    lines = gkplan("list", "--today", TODAY).stdout.splitlines()
    rule = lines[1]
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    for line in lines[2:34]:
        # every column starts at the same display offset as its rule
        for start in starts[1:]:
            prefix_width = 0
            for index, char in enumerate(line):
                if prefix_width >= start:
                    assert prefix_width == start, line
                    assert line[index - 1] == " ", line
                    break
                prefix_width += display_width(char)


def test_unknown_format_is_a_usage_error(gkplan: Runner) -> None:
    result = gkplan("list", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- help --------------------------------------------------------------------------------------


def test_help_is_chinese_first(gkplan: Runner) -> None:
    result = gkplan("--help")
    assert result.exit_code == 0
    assert "政务公开工作要点任务跟踪" in result.stdout
    for name in ("list", "overdue", "due", "show", "units", "summary"):
        assert name in result.stdout


@pytest.mark.parametrize("name", ["list", "overdue", "due", "show", "units", "summary"])
def test_each_command_has_help(gkplan: Runner, name: str) -> None:
    result = gkplan(name, "--help")
    assert result.exit_code == 0
    assert "--data" in result.stdout
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout)
