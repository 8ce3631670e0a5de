"""``gkplan report``: the weekly meeting's page, in every format, on the shipped and the example data.

Golden files (tests/golden/report_*) are the Markdown a meeting secretary pastes; they are
rewritten only with ``pytest --update-golden`` and reviewed as diffs.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Runner

EXAMPLE_DATA = EXAMPLES / "2022-progress" / "data"
TODAY = "2022-10-08"


@pytest.fixture(autouse=True)
def no_outer_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A copied data folder is never inside someone else's repository (a CI checkout under /tmp…)."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example data set (the 2022 plan with demo progress)."""
    target = tmp_path / "example" / "data"
    shutil.copytree(EXAMPLE_DATA, target)
    return target


def test_markdown_report_on_shipped_data(gkplan: Runner, golden: object) -> None:
    result = gkplan("report", "--today", TODAY, "--format", "md")
    assert result.exit_code == 0, result.stderr
    golden("report_shipped_2022-10-08.md", result.stdout)  # type: ignore[operator]


def test_markdown_report_on_example_data(gkplan: Runner, example: Path, golden: object) -> None:
    result = gkplan("report", "--today", TODAY, "--format", "md", data=example)
    assert result.exit_code == 0, result.stderr
    golden("report_example_2022-10-08.md", result.stdout)  # type: ignore[operator]


def test_report_names_the_late_tasks_and_the_units_behind(gkplan: Runner, example: Path) -> None:
    text = gkplan("report", "--today", TODAY, "-f", "md", data=example).stdout
    late = text.split("## 逾期任务（1 项）")[1].split("##")[0]
    assert "| 2 | 加强历史公文转化公开 | 人才服务中心、高服中心 | 9 月底前 | 2022-09-30 | 8 |" in late
    assert "## 30 天内到期（2 项）" in text  # warn_days: 30 from the example's settings.yaml
    assert "| 红 | 人才服务中心 |" in text


def test_report_for_one_unit_counts_its_own_part(gkplan: Runner, example: Path) -> None:
    text = gkplan("report", "--today", TODAY, "-f", "md", "--unit", "就业培训科", data=example).stdout
    assert "截至 2022-10-08 · 就业培训科" in text
    assert "没有逾期任务。" in text  # it finished task 2 on time; others are behind on it
    assert "| 黄 | 就业培训科 | 局机关科室 | 30 | 3 |" in text
    assert "| 人才服务中心 |" not in text


def test_terminal_table_and_unknown_unit(gkplan: Runner, example: Path) -> None:
    result = gkplan("report", "--today", TODAY, data=example)
    assert result.exit_code == 0
    assert "■ 逾期任务（1 项）" in result.stdout
    assert "加强历史公文转化公开" in result.stdout
    missing = gkplan("report", "--today", TODAY, "--unit", "不存在科", data=example)
    assert missing.exit_code == 4


def test_output_file_is_written_whole_and_format_follows_the_suffix(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    target = tmp_path / "例会.md"
    result = gkplan("report", "--today", TODAY, "-o", str(target), data=example)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "已写入" in result.stderr
    assert target.read_text(encoding="utf-8").startswith("# 2022年嘉定区人力资源和社会保障局政务公开工作要点 · 例会报告")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temp file left behind


def test_bad_output_paths_are_usage_errors(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    no_folder = gkplan("report", "--today", TODAY, "-o", str(tmp_path / "nope" / "r.html"), data=example)
    assert no_folder.exit_code == 2
    assert "所在的目录不存在" in no_folder.stderr
    xlsx_to_screen = gkplan("report", "--today", TODAY, "-f", "xlsx", data=example)
    assert xlsx_to_screen.exit_code == 2
    assert "-o" in xlsx_to_screen.stderr


def test_read_only(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in example.iterdir()}
    for fmt in ("md", "html", "xlsx"):
        assert gkplan("report", "--today", TODAY, "-f", fmt, "-o", str(tmp_path / f"r.{fmt}"), data=example).exit_code == 0
    assert gkplan("ics", "--today", TODAY, "-o", str(tmp_path / "r.ics"), data=example).exit_code == 0
    assert gkplan("review", "--today", TODAY, data=example).exit_code == 0
    assert {p.name: p.read_bytes() for p in example.iterdir()} == before


# --- since last meeting, from git ------------------------------------------------------------


def git(folder: Path, *args: str, when: str | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "办公室联络员",
        "GIT_AUTHOR_EMAIL": "office@example.invalid",
        "GIT_COMMITTER_NAME": "办公室联络员",
        "GIT_COMMITTER_EMAIL": "office@example.invalid",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(folder),
    }
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def history(example: Path, gkplan: Runner) -> Path:
    """The example data committed on 2022-09-30, then a week of changes committed on 2022-10-06."""
    repo = example.parent
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "9 月底的进展", when="2022-09-30T17:00:00+08:00")
    assert gkplan("done", "20", "--unit", "就业培训科", "--by", "培训科联络员", "--today", "2022-10-05", data=example).exit_code == 0
    note = ["note", "21", "--unit", "人才开发科", "区里的模板已下发，本周恢复"]
    assert gkplan(*note, data=example).exit_code == 0
    tasks = example / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("name: 强化工作监督", "name: 强化工作监督考核", 1), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "例会前登记", when="2022-10-06T18:00:00+08:00")
    return example


