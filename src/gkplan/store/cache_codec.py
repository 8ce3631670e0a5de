"""Model <-> plain tuples for the parse cache (``marshal`` only stores builtin types).

Dates travel as ordinals, enums as their values. Deadlines are not stored: they
are derived again on unpack from the phrase, by the same code the builder uses (so a
newer engine or holiday calendar counts at once). The group expansion
(``responsible``) is stored as the builder made it: an entry is only ever used with
the ``units.yaml`` bytes it was built against (both caches key on them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from gkplan.deadlines import deadline_for_task
from gkplan.errors import Problem, Severity
from gkplan.model import Deadline, Group, Plan, Progress, Section, Source, Status, Task, Unit, UnitDirectory, Verification
from gkplan.store.reader import MAX_SHARED_CHARS

_STATUS = {status.value: status for status in Status}


# The layouts of the packed tuples. Entries are plain tuples (marshal stores no subclass):
# pack builds them through these names, patch_plan reads them through them, and
# unpack_plan unpacks them in this order (tests/test_cache.py checks warm == cold).
class PackedTask(NamedTuple):
    id: int
    name: str
    content: str
    section: str
    units: tuple[str, ...]
    responsible: tuple[str, ...]
    phrase: str | None
    anchor: int | None  # date ordinal
    progress: tuple[tuple[Any, ...], ...]  # PackedProgress
    verified: tuple[Any, ...] | None  # PackedVerified
    line: int
    col: int


class PackedProgress(NamedTuple):
    unit: str
    status: str
    day: int | None
    note: str
    by: str
    line: int  # lines below its task's line (see _below): a task that moves needs no new progress tuples
    col: int


class PackedVerified(NamedTuple):
    day: int | None
    by: str
    note: str
    line: int  # lines below its task's line, as PackedProgress
    col: int


class PackedSection(NamedTuple):
    code: str
    title: str
    parent: str | None
    line: int
    col: int


class PackedPlan(NamedTuple):
    path: str
    meta: tuple[Any, ...]  # id, title, year, doc_number, issuer, issued (ordinal)
    sections: tuple[tuple[Any, ...], ...]  # PackedSection
    tasks: tuple[tuple[Any, ...], ...]  # PackedTask
    problems: tuple[Any, ...]


def _ordinal(day: date | None) -> int | None:
    return day.toordinal() if day else None


def _day(value: int | None) -> date | None:
    return date.fromordinal(value) if value else None


def _where(source: Source | None) -> tuple[int, int]:
    return (source.line, source.column) if source else (0, 0)


class _PackedProblem(NamedTuple):
    path: str
    line: int
    col: int
    severity: str
    code: str
    message: str
    hint: str


def pack_problems(problems: list[Problem]) -> tuple[Any, ...]:
    return tuple(tuple(_PackedProblem(p.path, p.line, p.col, p.severity.value, p.code, p.message, p.hint)) for p in problems)


def unpack_problems(packed: tuple[Any, ...]) -> list[Problem]:
    return [Problem(path, line, col, Severity(sev), code, message, hint) for path, line, col, sev, code, message, hint in packed]


def pack_checks(lint: list[Problem], suppressed: list[Problem]) -> tuple[Any, ...]:
    """A plan file's cached checks: its linter warnings, and the problems a comment silences."""
    return (pack_problems(lint), pack_problems(suppressed))


def unpack_checks(packed: tuple[Any, ...]) -> tuple[list[Problem], list[Problem]]:
    lint, suppressed = packed
    return unpack_problems(lint), unpack_problems(suppressed)


def pack_units(directory: UnitDirectory, problems: list[Problem]) -> tuple[Any, ...]:
    units = tuple((u.name, u.kind, u.aliases, *_where(u.source), u.email) for u in directory.units.values())
    groups = tuple((g.name, g.members, g.aliases, *_where(g.source)) for g in directory.groups.values())
    path = directory.source.path if directory.source else ""
    return (path, units, groups, pack_problems(problems))


def unpack_units(packed: tuple[Any, ...]) -> tuple[UnitDirectory, list[Problem]]:
    path, units, groups, problems = packed
    directory = UnitDirectory(
        units={name: Unit(name, kind, aliases, Source(path, line, col), email) for name, kind, aliases, line, col, email in units},
        groups={name: Group(name, members, aliases, Source(path, line, col)) for name, members, aliases, line, col in groups},
        source=Source(path),
    )
    return directory, unpack_problems(problems)


_SHARED: dict[Any, Any] = {}
SHARED_AT_MOST = 200_000  # values remembered; then forgotten at once (a long-lived process packing many plans)


def _shared(value: Any) -> Any:
    """One object for equal short strings (and tuples of them): marshal then writes each once and
    refers back to it, so an entry is smaller and loads faster (20,000 tasks: 45 -> 30 ms)."""
    if isinstance(value, str) and len(value) > MAX_SHARED_CHARS:  # the reader's rule: long texts seldom repeat
        return value
    if len(_SHARED) >= SHARED_AT_MOST:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)


def _below(source: Source | None, task_line: int) -> tuple[int, int]:
    """A progress or verification entry's place, its line counted from its task's line (-1: none)."""
    return (source.line - task_line, source.column) if source and source.line else (-1, 0)


def _at(below: int, task_line: int) -> int:
    return task_line + below if below >= 0 else 0


