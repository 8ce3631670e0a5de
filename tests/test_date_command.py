"""``gkplan date``: how a phrase is read, and what the data loader says about deadlines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from gkplan.deadlines import ACCEPTED_FORMS, occurrences, resolve_deadline
from gkplan.errors import DeadlineError, Severity
from gkplan.model import DeadlineKind
from gkplan.store import load_workspace
from tests.conftest import REPO, Runner

README = REPO / "README.md"


def run_json(gkplan: Runner, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = gkplan("date", *args, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_json_contract(gkplan: Runner) -> None:
    assert run_json(gkplan, "9月底前", "--year", "2022") == {
        "phrase": "9月底前",
        "kind": "by_date",
        "start": None,
        "due": "2022-09-30",
        "note": "",
        "leftover": "",
    }


def test_json_recurring_with_today_gives_the_next_due(gkplan: Runner) -> None:
    obj = run_json(gkplan, "每季度", "--year", "2022", "--today", "2022-10-08")
    assert obj["kind"] == "recurring"
    assert obj["next_due"] == "2022-12-31"
    assert obj["occurrences"] == ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"]


def test_json_recurring_without_today_has_no_next_due(gkplan: Runner) -> None:
    obj = run_json(gkplan, "每季度", "--year", "2022")
    assert "next_due" not in obj


def test_relative_from_an_anchor(gkplan: Runner) -> None:
    obj = run_json(gkplan, "出台后10个工作日内", "--from", "2022-09-28")
    assert (obj["kind"], obj["start"], obj["due"], obj["anchor"]) == (
        "relative",
        "2022-09-28",
        "2022-10-17",
        "2022-09-28",
    )


def test_relative_without_an_anchor_waits(gkplan: Runner) -> None:
    obj = run_json(gkplan, "出台后10个工作日内", "--year", "2022")
    assert (obj["kind"], obj["due"], obj["anchor"]) == ("relative", None, None)
    assert "等待触发" in str(obj["note"])


def test_leftover_is_reported(gkplan: Runner) -> None:
    obj = run_json(gkplan, "9月底前完成报送", "--year", "2022")
    assert obj["leftover"] == "报送"
    assert "「报送」" in str(obj["note"])


def test_filler_words_are_not_reported(gkplan: Runner) -> None:
    """完成、原则上 … only restate that the date is a deadline (deadlines.FILLER_WORDS)."""
    obj = run_json(gkplan, "原则上9月底前完成", "--year", "2022")
    assert (obj["due"], obj["leftover"], obj["note"]) == ("2022-09-30", "", "")


def test_a_word_that_may_change_the_dates_is_refused_and_quoted(gkplan: Runner) -> None:
    result = gkplan("date", "2023年下半年起施行", "--year", "2023")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "无法识别时间节点「2023年下半年起施行」：其中的「施行」不是可识别的时间用语" in result.stderr
    assert ACCEPTED_FORMS in result.stderr


def test_json_count_is_kept(gkplan: Runner) -> None:
    obj = run_json(gkplan, "每季度组织一次", "--year", "2024", "--today", "2024-05-01")
    assert obj["count"] == 1
    assert obj["occurrences"] == ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
    assert obj["next_due"] == "2024-06-30"
    yearly = run_json(gkplan, "全年至少2次", "--year", "2022")
    assert (yearly["kind"], yearly["due"], yearly["count"]) == ("ongoing", "2022-12-31", 2)
    assert "count" not in run_json(gkplan, "每季度", "--year", "2022")


def test_table_shows_the_count(gkplan: Runner) -> None:
    result = gkplan("date", "每半年不少于1次", "--year", "2023")
    assert result.exit_code == 0
    assert "次数　　：每期至少 1 次" in result.stdout.splitlines()


def test_json_previous_period_report_falls_due_after_the_plan_year(gkplan: Runner) -> None:
    obj = run_json(gkplan, "次月5日前", "--year", "2023", "--today", "2023-12-20")
    assert obj["kind"] == "recurring"
    occurrences = obj["occurrences"]
    assert isinstance(occurrences, list)
    assert (len(occurrences), occurrences[0], occurrences[-1]) == (12, "2023-02-05", "2024-01-05")
    assert obj["next_due"] == "2024-01-05"  # December's report
    assert obj["due"] == "2024-01-05"


def test_json_weekly_next_due(gkplan: Runner) -> None:
    obj = run_json(gkplan, "每周五前", "--year", "2024", "--today", "2024-10-08")
    assert obj["next_due"] == "2024-10-11"
    occurrences = obj["occurrences"]
    assert isinstance(occurrences, list)
    assert len(occurrences) == 52


def test_json_relative_with_zhi_ri_qi_in_traditional_characters(gkplan: Runner) -> None:
    obj = run_json(gkplan, "發文之日起10個工作日內", "--from", "2022-09-28")
    assert (obj["kind"], obj["start"], obj["due"]) == ("relative", "2022-09-28", "2022-10-17")


def test_year_defaults_to_the_year_of_today(gkplan: Runner) -> None:
    assert run_json(gkplan, "9月底前", "--today", "2023-05-01")["due"] == "2023-09-30"
    assert run_json(gkplan, "9月底前", env={"GKPLAN_TODAY": "2024-01-15"})["due"] == "2024-09-30"
    assert run_json(gkplan, "9月底前", "--year", "2025", "--today", "2023-05-01")["due"] == "2025-09-30"


def test_table_output(gkplan: Runner) -> None:
    result = gkplan("date", "2月底", "--year", "2024")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "时间节点：2月底",
        "计划年度：2024",
        "类型　　：限期（by_date）",
        "截止　　：2024-02-29",
    ]


def test_unknown_phrase_exits_2_and_lists_the_accepted_forms(gkplan: Runner) -> None:
    result = gkplan("date", "下个阶段", "--year", "2022")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "无法识别时间节点「下个阶段」" in result.stderr
    assert ACCEPTED_FORMS in result.stderr


def test_ambiguous_phrase_exits_2_with_the_reason(gkplan: Runner) -> None:
    result = gkplan("date", "9月份前", "--year", "2022")
    assert result.exit_code == 2
    assert "可理解为上月底前，也可理解为该月底前" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_anchor_is_a_usage_error(gkplan: Runner) -> None:
    result = gkplan("date", "10个工作日内", "--from", "2022-13-01")
    assert result.exit_code == 2
    assert "--from" in result.stderr


def test_readme_refusal_example_is_real(gkplan: Runner) -> None:
    """The README shows the message for 9月份前; keep it true."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- refusal: (?P<cmd>[^\n]+?) -->\n```text\n(?P<out>.*?)```", text, re.S)
    assert match, "README lost its refusal example"
    args = match.group("cmd").split()[2:]  # after "gkplan date"
    result = gkplan("date", *args)
    assert result.exit_code == 2
    assert result.stderr == match.group("out").split("\n", 1)[1]


