"""JSON Schemas for editors, pre-commit hook and CI examples: they fit the data and the loader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from gkplan.store import build
from gkplan.store.reader import LINES, parse_text
from tests.conftest import EXAMPLES, REPO, SHIPPED_DATA

SCHEMAS = REPO / "schemas"


def schema(name: str) -> Draft202012Validator:
    document = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def plain(value: Any) -> Any:
    """What an editor's YAML parser sees: the reader's data without its positions."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k != LINES}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def errors(name: str, text: str) -> list[str]:
    return [e.message for e in schema(name).iter_errors(plain(parse_text(text, "t.yaml").data))]


def data_files() -> list[Path]:
    files = sorted(SHIPPED_DATA.glob("*.yaml"))
    if EXAMPLES.is_dir():
        files += sorted(p for p in EXAMPLES.rglob("*.y*ml") if "ci" not in p.relative_to(EXAMPLES).parts and p.name != "settings.yaml")
    return files


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_and_example_data_fit_the_schemas(path: Path) -> None:
    name = "units" if path.name == "units.yaml" else "tasks"
    assert errors(name, path.read_text(encoding="utf-8-sig")) == []


def test_documented_progress_verified_and_anchor_fit() -> None:
    text = """plan: {title: 计划, year: 2022}
tasks:
  - id: 1
    name: 任务
    content: 内容。
    units: [局办公室, 就业培训科]
    deadline: 出台后10个工作日内
    anchor: 2022-09-28
    progress:
      局办公室: done
      就业培训科: {status: done, date: 2022-10-10, by: 张三, note: 已公开}
    verified: {date: 2022-10-12, by: 李四, note: 核销}
  - id: 2
    name: 任务二
    content: 内容二。
    units: [局办公室]
    deadline: null
    verified: true
"""
    assert errors("tasks", text) == []


ONE = "plan: {title: 计划, year: 2022}\ntasks:\n  - "


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (ONE + "{id: '1', name: a, content: b, units: [c]}\n", "is not of type 'integer'"),
        (ONE + "{id: 1, name: a, content: b, units: c}\n", "is not of type 'array'"),
        (ONE + "{id: 1, name: a, content: b, units: [c], dedline: 全年}\n", "'dedline' was unexpected"),
        (ONE + "{id: 1, name: a, content: b, units: [c], progress: {c: finished}}\n", "is not valid"),
        (ONE + "{id: 1, name: a, content: b, units: [c], anchor: 2022-9-1}\n", "does not match"),
        ("plan: {title: 计划}\ntasks: []\n", "'year' is a required property"),
    ],
)
def test_tasks_schema_rejects_what_check_rejects(text: str, words: str) -> None:
    assert any(words in message for message in errors("tasks", text)), errors("tasks", text)


def test_units_schema_rejects_a_group_without_members_or_kind() -> None:
    assert errors("units", "units:\n  局办公室: {kind: 局机关科室}\ngroups:\n  全体: {aliases: [所有]}\n")
    assert errors("units", "units:\n  局办公室: {kind: 局机关科室, alias: 办公室}\n")


def _properties(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


def test_schema_fields_are_the_builders_fields() -> None:
    tasks = json.loads((SCHEMAS / "tasks.schema.json").read_text(encoding="utf-8"))
    units = json.loads((SCHEMAS / "units.schema.json").read_text(encoding="utf-8"))
    assert _properties(tasks) == set(build.TASKS_TOP)
    assert _properties(tasks["properties"]["plan"]) == set(build.PLAN_FIELDS)
    assert _properties(tasks["properties"]["sections"]["items"]) == set(build.SECTION_FIELDS)
    assert _properties(tasks["$defs"]["task"]) == set(build.TASK_FIELDS)
    assert set(tasks["$defs"]["task"]["required"]) == set(build.TASK_REQUIRED)
    progress = tasks["$defs"]["task"]["properties"]["progress"]["additionalProperties"]["oneOf"][1]
    assert _properties(progress) == set(build.PROGRESS_FIELDS)
    assert _properties(tasks["$defs"]["task"]["properties"]["verified"]["oneOf"][1]) == set(build.VERIFIED_FIELDS)
    assert _properties(units) == set(build.UNITS_TOP)
    assert _properties(units["properties"]["units"]["additionalProperties"]) == set(build.UNIT_FIELDS)
    assert _properties(units["properties"]["groups"]["additionalProperties"]) == set(build.GROUP_FIELDS)


@pytest.mark.parametrize("name", ["tasks", "units"])
def test_data_files_name_their_schema_on_the_first_line(name: str) -> None:
    first = (SHIPPED_DATA / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schemas/{name}.schema.json"
    assert (SHIPPED_DATA / f"../schemas/{name}.schema.json").resolve().is_file()


def test_pre_commit_hook_runs_check_on_yaml_changes() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "gkplan-check"
    assert hook["entry"] == "gkplan check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("data/tasks.yaml")
    assert files.search("other/units.yml")
    assert not files.search("README.md")


def test_ci_examples_run_check_in_their_formats() -> None:
    github = yaml.safe_load((EXAMPLES / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["check"]["steps"]
    assert any(step.get("run") == "gkplan check --format github" for step in steps)
    assert "paths" not in (github[True].get("pull_request") or {})  # YAML 1.1 reads the key `on` as True
    gitlab = yaml.safe_load((EXAMPLES / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["gkplan-check"]
    assert "gkplan check --format gitlab > gl-code-quality-report.json || true" in job["script"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"
