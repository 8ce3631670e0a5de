"""Every problem in a data folder, in one run: what ``gkplan check`` reports.

The errors come from the loader every command uses (``store.load_workspace`` with
``check=True``: the safe reader and the model builder); this module adds only the
warnings a reviewer wants and a report does not need: a task without a deadline, a unit
with no tasks, text that still carries PDF line-wrap artefacts, tasks naming sections
the plan does not list, a unit written twice, a task copied without changing its content.

A warning (never an error) can be silenced where it is known and accepted with a comment
on its line or in the comment block right above it::

    # 原表此栏空白。gkplan: ignore[missing-deadline]
    deadline: null
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from gkplan.charsets import CJK, INVISIBLE, INVISIBLE_NAMES, LINE_SEPARATORS, PRIVATE_USE, SPACES
from gkplan.errors import DataError, Problem, Severity
from gkplan.model import Group, Plan, Section, Task, Unit, UnitDirectory
from gkplan.store import Workspace, load_workspace, save_checks
from gkplan.store.build import STREAMED, TaskStream, TaskWatch
from gkplan.store.reader import Document, Position, display_path, fields, position
from gkplan.textsafe import visible

IGNORE = re.compile(r"#.*?gkplan:\s*ignore\[([\w\-, ]+)\]")

_GAP = re.compile(f"([{CJK}])([{SPACES}\\r\\n]+)(?=[{CJK}])")
_DOUBLED = re.compile("([，。、；：！？])(?=[，。、；：！？])")
_INVISIBLE = re.compile(f"[{INVISIBLE}{LINE_SEPARATORS}{PRIVATE_USE}]")
_PAGE_NUMBER = re.compile(r"(—\s*\d{1,3}\s*—|－\s*\d{1,3}\s*－|(?<!\S)-\s\d{1,3}\s-(?!\S))")


MULTILINE_FIELDS = {"content", "note"}  # the only fields where a line break is part of the text
LINE_BREAK_HINT = "这一栏应是一行文字：请删除换行（双引号里的 \\n，或多行写法 | >）"


@dataclass(slots=True)
class Validation:
    """The outcome of checking one data folder."""

    root: Path
    problems: list[Problem] = field(default_factory=list)  # sorted by file, line, column
    suppressed: list[Problem] = field(default_factory=list)  # warnings silenced by a comment
    files: list[str] = field(default_factory=list)
    plans: int = 0
    tasks: int = 0
    units: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def failed(self, *, strict: bool = False) -> bool:
        """Errors fail; with ``strict``, warnings too."""
        return bool(self.errors or (strict and self.warnings))


def validate(root: Path) -> list[Problem]:
    """Every problem of every data file under ``root``, sorted by file, line and column."""
    return check_data(root).problems


def check_data(root: Path) -> Validation:
    """``validate`` with the counts and silenced warnings that ``gkplan check`` summarises."""
    result = Validation(root)
    linter = _Linter()
    try:
        workspace = load_workspace(root, check=True, inspect=linter)
    except DataError as exc:  # no plan file at all: nothing else to look at
        result.problems = [exc.as_problem(display_path(root))]
        result.files = [display_path(root)]
        return result
    found = list(workspace.problems)
    lint = linter.run(workspace)
    found += lint
    for cached_lint, _ in workspace.checked.values():  # unchanged files: their warnings as found last time
        found += cached_lint
    silenced = {path: set(suppressed) for path, (_, suppressed) in workspace.checked.items()}
    silenced.update(linter.silenced)  # plan files parsed this time: judged while their text was at hand
    lines: dict[str, TextLines] = {}  # once per file (units.yaml, settings.yaml)
    for problem in found:
        document = workspace.documents.get(problem.path)
        if document is not None and problem.path not in lines and problem.path not in silenced:
            lines[problem.path] = TextLines(document.text)
        if problem.severity is Severity.WARNING and (
            problem in silenced[problem.path] if problem.path in silenced else _ignored(problem, lines.get(problem.path))
        ):
            result.suppressed.append(problem)
        else:
            result.problems.append(problem)
    for path in workspace.check_keys:  # parsed this time and clean: cache what was found in them
        save_checks(workspace, path, [p for p in lint if p.path == path], [p for p in result.suppressed if p.path == path])
    result.problems.sort(key=lambda p: (p.path, p.line, p.col))
    result.files = sorted(set(workspace.documents) | set(workspace.checked) | {p.path for p in found})
    result.plans = len(workspace.plans)
    result.tasks = len(workspace.tasks)
    result.units = sum(len(d.units) for d in workspace.directories)
    return result


def _ignored(problem: Problem, lines: Sequence[str] | None) -> bool:
    """A ``gkplan: ignore[code]`` comment on the problem's line or in the comments right above it."""
    if lines is None or not problem.line:
        return False
    number = problem.line - 1
    candidates = [lines[number]] if number < len(lines) else []
    above = number - 1
    while 0 <= above < len(lines) and lines[above].lstrip().startswith("#"):
        candidates.append(lines[above])
        above -= 1
    for line in candidates:
        for match in IGNORE.finditer(line):
            if problem.code in {code.strip() for code in match.group(1).split(",")}:
                return True
    return False


