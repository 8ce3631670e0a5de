"""What a change to the plan data means: the semantic diff of two versions, for a reviewer.

Pure: two loaded versions (``store.revisions.Snapshot``) and the files git saw
renamed come in; a ``PlanDiff`` comes out. Tasks are compared field by field
(the 时间节点 with the dates it resolves to), each unit's progress entry by
entry, and ``units.yaml`` unit by unit, with the tasks whose expanded
responsible units change because of each unit change. ``render.diff_formats``
lays it out as text, Markdown, JSON or CI annotations.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from gkplan.errors import Problem, Severity
from gkplan.model import Group, Plan, Progress, Status, Task, Unit, UnitDirectory, Verification

if TYPE_CHECKING:
    from gkplan.store.revisions import Snapshot

Value = str | int | bool | tuple[str, ...] | None

TASK_FIELDS = {  # compared in this order; the key is the JSON name
    "name": "任务名称",
    "content": "任务内容",
    "section": "章节",
    "units": "责任单位",
    "responsible": "责任单位（展开）",
    "deadline": "时间节点",
    "due": "截止日期",
    "anchor": "起算日",
}
PROGRESS_FIELDS = {"status": "状态", "date": "日期", "note": "说明", "by": "登记人", "verified": "核销"}
UNIT_FIELDS = {"name": "名称", "kind": "类别", "aliases": "简称", "email": "邮箱", "groups": "所属单位组", "members": "成员"}
PLAN_FIELDS = {
    "path": "文件",
    "id": "计划编号",
    "title": "标题",
    "year": "年度",
    "doc_number": "文号",
    "issuer": "印发单位",
    "issued": "印发日期",
    "tasks": "任务数",
}
SETTINGS_FIELDS = {
    "warn_days": "黄灯预警天数",
    "lights": "配色",
    "stale_weeks": "久无进展周数",
    "remind_days": "提醒天数",
    "channels": "催办渠道",
}
CONTEXT_CHARS = 10  # characters of unchanged 任务内容 kept around each change


@dataclass(frozen=True, slots=True)
class Change:
    """One field's value before and after (``None``: absent on that side)."""

    field: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an inline text diff: ``=`` kept, ``-`` removed, ``+`` added, ``…`` elided."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class ProgressChange:
    """A unit's progress field moved; ``unit`` ``None``: the office's 核销 (verification)."""

    unit: str | None
    field: str
    old: Value
    new: Value
    line: int = 0  # where the entry is on the head side (0: gone)


@dataclass(frozen=True, slots=True)
class TaskDiff:
    key: str  # ``2``, or ``2022:2`` when either side has several plans
    change: str  # added, removed, changed
    name: str
    path: str  # the plan file (head side, else base)
    line: int  # the task's line in ``path``
    fields: tuple[Change, ...] = ()
    progress: tuple[ProgressChange, ...] = ()
    content: tuple[Segment, ...] = ()  # inline diff of 任务内容, when it changed
    due_days: int | None = None  # how far the due date moved, when both sides have one
    due: str | None = None  # the head side's due date


@dataclass(frozen=True, slots=True)
class UnitDiff:
    """A unit or a group added, removed, renamed (alias change) or changed in a units.yaml."""

    name: str  # the name on the head side (base side when removed)
    kind: str  # "unit" or "group"
    change: str  # added, removed, renamed, changed
    path: str  # the units.yaml
    line: int
    fields: tuple[Change, ...] = ()
    tasks_affected: tuple[str, ...] = ()  # keys of tasks whose expanded responsible units change


@dataclass(frozen=True, slots=True)
class PlanChange:
    id: str
    change: str  # added, removed, changed, unreadable (a side could not be read: not compared)
    path: str
    fields: tuple[Change, ...] = ()
    side: str = ""  # for ``unreadable``: base or head


@dataclass(frozen=True, slots=True)
class SideProblem:
    side: str  # base or head
    problem: Problem