# --- the README's grammar table holds real results -----------------------------------------------

ROW = re.compile(r"^\| `(?P<phrase>[^`]*)` \| (?P<meaning>[^|]*) \| (?P<result>[^|]*) \|$", re.M)


def readme_rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- deadline-table -->")
    end = text.index("<!-- /deadline-table -->")
    return [(m.group("phrase"), m.group("result").strip()) for m in ROW.finditer(text[start:end])]


def describe(phrase: str, anchor: date | None) -> str:
    """How the README writes a result for plan year 2022."""
    try:
        got = resolve_deadline(phrase, 2022, anchor=anchor)
    except DeadlineError as exc:
        return f"拒绝：{exc.reason}"
    kind = got.kind.value
    if got.kind is DeadlineKind.RECURRING:
        dues = occurrences(got)
        return f"{kind}，{len(dues)} 次，首次 {dues[0].due}，末次 {dues[-1].due}"
    if got.kind is DeadlineKind.RELATIVE:
        if got.due is None:
            return f"{kind}，等待触发"
        return f"{kind}，起算日 {anchor}，截止 {got.due}"
    if got.start is None:
        return f"{kind}，截止 {got.due}"
    return f"{kind}，{got.start} 至 {got.due}"


def test_readme_grammar_table_is_real() -> None:
    rows = readme_rows()
    assert len(rows) >= 30
    for phrase, shown in rows:
        anchor_text = re.search(r"起算日 (\d{4}-\d{2}-\d{2})", shown)
        anchor = date.fromisoformat(anchor_text.group(1)) if anchor_text else None
        actual = describe(phrase, anchor)
        if shown == "拒绝":
            assert actual.startswith("拒绝："), phrase
        else:
            assert actual == shown, phrase