class _Linter:
    """Warnings for one workspace; raw documents give the exact line of each field.

    A plan file is checked as soon as it is parsed (``parsed``, called by the loader), and
    its document's data let go: 600 files' data at once took more memory than their plans.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # by shown path: a parsed plan file's line-break warnings and the rest of its own warnings
        self.found: dict[str, tuple[list[Problem], list[Problem]]] = {}
        self.streamed: dict[str, _TaskChecks] = {}  # by shown path: a plan file's tasks, checked as it was read
        self.silenced: dict[str, set[Problem]] = {}  # by shown path: the plan file's warnings its comments silence

    def warn(self, path: str, where: Position, code: str, message: str, hint: str) -> None:
        self.problems.append(Problem(path, where[0], where[1], Severity.WARNING, code, message, hint))

    def watch(self, path: str, text: str) -> TaskWatch:
        """``store.Inspector``: check each task of a plan file as it is read (a 17 MB file's task
        mappings are then never all in memory at once)."""
        checks = self.streamed[path] = _TaskChecks(path, TextLines(text))
        return checks.streamed

    def parsed(self, plan: Plan, document: Document, problems: list[Problem]) -> None:
        """``store.Inspector``: check one plan file now, with the loader's ``problems`` in it, and
        judge its ``gkplan: ignore`` comments; then its data and text go."""
        path = document.path
        checks = self.streamed.pop(path, None)
        tasks = document.data.get("tasks") if isinstance(document.data, dict) else None
        if checks is None or not isinstance(tasks, list) or not any(item is STREAMED for item in tasks):
            checks = None  # read as a whole after all (see ``TaskStream.holds``): checked from its data
        self.line_breaks(path, document.data, checks.breaks if checks else None)
        breaks, self.problems = self.problems, []
        data = document.data if isinstance(document.data, dict) else {}
        lines = checks.lines if checks else TextLines(document.text)
        self.plan(plan, path, data, lines, checks)
        self.found[path], self.problems = (breaks, self.problems), []
        warnings = (p for p in itertools.chain(problems, *self.found[path]) if p.severity is Severity.WARNING and p.path == path)
        self.silenced[path] = {p for p in warnings if _ignored(p, lines)}
        document.data = None
        document.text = ""

    def run(self, workspace: Workspace) -> list[Problem]:
        """Every warning, in the order they were always found: line breaks file by file, then
        each plan's own, then units without tasks."""
        for shown, parsed in workspace.documents.items():
            if shown in self.found:
                self.problems += self.found[shown][0]
            else:
                self.line_breaks(shown, parsed.data)
        for plan in workspace.plans:
            path = plan.source.path if plan.source else ""
            if path in workspace.checked:
                continue  # unchanged since its checks were cached
            if path in self.found:
                self.problems += self.found[path][1]
                continue
            document = workspace.documents.get(path)
            data = document.data if document and isinstance(document.data, dict) else {}
            self.plan(plan, path, data, TextLines(document.text if document else ""))
        self.unused_units(workspace)
        return self.problems

    def line_breaks(self, path: str, data: Any, streamed: list[list[Problem]] | None = None) -> None:
        """A line break in a one-line field (name, unit, deadline, by, title…): shown as ⏎ by every
        report, but in a pull request it is how a value forges a line of its own (a CI log command).

        ``streamed``: the warnings of each task mapping read as a stream, in file order, for the
        ``STREAMED`` marks that stand in their place (met last first, as the mappings were)."""
        stack = [data]
        while stack:
            node = stack.pop()
            if node is STREAMED and streamed:
                self.problems += streamed.pop()
                continue
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            for key in fields(node):
                value = node[key]
                if isinstance(key, str) and "\n" in key:
                    self.warn(path, position(node, key), "line-break", f"名称「{visible(key)}」中有换行", LINE_BREAK_HINT)
                if isinstance(value, str):
                    if "\n" in value.rstrip("\n") and key not in MULTILINE_FIELDS:
                        self.warn(path, position(node, key), "line-break", f"「{key}」的值中有换行", LINE_BREAK_HINT)
                elif isinstance(value, list):
                    for index, item in enumerate(value):
                        if isinstance(item, str) and "\n" in item.rstrip("\n"):
                            where = position(node, f"{key}[{index}]")
                            self.warn(path, where, "line-break", f"「{key}」的第 {index + 1} 项中有换行", LINE_BREAK_HINT)
                    stack.extend(value)
                else:
                    stack.append(value)

    def plan(self, plan: Plan, path: str, data: dict[Any, Any], lines: TextLines, streamed: _TaskChecks | None = None) -> None:
        """A plan's own warnings; its tasks' were found as it was read when ``streamed`` is given."""
        meta = data.get("plan")
        if isinstance(meta, dict) and plan.title:
            self.artefacts(path, lines, meta, "title", plan.title, "计划标题")
        sections = data.get("sections")
        raw_sections = {position(s): s for s in sections if isinstance(s, dict)} if isinstance(sections, list) else {}
        for section in plan.sections:
            raw = raw_sections.get((section.source.line, section.source.column)) if section.source else None
            if raw is not None:
                self.artefacts(path, lines, raw, "title", section.title, f"章节「{section.code}」的标题")
        if streamed is not None:
            self.problems += streamed.linter.problems
            return
        raw_tasks = data.get("tasks")
        entries = {position(e): e for e in raw_tasks if isinstance(e, dict)} if isinstance(raw_tasks, list) else {}
        checks = _TaskChecks(path, lines)
        for task in plan.tasks:
            entry = entries.get((task.source.line, task.source.column)) if task.source else None
            if entry is not None:
                checks.task(task, entry, plan.year, plan.sections, plan.units)
        self.problems += checks.linter.problems

    def deadline(self, path: str, plan_year: int, task: Task, entry: dict[Any, Any], what: str) -> None:
        phrase = task.deadline.phrase
        written = entry.get("deadline")
        if (phrase is not None and phrase.strip()) or (written is not None and not isinstance(written, str)):
            return  # a phrase, or a value of the wrong type (the builder reported that)
        where = position(entry, "deadline") if "deadline" in entry else position(entry)
        year = f" {plan_year} 年底" if plan_year else "计划年度年底"
        self.warn(
            path,
            where,
            "missing-deadline",
            f"{what}没有时间节点，gkplan 按{year}计",
            "请补上 deadline（如 9月底前）；原表确实空白时，在上方注释里写 gkplan: ignore[missing-deadline]",
        )

    def artefacts(self, path: str, lines: Sequence[str], entry: dict[Any, Any], key: str, value: str, what: str) -> None:
        """Line-wrap and copy artefacts of the PDF in a text field, each at its own line and column."""
        seen: Counter[str] = Counter()
        for _, snippet, message in _artefacts(value):
            seen[snippet] += 1
            where, folded = _locate(lines, position(entry, key), snippet, seen[snippet])
            if folded:  # the file has a line break there, which YAML read as a space
                message = f"在「{snippet[0]}」和「{snippet[-1]}」之间断行（YAML 把换行读成了空格）"
            self.warn(path, where, "pdf-artefact", f"{what}{message}", _ARTEFACT_HINT)

    def repeated_units(self, path: str, directory: UnitDirectory, entry: dict[Any, Any], what: str) -> None:
        raw = entry.get("units")
        if not isinstance(raw, list) or not directory.units:
            return
        written: list[tuple[int, str, Unit | Group]] = []
        for index, name in enumerate(raw):
            found = directory.lookup(name) if isinstance(name, str) and name.strip() else None
            if found is not None:
                written.append((index, name.strip(), found))
        for index, name, found in written:
            for other_index, other_name, other in written:
                if other_index == index:
                    continue
                if other is found and other_index < index:
                    same = f"（与「{other_name}」是同一{'单位组' if isinstance(found, Group) else '单位'}）" if other_name != name else ""
                    message = f"{what}的责任单位「{name}」重复{same}"
                elif isinstance(found, Unit) and isinstance(other, Group) and found.name in other.members:
                    message = f"{what}的责任单位「{name}」已包含在单位组「{other_name}」中"
                else:
                    continue
                self.warn(path, position(entry, f"units[{index}]"), "repeated-unit", message, "请删去重复的一项")
                break

    def unused_units(self, workspace: Workspace) -> None:
        if workspace.errors:
            return  # a file or task that could not be read hides whose tasks it held: say it once they are fixed
        for directory in workspace.directories:
            used = {unit for plan in workspace.plans if plan.units is directory for task in plan.tasks for unit in task.responsible}
            for unit in directory.units.values():
                if unit.name in used or unit.source is None:
                    continue
                self.warn(
                    unit.source.path,
                    (unit.source.line, unit.source.column),
                    "unused-unit",
                    f"单位「{unit.name}」没有任何任务",
                    "单位已撤销或改名的，请从 units.yaml 删除；否则请检查任务的 units 是否漏写了它",
                )


