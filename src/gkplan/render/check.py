"""``gkplan check`` output: text for people, annotations for CI, JSON for scripts.

Plain stdlib only, imported when used: ``cli`` imports this module for ``CheckFormat``
at start-up, and every command's start-up time counts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

from gkplan.errors import Problem, Severity

if TYPE_CHECKING:
    from gkplan.validate import Validation


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"  # GitHub Actions workflow commands: annotations on the pull request's files
    GITLAB = "gitlab"  # GitLab Code Quality report (artifacts: reports: codequality)


def print_check(out: TextIO, result: Validation, fmt: CheckFormat, *, strict: bool = False) -> None:
    from gkplan.textsafe import json_text, visible

    if fmt is CheckFormat.JSON:
        out.write(json_text([problem_record(p) for p in result.problems]) + "\n")
    elif fmt is CheckFormat.GITLAB:
        out.write(json_text(code_quality(result.problems)) + "\n")
    else:
        # One problem, one line: a value's line break or escape sequence is shown, so data can
        # never print a CI log command (``::error::``) or move the cursor. An annotation is a
        # command on purpose: its pieces are made safe inside ``github_annotation``.
        for problem in result.problems:
            out.write((github_annotation(problem) if fmt is CheckFormat.GITHUB else visible(str(problem))) + "\n")
        out.write(summary_line(result, strict=strict) + "\n")


def summary_line(result: Validation, *, strict: bool = False) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    scope = f"{len(result.files)} 个文件，{result.tasks} 项任务，{result.units} 个单位"
    silenced = f"；按注释忽略 {len(result.suppressed)} 条警告" if result.suppressed else ""
    if not errors and not warnings:
        return f"检查通过：{scope}，没有发现问题{silenced}。"
    counts = f"{errors} 处错误，{warnings} 处警告"
    if errors:
        return f"检查未通过：{counts}（{scope}）。请按提示修正后再提交。"
    if strict:
        return f"检查未通过（--strict 时警告也算失败）：{counts}（{scope}{silenced}）。"
    return f"检查通过，但有 {warnings} 处警告（{scope}{silenced}）。"


def problem_record(problem: Problem) -> dict[str, object]:
    return {
        "path": problem.path,
        "line": problem.line,
        "col": problem.col,
        "severity": problem.severity.value,
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
    }


def _text(problem: Problem) -> str:
    return f"{problem.message}；{problem.hint}" if problem.hint else problem.message


def escape_annotation_data(text: str) -> str:
    from gkplan.textsafe import printable

    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_annotation_property(text: str) -> str:
    return escape_annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """``::error file=…,line=…,col=…,title=code::message``, escaped as GitHub's runner expects."""
    level = "error" if problem.severity is Severity.ERROR else "warning"
    props = [f"file={escape_annotation_property(problem.path)}"]
    if problem.line:
        props.append(f"line={problem.line}")
        if problem.col:
            props.append(f"col={problem.col}")
    props.append(f"title={escape_annotation_property(problem.code)}")
    return f"::{level} {','.join(props)}::{escape_annotation_data(_text(problem))}"


def code_quality(problems: list[Problem]) -> list[dict[str, object]]:
    """GitLab Code Quality issues. The fingerprint leaves out the line, so an issue that only
    moved (lines added above it) is not shown as fixed-and-new in the merge request."""
    import hashlib

    issues: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for problem in problems:
        base = f"{problem.path}\0{problem.code}\0{problem.message}"
        seen[base] = seen.get(base, 0) + 1
        fingerprint = hashlib.sha256(f"{base}\0{seen[base]}".encode()).hexdigest()
        issues.append(
            {
                "description": _text(problem),
                "check_name": problem.code,
                "fingerprint": fingerprint,
                "severity": "major" if problem.severity is Severity.ERROR else "minor",
                "location": {"path": problem.path, "lines": {"begin": max(problem.line, 1)}},
            }
        )
    return issues