@needs_git
def test_since_a_date_uses_the_last_commit_before_it(gkplan: Runner, history: Path) -> None:
    text = gkplan("report", "--today", TODAY, "-f", "md", "--since", "2022-10-01", data=history).stdout
    changes = text.split("## 上次例会以来（2022-10-01）")[1]
    assert "对比 2022-10-01 时的数据：提交" in changes
    assert "2022-09-30 17:00，办公室联络员：9 月底的进展" in changes
    assert "其后 1 次提交" in changes
    assert "| 20 | 优化政务公开标准化规范化工作 | 就业培训科 | 进行中 | 已完成 | 2022-10-05 | 培训科联络员 |" in changes
    assert "任务 21「优化政务公开标准化规范化工作」· 人才开发科：区里的模板已下发，本周恢复（2022-09-30，人才科联络员）" in changes
    assert "修改任务 30「强化工作监督考核」：任务名称：强化工作监督 → 强化工作监督考核" in changes


@needs_git
def test_since_a_revision_and_uncommitted_changes(gkplan: Runner, history: Path) -> None:
    tasks = history / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("name: 加强队伍建设", "name: 加强队伍建设培训", 1), encoding="utf-8")
    text = gkplan("report", "--today", TODAY, "-f", "md", "--since", "HEAD~1", data=history).stdout
    assert "## 上次例会以来（HEAD~1）" in text
    assert "另有未提交的修改（已计入）" in text
    assert "「加强队伍建设培训」：任务名称：加强队伍建设 → 加强队伍建设培训" in text
    same = gkplan("report", "--today", TODAY, "-f", "md", "--since", "HEAD", data=history).stdout
    assert "「加强队伍建设培训」：任务名称" in same
    assert "进展变化" not in same  # the committed changes are before HEAD


@needs_git
def test_since_before_any_commit_and_unknown_revision(gkplan: Runner, history: Path) -> None:
    early = gkplan("report", "--today", TODAY, "-f", "md", "--since", "2022-01-01", data=history)
    assert early.exit_code == 0
    assert "2022-01-01 之前数据目录还没有提交记录，无从比较；本节从略。" in early.stdout
    bad = gkplan("report", "--today", TODAY, "--since", "no-such-tag", data=history)
    assert bad.exit_code == 2
    assert "不是日期，也不是 git 中的提交" in bad.stderr


def test_without_git_history_the_report_says_so(gkplan: Runner, example: Path) -> None:
    result = gkplan("report", "--today", TODAY, "-f", "md", "--since", "2022-10-01", data=example)
    assert result.exit_code == 0
    assert "## 上次例会以来\n\n无法读取修改历史：数据目录不在 git 仓库中；本节从略。" in result.stdout


# --- office rules: settings.yaml --------------------------------------------------------------


def write_settings(folder: Path, text: str) -> None:
    (folder / "settings.yaml").write_text(text, encoding="utf-8")


def test_warn_days_come_from_settings_and_options_win(gkplan: Runner, example: Path) -> None:
    write_settings(example, "warn_days: 14\n")
    assert "## 14 天内到期（0 项）" in gkplan("report", "--today", TODAY, "-f", "md", data=example).stdout
    assert "## 30 天内到期（2 项）" in gkplan("report", "--today", TODAY, "-f", "md", "--warn-days", "30", data=example).stdout
    due = gkplan("due", "--today", TODAY, data=example).stdout  # `due` defaults to the office's window too
    assert "14 天内没有到期的任务" in due


def test_blue_yellow_red_scheme(gkplan: Runner, example: Path) -> None:
    write_settings(example, "lights: 蓝黄红\n")
    text = gkplan("report", "--today", TODAY, "-f", "md", data=example).stdout
    assert "配色：蓝黄红" in text
    assert "| 蓝 | 局办公室 |" in text
    assert "| 绿 |" not in text
    listing = gkplan("list", "--today", TODAY, "--unit", "局办公室", data=example).stdout
    assert re.search(r"^蓝\s+1\s", listing, re.M)