class _TaskChecks:
    """A plan's warnings about its tasks, task by task, in file order: from the whole file's
    data (``_Linter.plan``) or as the file is read (``_Linter.watch``)."""

    def __init__(self, path: str, lines: TextLines) -> None:
        self.path = path
        self.lines = lines
        self.linter = _Linter()  # holds these warnings
        self.contents: dict[str, Task] = {}  # the first task with each content
        self.section_warned = False
        self.breaks: list[list[Problem]] = []  # as read: each task mapping's line-break warnings, in file order

    def streamed(self, stream: TaskStream, entry: dict[Any, Any], task: Task | None) -> None:
        """``build.TaskWatch``: a task mapping as it is read, and its task if it is one of the plan's."""
        linter = self.linter
        found, linter.problems = linter.problems, []
        linter.line_breaks(self.path, entry)
        self.breaks.append(linter.problems)
        linter.problems = found
        if task is not None:
            self.task(task, entry, stream.year, stream.sections, stream.units)

    def task(self, task: Task, entry: dict[Any, Any], year: int, sections: tuple[Section, ...], units: UnitDirectory) -> None:
        """The warnings of one of the plan's tasks, written as ``entry``."""
        linter, path = self.linter, self.path
        what = f"任务 {task.id} "
        linter.deadline(path, year, task, entry, what)
        linter.artefacts(path, self.lines, entry, "name", task.name, f"{what}的名称")
        linter.artefacts(path, self.lines, entry, "content", task.content, f"{what}的内容")
        linter.repeated_units(path, units, entry, what)
        if task.content:
            first = self.contents.setdefault(task.content, task)
            if first is not task:
                linter.warn(
                    path,
                    position(entry, "content"),
                    "duplicate-content",
                    f"{what}的内容与任务 {first.id} 完全相同",
                    "复制任务后忘了改内容？请对照原表核对",
                )
        if task.section and not sections and not self.section_warned:
            self.section_warned = True
            linter.warn(
                path,
                position(entry, "section"),
                "no-sections",
                f"任务写了章节（如「{task.section}」），但计划没有 sections: 无从核对",
                "请在 sections: 下列出各章节的 code 和 title",
            )
        elif not task.section and sections:
            linter.warn(path, position(entry), "missing-section", f"{what}没有写所属章节", "请补上 section: 一（一） 这样的编号")


