"""store: safe reading with positions, and the model builder's problems (file, line, fix)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from gkplan.errors import DataError, Severity
from gkplan.store import load_workspace, plan_files, plan_files_in
from gkplan.store.reader import LINES, fields, parse_text, position, read_document, set_max_bytes
from tests.conftest import SHIPPED_DATA
from tests.conftest import SMALL_UNITS as UNITS

PLAN = """plan:
  title: 测试计划
  year: 2022
tasks:
  - id: 1
    name: 任务一
    content: 内容一
    units:
      - 局机关各科室
    deadline: 9月底前
"""


def write_data(root: Path, tasks: str = PLAN, units: str = UNITS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.yaml").write_text(tasks, encoding="utf-8")
    (root / "units.yaml").write_text(units, encoding="utf-8")
    return root


def test_positions_of_keys_and_items() -> None:
    doc = parse_text(PLAN, "t.yaml")
    task = doc.data["tasks"][0]
    assert position(task) == (5, 5)
    assert position(task, "deadline") == (10, 5)
    assert position(task, "units[0]") == (9, 9)
    assert fields(task) == ["id", "name", "content", "units", "deadline"]
    assert LINES not in fields(task)


def test_dates_stay_text_and_types_are_plain() -> None:
    doc = parse_text("a: 2022-05-25\nb: '2022-05-25'\nc: 12\nd: yes\ne: ~\nf: 1.5\n", "t.yaml")
    assert [doc.data[k] for k in "abcdef"] == ["2022-05-25", "2022-05-25", 12, True, None, 1.5]


def test_duplicate_key_is_a_problem_with_both_lines() -> None:
    doc = parse_text("a: 1\nb: 2\na: 3\n", "t.yaml")
    [problem] = doc.problems
    assert (problem.line, problem.col, problem.code) == (3, 1, "duplicate-key")
    assert "第 1 行" in problem.message


def test_aliases_are_refused() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a: &x [1, 2]\nb: *x\n", "t.yaml")
    assert "锚点" in str(caught.value)
    assert caught.value.where == "t.yaml:2:4"  # where the alias is used
    assert caught.value.code == "alias"


def test_python_tags_are_refused() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a: !!python/object/apply:os.system ['echo hi']\n", "t.yaml")
    assert "不支持的 YAML 标签" in str(caught.value)


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a: 1\nb: [1, 2\nc: 3\n", "t.yaml")
    assert caught.value.where.startswith("t.yaml:")
    assert "YAML 格式错误" in caught.value.message


def test_tab_indentation_is_explained() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a:\n\tb: 1\n", "t.yaml")
    assert "Tab" in str(caught.value)


def test_bom_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + PLAN.replace("\n", "\r\n").encode("utf-8"))
    doc = read_document(path)
    assert doc.has_bom
    assert doc.newline == "\r\n"
    assert doc.data["tasks"][0]["name"] == "任务一"


def test_gbk_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(PLAN.encode("gbk"))
    with pytest.raises(DataError) as caught:
        read_document(path)
    assert "GBK/GB18030" in caught.value.message
    assert "请另存为 UTF-8" in caught.value.hint
    assert caught.value.where.endswith("t.yaml:2:10")  # the first byte that is not UTF-8: 测 of "  title: 测试计划"


def test_oversized_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_max_bytes(100)
    path = tmp_path / "t.yaml"
    path.write_text(PLAN, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_document(path)
    assert "文件太大" in caught.value.message


def test_builder_reports_every_problem_with_line(tmp_path: Path) -> None:
    tasks = (
        PLAN
        + """  - id: 1
    name: 任务二
    content: 内容二
    units:
      - 就业陪训科
    deadline: 视情况
    progress:
      就业促进中心: {status: finished}
  - id: "3"
    name: 任务三
    content: 内容三
    units: [局办公室]
    anchor: 2022-02-30
    dedline: 8月
"""
    )
    workspace = load_workspace(write_data(tmp_path / "data", tasks))
    found = {(p.code, p.line) for p in workspace.problems}
    assert ("duplicate-id", 11) in found
    assert ("unknown-unit", 15) in found
    assert ("bad-deadline", 16) in found
    assert ("not-responsible", 18) in found
    assert ("bad-id", 19) in found
    assert all(p.path == "data/tasks.yaml" or p.path.endswith("tasks.yaml") for p in workspace.problems)
    unknown = next(p for p in workspace.problems if p.code == "unknown-unit")
    assert "就业培训科" in unknown.hint
    assert all(p.severity is Severity.ERROR for p in workspace.problems)
    # the good task is still usable
    assert [t.id for t in workspace.plans[0].tasks] == [1]


def test_unknown_field_suggests_the_near_miss(tmp_path: Path) -> None:
    tasks = PLAN.replace("    deadline: 9月底前\n", "    dedline: 9月底前\n")
    workspace = load_workspace(write_data(tmp_path / "data", tasks))
    problem = next(p for p in workspace.problems if p.code == "unknown-field")
    assert problem.line == 10
    assert "deadline" in problem.hint


def test_units_defined_twice(tmp_path: Path) -> None:
    units = UNITS + "  办公室: {members: [局办公室]}\n"
    workspace = load_workspace(write_data(tmp_path / "data", units=units))
    problem = next(p for p in workspace.problems if p.code == "duplicate-unit")
    assert problem.path.endswith("units.yaml")
    assert problem.line == 8


def test_plan_files_and_their_units(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_data(root)
    write_data(root / "bureau2")
    (root / "settings.yaml").write_text("warn_days: 7\n", encoding="utf-8")
    (root / ".hidden.yaml").write_text("x: 1\n", encoding="utf-8")
    found = [(p.relative_to(root).as_posix(), u.relative_to(root).as_posix() if u else None) for p, u in plan_files(root)]
    assert found == [("tasks.yaml", "units.yaml"), ("bureau2/tasks.yaml", "bureau2/units.yaml")]


def test_shipped_data_loads_cleanly() -> None:
    workspace = load_workspace(SHIPPED_DATA)
    assert workspace.problems == []
    assert len(workspace.tasks) == 32


def test_one_discovery_rule_for_a_folder_and_a_commits_tree(tmp_path: Path) -> None:
    """``store.plan_files`` (a folder) and ``plan_files_in`` (git's file list) once ordered
    plans differently (depth-first vs breadth-first): both are now the same rule."""
    root = tmp_path / "root"
    names = ("z.yaml", "a/b/deep.yml", "a/units.yaml", "a/x.yaml", "b.yaml", "_draft/d.yaml", ".git/g.yaml", "settings.yaml", "x.txt")
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x: 1\n", encoding="utf-8")
    from_folder = [(p.relative_to(root).as_posix(), u.relative_to(root).as_posix() if u else None) for p, u in plan_files(root)]
    assert from_folder == [("b.yaml", None), ("z.yaml", None), ("a/x.yaml", "a/units.yaml"), ("a/b/deep.yml", "a/units.yaml")]
    listing = [PurePosixPath("repo/data") / p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    listing.append(PurePosixPath("repo/other.yaml"))  # outside the data folder
    from_tree = [(p.as_posix(), u.as_posix() if u else None) for p, u in plan_files_in(listing, PurePosixPath("repo/data"))]
    assert from_tree == [(f"repo/data/{p}", f"repo/data/{u}" if u else None) for p, u in from_folder]