@dataclass(frozen=True, slots=True)
class PlanDiff:
    base: str  # commit id
    head: str  # commit id or "worktree"
    base_label: str
    head_label: str
    plans: tuple[PlanChange, ...] = ()
    tasks: tuple[TaskDiff, ...] = ()
    units: tuple[UnitDiff, ...] = ()
    settings: tuple[Change, ...] = ()
    problems: tuple[SideProblem, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.plans or self.tasks or self.units or self.settings)

    def count(self, change: str) -> int:
        return sum(task.change == change for task in self.tasks)

    @property
    def progress_count(self) -> int:
        return sum(len({p.unit for p in task.progress}) for task in self.tasks)

    @property
    def tasks_affected(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for unit in self.units:
            seen.update(dict.fromkeys(unit.tasks_affected))
        return tuple(seen)


# --- the whole diff -------------------------------------------------------------------------


def diff_snapshots(
    base: Snapshot,
    head: Snapshot,
    renames: Mapping[PurePosixPath, PurePosixPath],
    touched: Collection[PurePosixPath] | None = None,
) -> PlanDiff:
    """Everything that differs between ``base`` and ``head``.

    ``renames``: files git saw renamed, old -> new. ``touched``: every file git saw
    change (``None``: unknown); a plan whose file and units.yaml are untouched has
    nothing to show, and 20,000 tasks need not be compared one by one.
    """
    old_plans, new_plans = base.workspace.plans, head.workspace.plans
    qualified = len(old_plans) > 1 or len(new_plans) > 1
    pairs, plan_changes = _match_plans(base, head, renames)
    task_pairs: list[tuple[Plan, Task, Task]] = []  # matched tasks, for the units' effects
    tasks: list[TaskDiff] = []
    unit_diffs: list[UnitDiff] = []
    directories = _match_directories(base, head, renames)
    renamed_units = {id(new): _unit_renames(old, new) for old, new in directories}
    for old_plan, new_plan in pairs:
        if touched is not None and _untouched(old_plan, new_plan, touched):
            continue
        names = renamed_units.get(id(new_plan.units), {})
        old_tasks = {task.id: task for task in old_plan.tasks}
        for task in new_plan.tasks:
            key = f"{new_plan.id}:{task.id}" if qualified else str(task.id)
            old = old_tasks.pop(task.id, None)
            if old is None:
                tasks.append(_added(key, task, "added"))
                continue
            task_pairs.append((new_plan, old, task))
            found = _task_diff(key, old, task, names)
            if found is not None:
                tasks.append(found)
        for old in old_tasks.values():
            key = f"{new_plan.id}:{old.id}" if qualified else str(old.id)
            tasks.append(_added(key, old, "removed"))
    for old_dir, new_dir in directories:
        unit_diffs.extend(_directory_diff(old_dir, new_dir, [(p, o, n) for p, o, n in task_pairs if p.units is new_dir], qualified))
    problems = [SideProblem(side, p) for side, snap in (("base", base), ("head", head)) for p in _errors(snap)]
    return PlanDiff(
        base=base.rev,
        head=head.rev,
        base_label=base.label,
        head_label=head.label,
        plans=tuple(plan_changes),
        tasks=tuple(tasks),
        units=tuple(unit_diffs),
        settings=tuple(_settings_diff(base, head)),
        problems=tuple(problems),
    )


def _untouched(old: Plan, new: Plan, touched: Collection[PurePosixPath]) -> bool:
    files = {_path(old), _path(new)} | {d.source.path if d.source else "" for d in (old.units, new.units)}
    return len(files) == 2 and "" not in files and not any(PurePosixPath(f) in touched for f in files)


def _errors(snapshot: Snapshot) -> list[Problem]:
    workspace = snapshot.workspace
    found = [p for p in (*workspace.problems, *workspace.settings_problems) if p.severity is Severity.ERROR]
    return list(dict.fromkeys(found))


def _path(plan: Plan) -> str:
    return plan.source.path if plan.source else ""


def _match_plans(
    base: Snapshot, head: Snapshot, renames: Mapping[PurePosixPath, PurePosixPath]
) -> tuple[list[tuple[Plan, Plan]], list[PlanChange]]:
    """Plans matched by plan id, else by path (git's renames followed); the rest added or removed."""
    old_left = list(base.workspace.plans)
    pairs: list[tuple[Plan, Plan]] = []
    added: list[Plan] = []
    for plan in head.workspace.plans:
        match = next((old for old in old_left if old.id == plan.id), None)
        if match is None:
            match = next((old for old in old_left if _followed(_path(old), renames) == _path(plan)), None)
        if match is None:
            added.append(plan)
        else:
            old_left.remove(match)
            pairs.append((match, plan))
    changes: list[PlanChange] = []
    for old, new in pairs:
        fields = _changes(_plan_values(old), _plan_values(new))
        if fields:
            changes.append(PlanChange(new.id, "changed", _path(new), tuple(fields)))
    base_paths = {str(p) for p in base.plan_paths}
    head_paths = {str(p) for p in head.plan_paths}
    sources = {str(new): str(old) for old, new in renames.items()}
    for plan in added:
        origin = sources.get(_path(plan), _path(plan))
        if origin in base_paths:  # it was there, but that version could not be read
            changes.append(PlanChange(plan.id, "unreadable", _path(plan), side="base"))
        else:
            changes.append(PlanChange(plan.id, "added", _path(plan), tuple(_changes({}, _plan_values(plan)))))
    for old in old_left:
        if _followed(_path(old), renames) in head_paths:
            changes.append(PlanChange(old.id, "unreadable", _followed(_path(old), renames), side="head"))
        else:
            changes.append(PlanChange(old.id, "removed", _path(old), tuple(_changes(_plan_values(old), {}))))
    return pairs, changes


def _followed(path: str, renames: Mapping[PurePosixPath, PurePosixPath]) -> str:
    return str(renames.get(PurePosixPath(path), path))


def _plan_values(plan: Plan) -> dict[str, Value]:
    return {
        "path": _path(plan),
        "id": plan.id,
        "title": plan.title,
        "year": plan.year,
        "doc_number": plan.doc_number or None,
        "issuer": plan.issuer or None,
        "issued": _iso(plan.issued),
        "tasks": len(plan.tasks),
    }


def _changes(old: Mapping[str, Value], new: Mapping[str, Value]) -> list[Change]:
    """Fields whose values differ, in the order of ``new`` (then ``old``); absent = ``None``."""
    names = list(dict.fromkeys([*new, *old]))
    return [Change(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- tasks ----------------------------------------------------------------------------------


def _task_values(task: Task, *, with_responsible: bool) -> dict[str, Value]:
    values: dict[str, Value] = {
        "name": task.name,
        "content": task.content,
        "section": task.section or None,
        "units": task.units,
    }
    if with_responsible:
        values["responsible"] = task.responsible
    values["deadline"] = task.deadline.phrase
    values["due"] = _iso(task.deadline.due)
    values["anchor"] = _iso(task.anchor)
    return values


def _line(task: Task) -> int:
    return task.source.line if task.source else 0


def _added(key: str, task: Task, change: str) -> TaskDiff:
    values = _task_values(task, with_responsible=True)
    fields = _changes({}, values) if change == "added" else _changes(values, {})
    path = task.source.path if task.source else ""
    return TaskDiff(key, change, task.name, path, _line(task), tuple(fields))


def _task_diff(key: str, old: Task, new: Task, renamed: Mapping[str, str]) -> TaskDiff | None:
    """``None`` when nothing a reviewer should see changed."""
    written = old.units != new.units  # the expansion is shown with what was written; units.yaml's own effects are listed there
    fields = _changes(_task_values(old, with_responsible=written), _task_values(new, with_responsible=written))
    progress = _progress_changes(old, new, renamed)
    if not fields and not progress:
        return None
    content = inline_diff(old.content, new.content) if old.content != new.content else ()
    moved = old.deadline.due and new.deadline.due and old.deadline.due != new.deadline.due
    days = (new.deadline.due - old.deadline.due).days if moved and old.deadline.due and new.deadline.due else None
    path = new.source.path if new.source else ""
    return TaskDiff(key, "changed", new.name, path, _line(new), tuple(fields), tuple(progress), content, days, _iso(new.deadline.due))


def _progress_values(entry: Progress | None) -> dict[str, Value]:
    if entry is None:  # nothing recorded: the unit's part is todo
        return {"status": Status.TODO.value, "date": None, "note": None, "by": None}
    return {"status": entry.status.value, "date": _iso(entry.date), "note": entry.note or None, "by": entry.by or None}


def _progress_changes(old: Task, new: Task, renamed: Mapping[str, str]) -> list[ProgressChange]:
    before = {renamed.get(unit, unit): entry for unit, entry in old.progress.items()}
    result = []
    for unit in dict.fromkeys([*new.responsible, *new.progress, *before]):
        entry = new.progress.get(unit)
        line = entry.source.line if entry and entry.source else 0
        for change in _changes(_progress_values(before.get(unit)), _progress_values(entry)):
            result.append(ProgressChange(unit, change.field, change.old, change.new, line))
    result.extend(_verification_changes(old.verified, new.verified))
    return result


def _verification_values(verified: Verification | None) -> dict[str, Value]:
    if verified is None:
        return {"verified": False}
    return {"verified": True, "date": _iso(verified.date), "by": verified.by or None, "note": verified.note or None}


def _verification_changes(old: Verification | None, new: Verification | None) -> list[ProgressChange]:
    line = new.source.line if new and new.source else 0
    return [ProgressChange(None, c.field, c.old, c.new, line) for c in _changes(_verification_values(old), _verification_values(new))]


def inline_diff(old: str, new: str, context: int = CONTEXT_CHARS) -> tuple[Segment, ...]:
    """A character-level diff of two texts, unchanged stretches cut to ``context`` characters around each change."""
    import difflib

    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (op, a1, a2, b1, b2) in enumerate(opcodes):
        if op == "equal":
            text = old[a1:a2]
            first, last = index == 0, index == len(opcodes) - 1
            if first and len(text) > context:
                segments += [Segment("…", ""), Segment("=", text[-context:])]
            elif last and len(text) > context:
                segments += [Segment("=", text[:context]), Segment("…", "")]
            elif not first and not last and len(text) > 2 * context + 1:
                segments += [Segment("=", text[:context]), Segment("…", ""), Segment("=", text[-context:])]
            else:
                segments.append(Segment("=", text))
            continue
        if a2 > a1:
            segments.append(Segment("-", old[a1:a2]))
        if b2 > b1:
            segments.append(Segment("+", new[b1:b2]))
    return tuple(segments)


# --- units.yaml -----------------------------------------------------------------------------


def _match_directories(
    base: Snapshot, head: Snapshot, renames: Mapping[PurePosixPath, PurePosixPath]
) -> list[tuple[UnitDirectory, UnitDirectory]]:
    """Each units.yaml with its other version (by path, git's renames followed; a missing one is empty)."""

    def path(directory: UnitDirectory) -> str:
        return directory.source.path if directory.source else ""

    old_left = list(base.workspace.directories)
    pairs = []
    for new in head.workspace.directories:
        match = next((old for old in old_left if _followed(path(old), renames) == path(new)), None)
        if match is not None:
            old_left.remove(match)
        pairs.append((match or UnitDirectory(), new))
    pairs.extend((old, UnitDirectory(source=old.source)) for old in old_left)
    return pairs


def _renames(old: Mapping[str, Unit | Group], new: Mapping[str, Unit | Group]) -> dict[str, str]:
    """Old name -> new name, when a name left and a new entry lists it as an alias (or the other way)."""
    gone = [name for name in old if name not in new]
    fresh = [name for name in new if name not in old]
    result = {}
    for name in gone:
        target = next((n for n in fresh if name in new[n].aliases or n in old[name].aliases), None)
        if target is not None:
            fresh.remove(target)
            result[name] = target
    return result


def _unit_renames(old: UnitDirectory, new: UnitDirectory) -> dict[str, str]:
    return _renames(old.units, new.units)


def _groups_of(directory: UnitDirectory, unit: str, group_names: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(group_names.get(g.name, g.name) for g in directory.groups.values() if unit in g.members)


def _directory_diff(old: UnitDirectory, new: UnitDirectory, pairs: Sequence[tuple[Plan, Task, Task]], qualified: bool) -> list[UnitDiff]:
    path = new.source.path if new.source else old.source.path if old.source else ""
    unit_names = _renames(old.units, new.units)
    group_names = _renames(old.groups, new.groups)
    result: list[UnitDiff] = []

    def key(plan: Plan, task: Task) -> str:
        return f"{plan.id}:{task.id}" if qualified else str(task.id)

    def unit_affected(before: str | None, after: str | None) -> tuple[str, ...]:
        found = []
        for plan, o, n in pairs:
            was, now = before is not None and before in o.responsible, after is not None and after in n.responsible
            if was != now or (was and before != after):
                found.append(key(plan, n))
        return tuple(found)

    def group_affected(before: str | None, after: str | None) -> tuple[str, ...]:
        found = []
        for plan, o, n in pairs:
            writes = any(_is(old.lookup(w), before) for w in o.units) or any(_is(new.lookup(w), after) for w in n.units)
            if writes and {unit_names.get(u, u) for u in o.responsible} != set(n.responsible):
                found.append(key(plan, n))
        return tuple(found)

    def unit_values(directory: UnitDirectory, unit: Unit, names: Mapping[str, str]) -> dict[str, Value]:
        groups = _groups_of(directory, unit.name, names)
        return {"name": unit.name, "kind": unit.kind, "aliases": unit.aliases, "email": unit.email, "groups": groups}

    def group_values(group: Group, names: Mapping[str, str]) -> dict[str, Value]:
        return {"name": group.name, "aliases": group.aliases, "members": tuple(names.get(m, m) for m in group.members)}

    back = {v: k for k, v in unit_names.items()}
    for name, unit in new.units.items():
        before = back.get(name, name if name in old.units else None)
        line = unit.source.line if unit.source else 0
        if before is None:
            fields = _changes({}, unit_values(new, unit, {}))
            result.append(UnitDiff(name, "unit", "added", path, line, tuple(fields), unit_affected(None, name)))
            continue
        fields = _changes(unit_values(old, old.units[before], group_names), unit_values(new, unit, {}))
        if fields:
            change = "renamed" if before != name else "changed"
            result.append(UnitDiff(name, "unit", change, path, line, tuple(fields), unit_affected(before, name)))
    for name, unit in old.units.items():
        if name not in new.units and name not in unit_names:
            fields = _changes(unit_values(old, unit, group_names), {})
            result.append(UnitDiff(name, "unit", "removed", path, 0, tuple(fields), unit_affected(name, None)))
    back = {v: k for k, v in group_names.items()}
    for name, group in new.groups.items():
        before = back.get(name, name if name in old.groups else None)
        line = group.source.line if group.source else 0
        if before is None:
            fields = _changes({}, group_values(group, {}))
            result.append(UnitDiff(name, "group", "added", path, line, tuple(fields), group_affected(None, name)))
            continue
        fields = _changes(group_values(old.groups[before], unit_names), group_values(group, {}))
        if fields:
            change = "renamed" if before != name else "changed"
            result.append(UnitDiff(name, "group", change, path, line, tuple(fields), group_affected(before, name)))
    for name, group in old.groups.items():
        if name not in new.groups and name not in group_names:
            fields = _changes(group_values(group, unit_names), {})
            result.append(UnitDiff(name, "group", "removed", path, 0, tuple(fields), group_affected(name, None)))
    return result


def _is(found: Unit | Group | None, group: str | None) -> bool:
    return isinstance(found, Group) and group is not None and found.name == group


# --- settings.yaml --------------------------------------------------------------------------


def _settings_diff(base: Snapshot, head: Snapshot) -> Iterable[Change]:
    def values(snapshot: Snapshot) -> dict[str, Value]:
        s = snapshot.workspace.settings
        channels = tuple(f"{c.name}（{c.type.value}）" for c in s.channels)
        return {
            "warn_days": s.warn_days,
            "lights": s.scheme.value,
            "stale_weeks": s.stale_weeks,
            "remind_days": s.remind_days,
            "channels": channels,
        }

    return _changes(values(base), values(head))