def test_stale_rule_for_continuing_duties(gkplan: Runner, example: Path) -> None:
    text = gkplan("report", "--today", TODAY, "-f", "md", data=example).stdout  # stale_weeks: 8
    stale = text.split("## 持续性任务 8 周以上无进展（5 项）")[1].split("##")[0]
    assert "| 7 | 做好信息公开平台维护 | 人才服务中心（2022-07-08） |" in stale
    assert "| 3 | 加强历史公文转化公开 | 高服中心（从未登记） |" in stale
    shown = gkplan("show", "7", "--today", TODAY, data=example).stdout
    assert "久无进展" in shown
    write_settings(example, "stale_weeks: 0\n")
    assert "久无进展" not in gkplan("report", "--today", TODAY, "-f", "md", data=example).stdout
    assert "持续性任务 20 周" in gkplan("report", "--today", TODAY, "-f", "md", "--stale-weeks", "20", data=example).stdout


def test_bad_settings_stop_reports_with_file_and_line(gkplan: Runner, example: Path) -> None:
    write_settings(example, "# 报表规则\nwarn_days: 两周\nlights: 彩虹\n")
    result = gkplan("report", "--today", TODAY, data=example)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "settings.yaml:2:1: 报表规则文件有误：warn_days 应是 0 到 366 的整数（现为「两周」）" in result.stderr
    assert "共 2 处错误" in result.stderr
    assert "Traceback" not in result.stderr
    assert gkplan("list", "--today", TODAY, data=example).exit_code == 3
    check = gkplan("check", data=example)
    assert check.exit_code == 1
    assert "settings.yaml:3:1: 错误 bad-setting: lights「彩虹」不是可用的配色" in check.stdout
    write_settings(example, "warn_days: [1\n")
    broken = gkplan("report", "--today", TODAY, data=example)
    assert broken.exit_code == 3
    assert "settings.yaml:1:" in broken.stderr
    assert "YAML 格式错误" in broken.stderr


def test_unknown_setting_is_named_with_a_suggestion(gkplan: Runner, example: Path) -> None:
    write_settings(example, "warn_day: 10\n")
    result = gkplan("report", "--today", TODAY, data=example)
    assert result.exit_code == 3
    assert "未知字段「warn_day」" in result.stderr
    assert "warn_days" in result.stderr


def test_progress_commands_still_work_with_bad_settings(gkplan: Runner, example: Path) -> None:
    write_settings(example, "warn_days: -1\n")
    assert gkplan("done", "20", "--unit", "就业培训科", "--by", "培训科联络员", "--today", TODAY, data=example).exit_code == 0


def test_example_data_passes_check(gkplan: Runner, example: Path) -> None:
    result = gkplan("check", "--strict", data=example)
    assert result.exit_code == 0, result.stdout
    assert "3 个文件" in result.stdout  # tasks.yaml, units.yaml and settings.yaml


