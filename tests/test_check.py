"""gkplan check: every message at its exact line, every output format, exit codes, suppression."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gkplan.errors import Severity
from gkplan.validate import check_data, validate
from tests.conftest import REPO, Runner
from tests.conftest import SMALL_UNITS as UNITS

README = REPO / "README.md"


HEAD = """plan:
  title: 测试计划
  year: 2022
sections:
  - code: 一
    title: 基础工作
  - code: 一（一）
    title: 公文公开
tasks:
"""  # tasks start on line 10


def task(id_: int, *, units: str = "      - 局机关各科室\n      - 局属各单位\n", extra: str = "", deadline: str = "9月底前") -> str:
    return (
        f"  - id: {id_}\n    section: 一（一）\n    name: 任务{id_}\n    content: 内容{id_}。\n    units:\n{units}"
        + (f"    deadline: {deadline}\n" if deadline else "")
        + extra
    )


def write(root: Path, tasks: str | None = None, units: str = UNITS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.yaml").write_text(tasks if tasks is not None else HEAD + task(1), encoding="utf-8")
    (root / "units.yaml").write_text(units, encoding="utf-8")
    return root


def found(root: Path) -> list[tuple[str, int, int, str, str]]:
    """(file name, line, col, severity, code) of every problem."""
    return [(Path(p.path).name, p.line, p.col, p.severity.value, p.code) for p in validate(root)]


def one(root: Path, code: str) -> tuple[int, int, str, str]:
    matches = [p for p in validate(root) if p.code == code]
    assert len(matches) == 1, [str(p) for p in validate(root)]
    return matches[0].line, matches[0].col, matches[0].message, matches[0].hint


# ---- a clean folder ----------------------------------------------------------------------


def test_clean_data_has_no_problems(tmp_path: Path) -> None:
    assert validate(write(tmp_path / "data")) == []


def test_shipped_data_passes_even_strict(gkplan: Runner) -> None:
    result = gkplan("check", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "检查通过：2 个文件，32 项任务，7 个单位，没有发现问题；按注释忽略 1 条警告。\n"
    assert result.stderr == ""


# ---- errors from the reader and the builder, with exact lines ------------------------------


def test_unknown_unit_points_at_the_list_item_and_suggests(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, units="      - 局办公室\n      - 就业陪训科\n"))
    line, col, message, hint = one(root, "unknown-unit")
    assert (line, col) == (16, 9)
    assert "「就业陪训科」" in message
    assert "就业培训科" in hint


def test_unknown_unit_after_a_skipped_item_keeps_its_own_line(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, units="      - 123\n      - 就业陪训科\n"))
    assert ("tasks.yaml", 15, 9, "error", "wrong-type") in found(root)
    assert ("tasks.yaml", 16, 9, "error", "unknown-unit") in found(root)


def test_unreadable_deadline(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, deadline="十月下旬前后"))
    line, col, message, hint = one(root, "bad-deadline")
    assert (line, col) == (17, 5)
    assert message.startswith("任务 1 的时间节点「十月下旬前后」无法识别：")
    assert "「下旬前」" in message  # the engine says which words it will not guess at
    assert "10月20日前" in hint
    assert "gkplan date" in hint


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, extra="    deadline: 全年\n"))
    line, col, message, _ = one(root, "duplicate-key")
    assert (line, col) == (18, 5)
    assert "第 17 行已有" in message


def test_duplicate_and_bad_ids(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1) + task(1) + task(2).replace("id: 2", 'id: "2"') + task(3).replace("id: 3", "id: 0"))
    assert ("tasks.yaml", 18, 5, "error", "duplicate-id") in found(root)
    assert [(line, code) for _, line, _, _, code in found(root) if code == "bad-id"] == [(26, "bad-id"), (34, "bad-id")]


def test_not_responsible_and_verified_not_done(tmp_path: Path) -> None:
    extra = "    progress:\n      就业促进中心: done\n      就业培训科: {status: finished}\n    verified: {date: 2022-10-01}\n"
    root = write(tmp_path / "data", HEAD + task(1, units="      - 局办公室\n      - 就业培训科\n", extra=extra))
    problems = found(root)
    assert ("tasks.yaml", 19, 7, "error", "not-responsible") in problems
    assert ("tasks.yaml", 20, 15, "error", "bad-status") in problems
    assert ("tasks.yaml", 21, 5, "error", "verified-not-done") in problems


def test_progress_shorthand_with_a_bad_status_points_at_its_line(tmp_path: Path) -> None:
    extra = "    progress:\n      局办公室: finished\n"
    root = write(tmp_path / "data", HEAD + task(1, units="      - 局办公室\n", extra=extra))
    assert [p for p in found(root) if p[3] == "error"] == [("tasks.yaml", 18, 7, "error", "bad-status")]


def test_bad_dates(tmp_path: Path) -> None:
    head = HEAD.replace("  year: 2022\n", "  year: 2022\n  issued: 2022-02-30\n")
    root = write(tmp_path / "data", head + task(1, extra="    anchor: 2022-13-01\n"))
    assert [(line, code) for _, line, _, _, code in found(root)] == [(4, "bad-date"), (19, "bad-date")]


def test_unknown_fields_suggest_the_near_miss_and_the_english_name(tmp_path: Path) -> None:
    misspelt = task(1, deadline="").replace("    content:", "    dedline: 9月底前\n    任务内容: 内容。\n    content:")
    root = write(tmp_path / "data", HEAD + misspelt)
    problems = [p for p in validate(root) if p.code == "unknown-field"]
    assert [(p.line, p.hint) for p in problems] == [(13, "是不是「deadline」？"), (14, "字段名请用英文：「任务内容」应写作「content」")]


def test_missing_and_empty_fields(tmp_path: Path) -> None:
    text = HEAD + "  - id: 1\n    name: 任务一\n    content:\n    units: []\n    deadline: 全年\n"
    root = write(tmp_path / "data", text)
    problems = found(root)
    assert ("tasks.yaml", 12, 5, "error", "empty-field") in problems  # content:
    assert ("tasks.yaml", 13, 5, "error", "empty-field") in problems  # units: []
    root2 = write(tmp_path / "data2", HEAD + "  - id: 1\n    name: 任务一\n    deadline: 全年\n")
    assert [(line, code) for _, line, _, _, code in found(root2) if code == "missing-field"] == [(10, "missing-field")] * 2


def test_units_file_problems(tmp_path: Path) -> None:
    units = UNITS + "  局机关全体: {members: [局办公室, 人才科]}\n  办公室: {kind: 局机关科室}\n"
    root = write(tmp_path / "data", units=units)
    problems = found(root)
    assert ("units.yaml", 8, 27, "error", "unknown-member") in problems
    assert ("units.yaml", 9, 3, "error", "duplicate-unit") in problems


def test_unknown_section_and_wrong_types(tmp_path: Path) -> None:
    text = HEAD.replace("  year: 2022\n", "  year: 二〇二二\n") + task(1).replace("section: 一（一）", "section: 五（一）")
    problems = found(write(tmp_path / "data", text))
    assert ("tasks.yaml", 3, 3, "error", "bad-year") in problems
    assert ("tasks.yaml", 11, 5, "error", "unknown-section") in problems


# ---- fatal read errors become problems, and the other file is still checked --------------


def test_yaml_syntax_error_is_located_and_units_are_still_checked(tmp_path: Path) -> None:
    text = HEAD + task(1).replace("    name: 任务1\n", "    name: 任务1\n    content 少了冒号\n")
    root = write(tmp_path / "data", text, units=UNITS + "  局机关全体: {members: [人才科]}\n")
    problems = validate(root)
    located = [(Path(p.path).name, p.line, p.code) for p in problems]
    assert located == [("tasks.yaml", 14, "yaml-syntax"), ("units.yaml", 8, "unknown-member")]
    assert "缺少冒号" in problems[0].message or "缩进" in problems[0].message


def test_tab_indentation(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1).replace("    deadline:", "\tdeadline:"))
    assert found(root) == [("tasks.yaml", 17, 1, "error", "tab")]


def test_unclosed_quote_points_at_where_it_opened(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1).replace("content: 内容1。", 'content: "内容1。') + task(2))
    [problem] = validate(root)
    assert (problem.line, problem.col, problem.code) == (13, 14, "yaml-syntax")
    assert "引号没有闭合" in problem.message


def test_gbk_file_is_reported_and_units_still_checked(tmp_path: Path) -> None:
    root = write(tmp_path / "data")
    (root / "tasks.yaml").write_bytes((HEAD + task(1)).encode("gbk"))
    [problem] = validate(root)
    assert (problem.line, problem.col, problem.code) == (2, 10, "encoding")
    assert "GBK/GB18030" in problem.message
    assert "请另存为 UTF-8" in problem.hint


def test_unreadable_units_file_does_not_flood_the_plan_with_unknown_units(tmp_path: Path) -> None:
    root = write(tmp_path / "data", units="units: [\n")
    assert [code for *_, code in found(root)] == ["yaml-syntax"]


def test_missing_units_file(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "tasks.yaml").write_text(HEAD + task(1), encoding="utf-8")
    assert found(root) == [("tasks.yaml", 0, 0, "error", "no-units")]


def test_empty_and_list_files(tmp_path: Path) -> None:
    root = write(tmp_path / "data", tasks="", units="- 局办公室\n")
    assert found(root) == [("tasks.yaml", 1, 1, "error", "empty-file"), ("units.yaml", 1, 1, "error", "wrong-type")]


# ---- warnings only check reports ----------------------------------------------------------


def test_missing_deadline_is_a_warning_at_the_key_or_the_task(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, deadline="null") + task(2, deadline=""))
    assert found(root) == [("tasks.yaml", 17, 5, "warning", "missing-deadline"), ("tasks.yaml", 18, 5, "warning", "missing-deadline")]


def test_a_comment_silences_a_warning_but_never_an_error(tmp_path: Path) -> None:
    above = task(1, deadline="") + "    # 原表此栏空白，照录。\n    # gkplan: ignore[missing-deadline, unused-unit]\n    deadline: null\n"
    same_line = task(2, deadline="null  # gkplan: ignore[missing-deadline]")
    result = check_data(write(tmp_path / "data", HEAD + above + same_line))
    assert result.problems == []
    assert [(p.line, p.code) for p in result.suppressed] == [(19, "missing-deadline"), (27, "missing-deadline")]
    errors = write(tmp_path / "data2", HEAD + task(1, units="      - 人才科  # gkplan: ignore[unknown-unit]\n"))
    assert [p.code for p in validate(errors) if p.severity is Severity.ERROR] == ["unknown-unit"]


def test_unit_without_tasks(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1, units="      - 局办公室\n      - 就业促进中心\n"))
    assert found(root) == [("units.yaml", 3, 3, "warning", "unused-unit")]
    assert "就业培训科" in validate(root)[0].message


def test_pdf_artefacts_are_located_and_digit_spacing_is_not_flagged(tmp_path: Path) -> None:
    text = (
        HEAD
        + task(1).replace("content: 内容1。", "content: 在 8月开展 1次活动，，并作 为重点。")
        + task(2).replace("    content: 内容2。\n", "    content: 加强政务公开工作\n      统筹。进一步\u200b优化\n")
    )
    root = write(tmp_path / "data", text)
    problems = [p for p in validate(root) if p.code == "pdf-artefact"]
    assert [(p.line, p.col) for p in problems] == [(13, 25), (13, 28), (21, 21), (22, 13)]
    assert "「，，」" in problems[0].message
    assert "「作」和「为」之间有多余的空格" in problems[1].message
    assert "「作」和「统」之间断行" in problems[2].message  # a line break YAML folded into a space
    assert "U+200B" in problems[3].message
    assert all(p.severity is Severity.WARNING for p in problems)


def test_sections_warnings(tmp_path: Path) -> None:
    no_sections = "plan:\n  title: 测试计划\n  year: 2022\ntasks:\n" + task(1)
    assert found(write(tmp_path / "a", no_sections)) == [("tasks.yaml", 6, 5, "warning", "no-sections")]
    missing = HEAD + task(1).replace("    section: 一（一）\n", "")
    assert found(write(tmp_path / "b", missing)) == [("tasks.yaml", 10, 5, "warning", "missing-section")]


def test_repeated_units_and_copied_content(tmp_path: Path) -> None:
    units = "      - 局机关各科室\n      - 就业培训科\n      - 局属各单位\n      - 就业促进中心\n      - 就业促进中心\n"
    text = HEAD + task(1, units=units)
    text += task(2).replace("内容2。", "内容1。")
    problems = found(write(tmp_path / "data", text))
    assert problems == [
        ("tasks.yaml", 16, 9, "warning", "repeated-unit"),
        ("tasks.yaml", 18, 9, "warning", "repeated-unit"),
        ("tasks.yaml", 19, 9, "warning", "repeated-unit"),
        ("tasks.yaml", 24, 5, "warning", "duplicate-content"),
    ]


def test_problems_are_sorted_by_file_line_col(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(2, deadline="") + task(1, units="      - 人才科\n"), units=UNITS + "  x: 1\n")
    problems = validate(root)
    keys = [(p.path, p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    assert [p.code for p in problems] == ["missing-deadline", "unknown-unit", "wrong-type", "missing-field"]


# ---- the command ---------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    text = HEAD + task(1, units="      - 就业陪训科\n") + task(2, deadline="")
    return write(tmp_path / "broken", text)


def test_text_output_and_exit_code(gkplan: Runner, broken: Path) -> None:
    result = gkplan("check", "--data", str(broken))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(":15:9: 错误 unknown-unit: 任务 1 的责任单位「就业陪训科」不是已知的单位、简称或单位组；是不是：就业培训科？")
    assert ":17:5: 警告 missing-deadline: 任务 2 没有时间节点，gkplan 按 2022 年底计；请补上 deadline" in lines[1]
    assert lines[-1] == "检查未通过：1 处错误，1 处警告（2 个文件，2 项任务，3 个单位）。请按提示修正后再提交。"
    assert result.stderr == ""


def test_warnings_pass_unless_strict(gkplan: Runner, tmp_path: Path) -> None:
    every_unit = "      - 就业培训科\n      - 就业促进中心\n      - 局办公室\n"
    root = write(tmp_path / "w", HEAD + task(1, deadline="") + task(2, units=every_unit))
    relaxed = gkplan("check", "--data", str(root))
    assert relaxed.exit_code == 0
    assert relaxed.stdout.splitlines()[-1] == "检查通过，但有 1 处警告（2 个文件，2 项任务，3 个单位）。"
    strict = gkplan("check", "--data", str(root), "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1].startswith("检查未通过（--strict 时警告也算失败）")


def test_json_format(gkplan: Runner, broken: Path) -> None:
    result = gkplan("check", "--data", str(broken), "--format", "json")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    located = [(r["line"], r["col"], r["severity"], r["code"]) for r in records]
    assert located == [(15, 9, "error", "unknown-unit"), (17, 5, "warning", "missing-deadline")]
    assert set(records[0]) == {"path", "line", "col", "severity", "code", "message", "hint"}


def test_github_format(gkplan: Runner, broken: Path) -> None:
    result = gkplan("check", "--data", str(broken), "--format", "github")
    first, second, summary = result.stdout.splitlines()
    path = str(broken / "tasks.yaml").replace(":", "%3A").replace(",", "%2C")
    message = "任务 1 的责任单位「就业陪训科」不是已知的单位、简称或单位组；是不是：就业培训科？"
    assert first == f"::error file={path},line=15,col=9,title=unknown-unit::{message}"
    assert second.startswith(f"::warning file={path},line=17,col=5,title=missing-deadline::")
    assert summary.startswith("检查未通过")


def test_github_annotations_escape_newlines_and_percent(tmp_path: Path) -> None:
    from gkplan.errors import Problem
    from gkplan.render.check import github_annotation

    problem = Problem("a,b:c.yaml", 3, 0, Severity.ERROR, "x", "50% 完成\n第二行")
    assert github_annotation(problem) == "::error file=a%2Cb%3Ac.yaml,line=3,title=x::50%25 完成%0A第二行"
    assert github_annotation(Problem("t.yaml", 0, 0, Severity.WARNING, "too-big", "太大")) == "::warning file=t.yaml,title=too-big::太大"


def test_gitlab_code_quality_format(gkplan: Runner, broken: Path) -> None:
    result = gkplan("check", "--data", str(broken), "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("unknown-unit", "major", 15),
        ("missing-deadline", "minor", 17),
    ]
    assert all(set(i) == {"description", "check_name", "fingerprint", "severity", "location"} for i in issues)
    assert issues[0]["location"]["path"].endswith("tasks.yaml")
    assert issues[0]["description"].endswith("；是不是：就业培训科？")
    # Lines added above a problem move it but keep its fingerprint: GitLab does not call it new.
    tasks = broken / "tasks.yaml"
    tasks.write_text("# 新加的一行注释\n" + tasks.read_text(encoding="utf-8"), encoding="utf-8")
    moved = json.loads(gkplan("check", "--data", str(broken), "--format", "gitlab").stdout)
    assert [i["location"]["lines"]["begin"] for i in moved] == [16, 18]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_no_plan_file_is_a_problem_not_a_crash(gkplan: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "units.yaml").write_text(UNITS, encoding="utf-8")
    result = gkplan("check", "--data", str(empty))
    assert result.exit_code == 1
    assert "错误 no-plans: 数据目录里没有计划文件" in result.stdout


def test_missing_data_dir_is_a_usage_problem(gkplan: Runner, tmp_path: Path) -> None:
    result = gkplan("check", "--data", str(tmp_path / "nope"))
    assert result.exit_code == 3
    assert "数据目录不存在" in result.stderr


def test_check_leaves_the_files_untouched(gkplan: Runner, data_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    gkplan("check")
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


# ---- the README's five broken edits show real output ---------------------------------------

README_EXAMPLE = re.compile(r"<!-- check-example: (?P<name>[\w-]+) -->\n```text\n(?P<out>.*?)```", re.S)
TASK_20_UNITS = "      - 就业培训科\n      - 就业促进中心\n      - 社会保障服务中心\n"
EDITS: dict[str, tuple[str, str, str]] = {  # name -> (text to find in tasks.yaml, replacement, encoding)
    "typo": (TASK_20_UNITS, TASK_20_UNITS.replace("就业培训科", "就业陪训科"), "utf-8"),
    "deadline": ("    deadline: 10月底前\n\n  - id: 21", "    deadline: 视情况\n\n  - id: 21", "utf-8"),
    "duplicate-key": ("  - id: 20\n    section: 三（二）\n", "  - id: 20\n    section: 三（二）\n    deadline: 9月底前\n", "utf-8"),
    "gbk": ("", "", "gbk"),
    "not-responsible": (
        "      - 局办公室\n    deadline: 全年\n\n  - id: 2\n",
        "      - 局办公室\n    deadline: 全年\n    progress:\n      就业培训科: {status: done}\n\n  - id: 2\n",
        "utf-8",
    ),
}


def readme_examples() -> dict[str, str]:
    return {m.group("name"): m.group("out") for m in README_EXAMPLE.finditer(README.read_text(encoding="utf-8"))}


def test_readme_shows_every_example() -> None:
    assert sorted(readme_examples()) == sorted(EDITS)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_readme_example_output_is_real(name: str, data_dir: Path, gkplan: Runner, request: pytest.FixtureRequest) -> None:
    old, new, encoding = EDITS[name]
    tasks = data_dir / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    assert text.count(old) == 1 or not old
    tasks.write_bytes(text.replace(old, new).encode(encoding))
    result = gkplan("check")
    assert result.exit_code == 1
    assert result.stderr == ""
    shown = readme_examples()[name]
    if request.config.getoption("--update-golden"):
        block = f"<!-- check-example: {name} -->\n```text\n{shown}```"
        readme = README.read_text(encoding="utf-8")
        README.write_text(readme.replace(block, f"<!-- check-example: {name} -->\n```text\n{result.stdout}```"), encoding="utf-8")
        return
    assert result.stdout == shown


# ---- unchanged files: their checks come from the cache -------------------------------------


def test_unchanged_files_are_not_parsed_again_and_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    above = task(1, deadline="") + "    # gkplan: ignore[missing-deadline]\n    deadline: null\n"
    units = "      - 局机关各科室\n      - 就业培训科\n"
    root = write(tmp_path / "data", HEAD + above + task(2, units=units) + task(3, deadline="null"))
    first = check_data(root)
    assert [p.code for p in first.problems] == ["repeated-unit", "missing-deadline"]
    assert [p.code for p in first.suppressed] == ["missing-deadline"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tasks.yaml parsed again")

    with monkeypatch.context() as patched:
        patched.setattr("gkplan.store.build.build_plan", refuse)
        again = check_data(root)
    assert (again.problems, again.suppressed, again.files, again.tasks, again.units) == (
        first.problems,
        first.suppressed,
        first.files,
        first.tasks,
        first.units,
    )


def test_a_changed_file_is_checked_in_full(tmp_path: Path) -> None:
    root = write(tmp_path / "data", HEAD + task(1) + task(2))
    assert found(root) == []
    path = root / "tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("内容2。", "内容1。"), encoding="utf-8")
    assert found(root) == [("tasks.yaml", 21, 5, "warning", "duplicate-content")]


def test_units_change_invalidates_the_cached_checks(tmp_path: Path) -> None:
    alias = UNITS.replace("就业培训科: {kind: 局机关科室}", "就业培训科: {kind: 局机关科室, aliases: [培训科]}")
    separate = UNITS.replace("就业培训科: {kind: 局机关科室}", "就业培训科: {kind: 局机关科室}\n  培训科: {kind: 局机关科室}")
    assert alias != UNITS != separate
    root = write(tmp_path / "data", HEAD + task(1) + task(2, units="      - 就业培训科\n      - 培训科\n"), units=alias)
    assert found(root) == [("tasks.yaml", 24, 9, "warning", "repeated-unit")]  # one unit written twice: cached
    (root / "units.yaml").write_text(separate, encoding="utf-8")
    assert found(root) == []  # two units now: the cached warning no longer holds
    (root / "units.yaml").write_text(alias, encoding="utf-8")
    assert found(root) == [("tasks.yaml", 24, 9, "warning", "repeated-unit")]