def pack_task(t: Task) -> tuple[Any, ...]:
    s = _shared
    line, col = _where(t.source)
    progress = tuple(
        tuple(PackedProgress(s(p.unit), s(p.status.value), _ordinal(p.date), s(p.note), s(p.by), *_below(p.source, line)))
        for p in t.progress.values()
    )
    v = t.verified
    verified = tuple(PackedVerified(_ordinal(v.date), s(v.by), s(v.note), *_below(v.source, line))) if v else None
    phrase, anchor = t.deadline.phrase, _ordinal(t.anchor)
    units, responsible = s(tuple(map(s, t.units))), s(tuple(map(s, t.responsible)))
    return tuple(PackedTask(t.id, s(t.name), t.content, s(t.section), units, responsible, s(phrase), anchor, progress, verified, line, col))


def pack_plan(plan: Plan, problems: list[Problem], tasks: tuple[tuple[Any, ...], ...] | None = None) -> tuple[Any, ...]:
    """``tasks``: the plan's tasks already packed (``pack_task``), when ``plan.tasks`` holds only some of them."""
    path = plan.source.path if plan.source else ""
    meta = (plan.id, plan.title, plan.year, plan.doc_number, plan.issuer, _ordinal(plan.issued))
    sections = tuple(tuple(PackedSection(s.code, s.title, s.parent, *_where(s.source))) for s in plan.sections)
    if tasks is None:
        tasks = tuple(pack_task(t) for t in plan.tasks)
    return tuple(PackedPlan(path, meta, sections, tasks, pack_problems(problems)))


_TASK_ID, _TASK_LINE = (PackedTask._fields.index(f) for f in ("id", "line"))
_PLAN_TASKS = PackedPlan._fields.index("tasks")


def _moved(record: tuple[Any, ...], index: int, at: Callable[[int], int]) -> tuple[Any, ...]:
    """``record`` with its line number (field ``index``) moved by ``at``."""
    return (*record[:index], at(record[index]), *record[index + 1 :])


def patch_plan(packed: tuple[Any, ...], task: Task, first: int, old_end: int, delta: int) -> tuple[Any, ...] | None:
    """A packed plan after one task block (lines ``first`` to ``old_end - 1``) was replaced.

    ``task`` (already at its new lines) takes the place of the task with its id and
    every line from ``old_end`` on moves by ``delta``; the other tuples are reused,
    so refreshing the cache after ``gkplan done`` costs little even on 20,000 tasks.
    ``None`` when the old entry held a problem inside the replaced lines: only a
    new parse can say whether it is still there.
    """
    plan = PackedPlan._make(packed)

    def at(line: int) -> int:
        return line + delta if line >= old_end else line

    problems = [_PackedProblem._make(p) for p in plan.problems]
    if any(p.path == plan.path and first <= p.line < old_end for p in problems):
        return None
    new_problems = tuple(tuple(p._replace(line=at(p.line))) if p.path == plan.path else tuple(p) for p in problems)
    new_sections = tuple(tuple(s._replace(line=at(s.line))) for s in map(PackedSection._make, plan.sections))
    new_tasks = []
    replaced = False
    for raw in plan.tasks:  # hot (20,000 tasks): fields by their positions in the named layouts, no _make/_replace
        if raw[_TASK_ID] == task.id:
            new_tasks.append(pack_task(task))
            replaced = True
        elif delta == 0 or raw[_TASK_LINE] < first:  # unmoved: the whole block lies before the edit
            new_tasks.append(raw)
        else:  # moved: its progress and verification lines are counted from its own, so only that changes
            new_tasks.append(_moved(raw, _TASK_LINE, at))
    if not replaced:
        return None
    return tuple(plan._replace(sections=new_sections, tasks=tuple(new_tasks), problems=new_problems))


def select_tasks(packed: tuple[Any, ...], ids: frozenset[int]) -> tuple[Any, ...]:
    """A packed plan with only the tasks of these ids (for ``unpack_plan``: the others are never looked at)."""
    return (*packed[:_PLAN_TASKS], tuple(task for task in packed[_PLAN_TASKS] if task[_TASK_ID] in ids), *packed[_PLAN_TASKS + 1 :])


def _verification(path: str, packed: tuple[Any, ...], task_line: int) -> Verification:
    day, by, note, below, col = packed  # PackedVerified
    return Verification(_day(day), by, note, Source(path, _at(below, task_line), col))


def unpack_plan(
    packed: tuple[Any, ...], directory: UnitDirectory, only: Callable[[int, Deadline], bool] | None = None
) -> tuple[Plan, list[Problem]]:
    """The plan (with only the tasks ``only`` keeps, by id and deadline) and its problems."""
    path, meta, sections, tasks, problems = packed  # PackedPlan
    plan_id, title, year, doc_number, issuer, issued = meta
    statuses, day = _STATUS, date.fromordinal
    result = []
    # Hot (20,000 tasks): PackedTask by position, constructors by position, no helpers per field.
    for task_id, name, content, section, units, responsible, phrase, anchor, progress, verified, line, col in tasks:
        anchor_day = day(anchor) if anchor else None
        deadline = deadline_for_task(phrase, year, anchor_day)
        if only is not None and not only(task_id, deadline):
            continue  # not shown by this command: no objects built for it
        parts = (
            {
                unit: Progress(unit, statuses[status], day(on) if on else None, note, by, Source(path, _at(below, line), p_col))
                for unit, status, on, note, by, below, p_col in progress
            }
            if progress
            else {}
        )
        checked = _verification(path, verified, line) if verified else None
        result.append(
            Task(
                plan_id, task_id, name, content, section, units, responsible, deadline, anchor_day, parts, checked, Source(path, line, col)
            )
        )
    plan = Plan(
        id=plan_id,
        title=title,
        year=year,
        doc_number=doc_number,
        issuer=issuer,
        issued=_day(issued),
        sections=tuple(Section(code, s_title, parent, Source(path, line, col)) for code, s_title, parent, line, col in sections),
        tasks=tuple(result),
        units=directory,
        source=Source(path),
    )
    return plan, unpack_problems(problems)