def test_settings_schema_fits_the_example_and_refuses_bad_values() -> None:
    import json

    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads((EXAMPLES.parent / "schemas" / "settings.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(EXAMPLE_DATA.joinpath("settings.yaml").read_text(encoding="utf-8")))) == []
    for bad in ({"warn_days": -1}, {"lights": "彩虹"}, {"stale_weeks": "8"}, {"warn_day": 3}):
        assert list(validator.iter_errors(bad)), bad


def test_reports_do_not_import_their_heavy_libraries_at_start_up() -> None:
    heavy = ("openpyxl", "icalendar", "gkplan.report", "gkplan.store.history")
    code = f"import sys, gkplan.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- Excel -------------------------------------------------------------------------------------


def test_xlsx_reads_back(gkplan: Runner, example: Path, tmp_path: Path) -> None:

    from openpyxl import load_workbook

    target = tmp_path / "例会.xlsx"
    assert gkplan("report", "--today", TODAY, "-o", str(target), data=example).exit_code == 0
    book = load_workbook(target)
    assert book.sheetnames == ["任务", "各单位", "说明"]  # no 变化 sheet: no git history here
    tasks = book["任务"]
    headers = [c.value for c in tasks[1]]
    assert headers[:4] == ["灯", "序号", "章节", "任务名称"]
    assert tasks.freeze_panes == "A2"
    assert tasks.auto_filter.ref == f"A1:M{tasks.max_row}"
    assert tasks.max_row == 33  # 32 tasks
    rows = {row[1].value: row for row in tasks.iter_rows(min_row=2)}
    late = rows[2]
    assert late[0].value == "红"
    assert late[0].fill.fgColor.rgb.endswith("F8D0CD")
    due = late[headers.index("截止日期")]
    assert isinstance(due.value, datetime)
    assert due.value.date() == date(2022, 9, 30)
    assert due.number_format == "yyyy-mm-dd"
    assert late[headers.index("剩余天数")].value == -8
    assert rows[20][0].value == "黄"
    assert rows[20][0].fill.fgColor.rgb.endswith("FCEBB0")
    assert tasks.column_dimensions["D"].width >= 20  # 任务名称 fits Chinese text (2 cells per character)
    units = book["各单位"]
    assert units.freeze_panes == "A2"
    assert units.auto_filter.ref is not None
    by_unit = {row[1].value: row for row in units.iter_rows(min_row=2)}
    office = by_unit["局办公室"]
    assert [c.value for c in office[:5]] == ["绿", "局办公室", "局机关科室", 28, 5]
    assert office[-1].number_format == "0%"
    assert abs(office[-1].value - 5 / 28) < 1e-9
    assert by_unit["人才服务中心"][0].value == "红"


@needs_git
def test_xlsx_has_a_changes_sheet_with_history(gkplan: Runner, history: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "例会.xlsx"
    assert gkplan("report", "--today", TODAY, "--since", "2022-10-01", "-o", str(target), data=history).exit_code == 0
    sheet = load_workbook(target)["变化"]
    kinds = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert kinds == ["进展", "说明", "计划修改"]
    assert isinstance(sheet["G2"].value, datetime)


def test_readme_report_excerpt_is_real_output(gkplan: Runner, example: Path) -> None:
    """The README's Markdown excerpt is a verbatim slice of the report on the example data."""
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- report-excerpt: (?P<cmd>[^\n]+?) -->\n```markdown\n(?P<out>.*?)```", readme, re.S)
    assert found, "README lost its report excerpt"
    args = found.group("cmd").split()
    assert args[:2] == ["gkplan", "report"]
    args[args.index("--data") + 1] = str(example)
    result = gkplan(*args[1:])
    assert result.exit_code == 0
    assert found.group("out") in result.stdout, "README excerpt differs from `gkplan report`: copy the new output in"
    assert "## 逾期任务" in found.group("out")


def test_every_format_follows_the_one_section_order(example: Path) -> None:
    """Text, Markdown, HTML and the workbook's sheets come from ``report.SECTION_ORDER``."""
    from openpyxl import load_workbook

    from gkplan.query import EVERYONE
    from gkplan.render.report_html import render_html
    from gkplan.render.report_text import render_markdown, section_title
    from gkplan.render.report_xlsx import render_xlsx
    from gkplan.report import ReportSection, build_report
    from gkplan.store import load_workspace

    workspace = load_workspace(example)
    report = build_report(workspace.plans, date(2022, 10, 8), workspace.settings, EVERYONE)
    assert report.sections == tuple(ReportSection)  # the example data has a blocked task, stale_weeks and a note
    titles = [section_title(report, s) for s in report.sections]
    assert [line[3:] for line in render_markdown(report).splitlines() if line.startswith("## ")] == titles
    html_titles = re.findall(r"<section[^>]*>(?:<h2>([^<]*)</h2>)?", render_html(report))
    assert [t for t in html_titles if t] == titles[1:-1]  # 概况: cards named by aria-label; 注: in the footer
    sheets = load_workbook(io.BytesIO(render_xlsx(report))).sheetnames
    assert sheets == ["任务", section_title(report, ReportSection.UNITS), "说明"]


def test_list_and_report_show_the_same_deadline_notes(example: Path, gkplan: Runner) -> None:
    """Two copies of the footnote rule once disagreed: the report also footnoted every
    recurring duty's occurrences and skipped words; now both show assumed or unknown dates."""
    tasks = example / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    text = text.replace("deadline: 10月底前", "deadline: 10月底前完成报送", 1)  # a skipped word
    tasks.write_text(text.replace("deadline: 11月底前", "deadline: 每季度", 1), encoding="utf-8")  # a recurring duty
    listed = gkplan("list", "--data", str(example), "--today", "2022-10-08", "-f", "md").stdout
    report = gkplan("report", "--data", str(example), "--today", "2022-10-08", "-f", "md", "--since", "HEAD").stdout
    list_notes = {line.removeprefix("注：") for line in listed.splitlines() if line.startswith("注：")}
    report_notes = {line.removeprefix("- ") for line in report.split("## 注", 1)[1].splitlines() if line.startswith("- ")}
    assert list_notes == report_notes
    assert any("计划未写时间节点" in note for note in list_notes)
    assert not any("共 4 次" in note or "未参与计算" in note for note in list_notes)