# --- what the loader reports -----------------------------------------------------------------------


def set_deadline(data_dir: Path, task_id: int, new: str) -> int:
    """Rewrite one task's deadline line in the copied plan; return its line number."""
    path = data_dir / "tasks.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - id: {task_id}")
    for index in range(start, len(lines)):
        if lines[index].startswith("    deadline:"):
            lines[index] = f"    deadline: {new}"
            path.write_text("\n".join(lines), encoding="utf-8")
            return index + 1
    raise AssertionError(f"task {task_id} has no deadline line")


def test_loader_warns_about_leftover_and_refuses_unreadable(data_dir: Path) -> None:
    leftover_line = set_deadline(data_dir, 2, "9月底前完成报送")
    bad_line = set_deadline(data_dir, 3, "国庆节前")
    set_deadline(data_dir, 4, "出台后10个工作日内")
    problems = {p.code: p for p in load_workspace(data_dir).problems}
    assert set(problems) == {"deadline-leftover", "bad-deadline"}
    warning = problems["deadline-leftover"]
    assert (warning.severity, warning.line) == (Severity.WARNING, leftover_line)
    assert "「报送」" in warning.message
    error = problems["bad-deadline"]
    assert (error.severity, error.line) == (Severity.ERROR, bad_line)
    assert "国庆节前" in error.message
    assert error.hint


def test_reports_keep_working_around_an_unreadable_deadline(gkplan: Runner, data_dir: Path) -> None:
    set_deadline(data_dir, 2, "视情况")
    result = gkplan("overdue", "--today", "2022-10-08", "--format", "json")
    assert result.exit_code == 5  # printed, but marked incomplete (ExitCode.INCOMPLETE)
    assert [row["id"] for row in json.loads(result.stdout)] == [24]
    assert "数据有 1 处错误" in result.stderr


def test_check_reports_a_refused_phrase_at_its_line(data_dir: Path) -> None:
    """The real process: ``gkplan check`` names file:line of a phrase the engine refuses."""
    line = set_deadline(data_dir, 3, "2023年下半年起施行")
    set_deadline(data_dir, 4, "每季度第二个月的十日前")  # read: no problem
    set_deadline(data_dir, 5, "原则上9月底前完成")  # filler only: no problem
    result = subprocess.run(
        [sys.executable, "-c", "from gkplan.cli import main; main()", "check", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    problems = [row for row in result.stdout.splitlines() if "bad-deadline" in row or "deadline-leftover" in row]
    assert len(problems) == 1, result.stdout
    assert problems[0].startswith(f"data/tasks.yaml:{line}:5: 错误 bad-deadline: ")  # relative to the working directory
    assert "「2023年下半年起施行」无法识别" in problems[0]
    assert "「施行」" in problems[0]


def test_a_daily_duty_shows_its_first_and_last_dates_and_json_keeps_every_one(gkplan: Runner) -> None:
    shown = gkplan("date", "每个工作日", "--year", "2023")
    assert shown.exit_code == 0
    line = next(text for text in shown.stdout.splitlines() if text.startswith("各期截止"))
    assert "2023-01-03、" in line  # 2023-01-02 is the New Year holiday
    assert "2023-12-29（共 249 期，全部见 --format json）" in line
    assert len(run_json(gkplan, "每个工作日", "--year", "2023")["occurrences"]) == 249  # type: ignore[arg-type]
