"""What ``gkplan collect`` prints: one line per change (as ``done`` prints it), or the diff of a dry run."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Protocol

from gkplan.model import Task
from gkplan.updates import Edit, Request, describe


class AppliedStep(Protocol):
    """One change as the writer applied it (``store.writer.Step``); renderers take data, not the store."""

    @property
    def before(self) -> Task: ...
    @property
    def after(self) -> Task: ...
    @property
    def edit(self) -> Edit: ...
    @property
    def request(self) -> Request: ...
    @property
    def key(self) -> str: ...
    @property
    def changed(self) -> bool: ...


class ChangedFile(Protocol):
    """One plan file's text before and after (``store.writer.FileResult``)."""

    @property
    def steps(self) -> Sequence[AppliedStep]: ...
    @property
    def original(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def changed(self) -> bool: ...


def change_lines(results: Sequence[ChangedFile]) -> list[str]:
    return [
        describe(step.before, step.after, step.edit, step.request, step.key, changed=step.changed)
        for result in results
        for step in result.steps
    ]


def diff_text(results: Sequence[ChangedFile], shown: Sequence[str]) -> str:
    """A ``git diff``-style unified diff of every file a dry run would change."""
    parts = []
    for result, name in zip(results, shown, strict=True):
        if result.changed:
            old, new = result.original.splitlines(True), result.text.splitlines(True)
            parts.append("".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}")))
    return "".join(parts)


def summary_line(results: Sequence[ChangedFile], ledgers: int, shown: Sequence[str], *, dry_run: bool) -> str:
    changes = sum(1 for result in results for step in result.steps if step.changed)
    files = "、".join(name for result, name in zip(results, shown, strict=True) if result.changed)
    if not changes:
        return f"收集 {ledgers} 份台账：没有需要登记的变更，文件未改动。"
    if dry_run:
        return f"收集 {ledgers} 份台账：将登记 {changes} 项变更到 {files}（试运行，未写入）。"
    return f"收集 {ledgers} 份台账：已登记 {changes} 项变更，写入 {files}。"