class TextLines(Sequence[str]):
    """The lines of a text (as ``text.split("\n")`` gives them), cut out only when asked for:
    a 17 MB plan has 345,000 lines, and a list of them took 40 MB."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = array("q", itertools.chain((0,), (match.end() for match in re.finditer("\n", text))))

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self.starts):
            raise IndexError(index)
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : end]


_ARTEFACT_HINT = "多半是从 PDF 复制时留下的，请对照原文删去"


def _artefacts(value: str) -> list[tuple[int, str, str]]:
    """(offset, snippet as it appears in the value, what is wrong) for each artefact, in order."""
    found: list[tuple[int, str, str]] = []
    for match in _GAP.finditer(value):
        gap = match.group(2)
        kind = "换行" if "\n" in gap or "\r" in gap else "全角空格" if "\u3000" in gap else "空格"
        after = value[match.end()]
        found.append((match.start(), match.group(1) + gap + after, f"在「{match.group(1)}」和「{after}」之间有多余的{kind}"))
    for match in _DOUBLED.finditer(value):
        pair = value[match.start() : match.start() + 2]
        found.append((match.start(), pair, f"有重复的标点「{pair}」"))
    for match in _INVISIBLE.finditer(value):
        char = match.group()
        name = INVISIBLE_NAMES.get(char, "私用区字符（PDF 字体残留）" if "\ue000" <= char <= "\uf8ff" else "不可见字符")
        found.append((match.start(), char, f"含有{name} U+{ord(char):04X}"))
    for match in _PAGE_NUMBER.finditer(value):
        found.append((match.start(), match.group(), f"含有像是 PDF 页码的「{match.group().strip()}」"))
    found.sort(key=lambda item: item[0])
    return found


def _locate(lines: Sequence[str], key: Position, snippet: str, occurrence: int) -> tuple[Position, bool]:
    """Where ``snippet`` of a value written at ``key`` sits in the file, and whether it is a
    line break that YAML folded into the space of ``snippet``.

    The value runs from the key to the next line indented no deeper than the key. A
    plain or quoted value is searched for as written; a line break that YAML folded into
    a space is found as a line ending in the character before it, followed by one starting
    with the character after it. Falls back to the key.
    """
    line, col = key
    if not line or line > len(lines):
        return key, False
    end = line
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) >= col):
        end += 1
    region = [(number, lines[number - 1]) for number in range(line, end + 1)]
    remaining = occurrence
    for number, text in region:
        start = col - 1 if number == line else 0
        at = text.find(snippet, start)
        while at >= 0:
            remaining -= 1
            if remaining == 0:
                return (number, at + 1), False
            at = text.find(snippet, at + 1)
    stripped = snippet.strip()
    if len(stripped) >= 2 and snippet[1:-1].strip() == "":
        before, after = snippet[0], snippet[-1]
        for (number, text), (_, following) in itertools.pairwise(region):
            head = text.rstrip()
            if head.endswith(before) and following.lstrip().startswith(after):
                return (number, len(head)), snippet[1:-1] == " "
    return key, False
