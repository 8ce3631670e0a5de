"""Pure filters, sorts and per-unit evaluation: tasks in, rows out. "today" is always passed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gkplan import model
from gkplan.deadlines import Occurrence, due_as_of, last_passed
from gkplan.errors import NotFoundError
from gkplan.model import DEFAULT_WARN_DAYS, FINISHED, Deadline, DeadlineKind, Group, Light, Plan, Status, Task, Unit, normalize_section_code


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose part of the tasks a report is about: everyone, one unit, or a group's members."""

    name: str | None = None  # as the user typed it, resolved to a canonical name
    units: tuple[str, ...] = ()  # canonical unit names; empty = every responsible unit

    @property
    def everyone(self) -> bool:
        return self.name is None


EVERYONE = Scope()


@dataclass(slots=True)
class Row:
    """One task as a report sees it, for a scope, on a given day (never changed once made:
    not frozen only because a frozen __init__ costs twice as much, 20,000 times a report)."""

    task: Task
    units: tuple[str, ...]  # the responsible units inside the scope
    status: Status  # derived over ``units``
    due: date | None
    days_left: int | None  # negative when late
    overdue: bool
    late_units: tuple[str, ...]  # units in scope whose part is late
    light: Light
    stale_units: tuple[str, ...] = ()  # units in scope with no progress on a continuing duty for too long

    @property
    def kind(self) -> DeadlineKind:
        return self.task.deadline.kind

    @property
    def behind_units(self) -> tuple[str, ...]:
        """The units behind on a late task; when every responsible unit is, the units as the plan
        wrote them (局属各单位 rather than its seven members)."""
        late, responsible = self.late_units, self.task.responsible
        if late is responsible or set(late) == set(responsible):  # hot: usually the very tuple (nothing recorded)
            return self.task.units
        return self.late_units


def resolve_scope(plans: Sequence[Plan], name: str | None) -> Scope:
    """Turn ``--unit NAME`` into a scope; an unknown name raises with the closest names."""
    if name is None or not name.strip():
        return EVERYONE
    found: Unit | Group | None = None
    members: list[str] = []
    for plan in plans:
        entry = plan.units.lookup(name)
        if entry is None:
            continue
        found = entry
        for unit in entry.members if isinstance(entry, Group) else (entry.name,):
            if unit not in members:
                members.append(unit)
    if found is None:
        known = sorted({n for plan in plans for n in plan.units.known_names()})
        import difflib  # only for a name that is not found: not worth its import on every run

        close = tuple(difflib.get_close_matches(name.strip(), known, n=3, cutoff=0.3))
        hint = "" if close else "用 gkplan units 查看全部单位"
        raise NotFoundError(f"没有名为「{name.strip()}」的单位或单位组", suggestions=close, hint=hint)
    return Scope(found.name, tuple(members))


def evaluate(
    task: Task,
    today: date,
    scope: Scope = EVERYONE,
    warn_days: int = DEFAULT_WARN_DAYS,
    *,
    stale_weeks: int = 0,
) -> Row:
    """How ``task`` stands on ``today`` for the units in ``scope``.

    Red: a unit in scope is late. Yellow: due within ``warn_days``, or (with
    ``stale_weeks``) a continuing duty some unit has not touched for that long,
    since a 全年 task's year-end date says nothing about whether anyone works on it.
    A unit's own part is read only through ``part_state`` (``tally_units`` relies on it).
    """
    wanted = scope.units
    if scope.name is None:
        units = task.responsible
    elif len(wanted) == 1:  # one unit's part (summary evaluates ~30,000 of these)
        units = wanted if wanted[0] in task.responsible else ()
    else:
        units = tuple(u for u in task.responsible if u in wanted)
    progress = task.progress
    status = task.status_of(units) if units else task.status
    deadline = task.deadline
    due = due_as_of(deadline, today)
    late: tuple[str, ...] = ()
    if deadline.kind is DeadlineKind.RECURRING:
        missed = last_passed(deadline, today)
        if missed is not None and task.verified is None:
            late = tuple(u for u in units if missed_occurrence(task, u, missed))
        if late and missed is not None:
            due = missed.due  # the row shows the occurrence the unit missed, and how long ago
    elif due is not None and due < today and task.verified is None:
        # hot: most late tasks have nothing recorded, and then every unit in scope is late
        late = tuple(u for u in units if (entry := progress.get(u)) is None or entry.status not in FINISHED) if progress else units
    days_left = (due - today).days if due else None
    stale = stale_units(task, units, today, stale_weeks) if stale_weeks else ()
    if status in FINISHED:
        light = Light.DONE
    elif days_left is None:
        light = Light.NONE
    elif late:
        light = Light.RED
    elif days_left <= warn_days or stale:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return Row(task, units, status, due, days_left, bool(late), late, light, stale)


PartState = tuple[Status, date | None] | None


def part_state(task: Task, unit: str, stale_weeks: int = 0) -> PartState:
    """All that ``evaluate`` (and the rules it calls) reads of one unit's own part: its
    status, and its date where a rule reads it (a recurring deadline's occurrences; a
    continuing duty's staleness, with ``stale_weeks``); ``None`` when it recorded nothing.
    Units in the same state evaluate alike on every task with the same deadline and
    verification: ``tally_units`` evaluates each such combination once."""
    entry = task.progress.get(unit)
    if entry is None:
        return None
    kind = task.deadline.kind
    dated = kind is DeadlineKind.RECURRING or (stale_weeks > 0 and kind is DeadlineKind.ONGOING)
    return (entry.status, entry.date if dated else None)


def last_progress(task: Task, unit: str) -> date | None:
    """The date of a unit's latest dated progress record on a task (``None``: none dated)."""
    entry = task.progress.get(unit)
    return entry.date if entry else None


def stale_units(task: Task, units: tuple[str, ...], today: date, weeks: int) -> tuple[str, ...]:
    """Units of a continuing duty (全年) with no dated progress for ``weeks`` weeks.

    Counted from the unit's latest dated record, or from the start of the duty
    (1 January of the plan year) when it has none; a record without a date is no
    evidence of when anyone last worked on it. Finished units are never stale.
    """
    deadline = task.deadline
    if weeks <= 0 or deadline.kind is not DeadlineKind.ONGOING or deadline.start is None:
        return ()
    limit = weeks * 7
    result = []
    for unit in units:
        if task.unit_status(unit).finished:
            continue
        since = last_progress(task, unit) or deadline.start
        if (today - since).days >= limit:
            result.append(unit)
    return tuple(result)


def missed_occurrence(task: Task, unit: str, occurrence: Occurrence) -> bool:
    """Whether ``unit`` is late on a recurring task whose ``occurrence`` has passed.

    A unit that finished its part (done) is never late. Otherwise it is late unless
    it recorded progress dated on or after the first day of that occurrence's period:
    inside the period, or after its due day (a late report still clears it).
    Progress without a date cannot be placed in a period, so it does not count.
    """
    if task.unit_status(unit).finished:
        return False
    entry = task.progress.get(unit)
    return entry is None or entry.date is None or entry.date < occurrence.start


def rows_for(
    tasks: Iterable[Task],
    today: date,
    scope: Scope = EVERYONE,
    warn_days: int = DEFAULT_WARN_DAYS,
    *,
    stale_weeks: int = 0,
) -> list[Row]:
    """Evaluate every task the scope has a part in."""
    wanted = set(scope.units)
    return [
        evaluate(task, today, scope, warn_days, stale_weeks=stale_weeks)
        for task in tasks
        if scope.everyone or wanted.intersection(task.responsible)
    ]


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``list`` narrows by; ``None`` means "no filter"."""

    statuses: tuple[Status, ...] = ()
    section: str | None = None
    search: str | None = None
    due_before: date | None = None
    due_after: date | None = None


def apply_filters(rows: Iterable[Row], filters: Filters, plans: Sequence[Plan] = ()) -> list[Row]:
    """The rows ``filters`` keep; a ``--section`` that names no section is an error, not an empty list."""
    if filters.section and plans:
        check_section(filters.section, plans)
    result = []
    needle = filters.search.strip().lower() if filters.search else ""
    for row in rows:
        if filters.statuses and row.status not in filters.statuses:
            continue
        if filters.section and not section_matches(row.task, filters.section, plans):
            continue
        if needle and needle not in row.task.name.lower() and needle not in row.task.content.lower():
            continue
        if filters.due_before and (row.due is None or row.due >= filters.due_before):
            continue
        if filters.due_after and (row.due is None or row.due <= filters.due_after):
            continue
        result.append(row)
    return result


def section_matches(task: Task, wanted: str, plans: Sequence[Plan]) -> bool:
    """``一`` matches every 一（…）; ``一（一）``/``1.1`` one part; other text a section title."""
    code = normalize_section_code(wanted)
    codes = {section.code for plan in plans for section in plan.sections}
    if code in codes or not plans:
        return task.section == code or task.section.split("（")[0] == code
    text = wanted.strip()
    for plan in plans:
        if plan.id != task.plan:
            continue
        for section in plan.sections:
            if text and text in section.title and task.section in (section.code, *_children(plan, section.code)):
                return True
    return False


def check_section(wanted: str, plans: Sequence[Plan]) -> None:
    """Raise ``NotFoundError`` naming the known sections when ``wanted`` is neither a code nor words of a title."""
    code = normalize_section_code(wanted)
    text = wanted.strip()
    sections = [section for plan in plans for section in plan.sections]
    if any(section.code == code or (text and text in section.title) for section in sections):
        return
    known = list(dict.fromkeys(f"{s.code} {s.title}" for s in sections if s.parent is None))
    hint = (
        ("已有章节：" + "；".join(known) + "（也可写 一（一）、1.1 或小标题中的文字）") if known else "计划中没有 sections，无法按章节筛选"
    )
    raise NotFoundError(f"没有章节「{wanted}」", hint=hint)


def _children(plan: Plan, code: str) -> list[str]:
    return [s.code for s in plan.sections if s.parent == code]


NOTE_KINDS = (DeadlineKind.MISSING, DeadlineKind.UNDATED, DeadlineKind.RELATIVE)  # dates assumed, or not known


def deadline_notes(rows: Iterable[Row], qualified: bool) -> list[str]:
    """Footnotes for deadlines whose date was assumed or cannot be known (``NOTE_KINDS``),
    once per task, in row order. Other notes (a recurring duty's occurrences, words the
    engine skipped) are for ``gkplan show`` and ``gkplan check``, not for every listing."""
    seen: list[str] = []
    for row in rows:
        deadline = row.task.deadline
        if deadline.note and deadline.kind in NOTE_KINDS:
            text = f"任务 {row.task.key(qualified)}：{deadline.note}"
            if text not in seen:
                seen.append(text)
    return seen


def overdue(rows: Iterable[Row]) -> list[Row]:
    """Due strictly before today and not finished (a task due today is not late)."""
    return [row for row in rows if row.overdue]


def due_before(tasks: Iterable[Task], today: date) -> list[Task]:
    """The only tasks that can be overdue: a due date passed, or a recurring occurrence did.

    A cheap pre-filter so ``overdue`` evaluates a few rows, not every task.
    """
    return [task for task in tasks if may_be_late(task.deadline, today)]


def late_filter(today: date) -> Callable[[int, Deadline], bool]:
    """``may_be_late`` for the loader (by task id and deadline), worked out once per deadline
    object: the loader shares them (20,000 tasks have a few hundred distinct ones)."""
    known: dict[int, tuple[Deadline, bool]] = {}  # by id; the deadline is kept, so its id is never reused

    def keep(_task_id: int, deadline: Deadline) -> bool:
        entry = known.get(id(deadline))
        if entry is None or entry[0] is not deadline:
            entry = known[id(deadline)] = (deadline, may_be_late(deadline, today))
        return entry[1]

    return keep


def may_be_late(deadline: Deadline, today: date) -> bool:
    """Whether a task with this deadline can be overdue on ``today`` (its due date, or a
    recurring occurrence's, has passed); the loader also uses it to build only those tasks."""
    due = due_as_of(deadline, today)
    if due is not None and due < today:
        return True
    return deadline.kind is DeadlineKind.RECURRING and last_passed(deadline, today) is not None


def due_within(rows: Iterable[Row], today: date, days: int) -> list[Row]:
    """Not finished and due from today to today + ``days`` inclusive."""
    return [row for row in rows if not row.status.finished and row.days_left is not None and 0 <= row.days_left <= days]


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    """By due date (undated last), then plan, then id."""
    return sorted(rows, key=lambda r: (r.due is None, r.due or date.max, r.task.plan, r.task.id))


def split_task_key(key: str) -> tuple[str, int] | None:
    """``2`` -> ``("", 2)``, ``2022:2`` (or ``2022：2``) -> ``("2022", 2)``; ``None``: not a task key."""
    plan_id, _, number = key.strip().replace("：", ":").rpartition(":")
    try:
        return plan_id, int(number)
    except ValueError:
        return None


def task_id_filter(key: str) -> model.TaskIds | None:
    """For the loader: build only the tasks with the id ``key`` names (``None``: not a key; ``find_task`` says so)."""
    parsed = split_task_key(key)
    if parsed is None:
        return None
    return model.TaskIds(frozenset((parsed[1],)))


def find_task(plans: Sequence[Plan], key: str) -> Task:
    """``2`` or ``2022:2``; an unqualified id must be unique among the loaded plans."""
    parsed = split_task_key(key)
    if parsed is None:
        raise NotFoundError(f"「{key}」不是任务序号", hint="请写数字，如 2；多个计划时写 2022:2")
    plan_id, task_id = parsed
    matches = [t for p in plans if not plan_id or p.id == plan_id for t in p.tasks if t.id == task_id]
    if not matches:
        if plan_id and not any(p.id == plan_id for p in plans):
            raise NotFoundError(f"没有计划「{plan_id}」", suggestions=tuple(p.id for p in plans))
        raise NotFoundError(f"没有序号为 {key} 的任务", hint="用 gkplan list 查看全部任务")
    if len(matches) > 1:
        raise NotFoundError(
            f"序号 {task_id} 在多个计划中都有",
            suggestions=tuple(f"{t.plan}:{t.id}" for t in matches),
        )
    return matches[0]


@dataclass(frozen=True, slots=True)
class UnitTally:
    """One unit's own parts of the tasks, counted, with its light: what ``summary``, ``report``
    and ``review`` show for a unit. ``parts`` are the unit's rows, evaluated for it alone."""

    unit: str
    kind: str
    bureau: str  # folder of the units.yaml that defines the unit ("" for the data root)
    parts: tuple[Row, ...]
    tasks: int
    done: int
    verified: int
    late: int
    due_soon: int
    stale: int  # stale and not late (a late part is already red)
    blocked: int
    light: Light

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.tasks if self.tasks else 0.0


def unit_light(late: int, due_soon: int, stale: int, done: int, tasks: int) -> Light:
    """A unit's light: red when any part is late, yellow when any is due soon or stale."""
    if late:
        return Light.RED
    if due_soon or stale:
        return Light.YELLOW
    if tasks and done == tasks:
        return Light.DONE
    return Light.GREEN if tasks else Light.NONE


def tally_units(
    plans: Sequence[Plan],
    today: date,
    scope: Scope = EVERYONE,
    warn_days: int = DEFAULT_WARN_DAYS,
    *,
    stale_weeks: int = 0,
    keep_parts: bool = False,
) -> list[UnitTally]:
    """One tally per unit (per bureau) in scope, in the order units.yaml lists them, then any
    unit the tasks name that units.yaml does not. Units with no part have ``tasks == 0``.
    ``keep_parts``: also keep each unit's rows (``review`` judges them); counting alone keeps
    none, since 20,000 tasks make ~100,000 parts for the garbage collector to walk."""
    order: dict[tuple[str, str], str] = {}  # (bureau, unit) -> kind, in order
    counts: dict[tuple[str, str], list[int]] = {}  # tasks, done, verified, late, due soon, stale, blocked
    parts: dict[tuple[str, str], list[Row]] = {}
    wanted = set(scope.units)
    everyone = scope.everyone
    alone: dict[str, Scope] = {}  # see ``_alone``
    known: dict[tuple[int, bool, PartState], tuple[int, ...]] = {}  # what a part adds, by deadline, verification, state
    together: dict[tuple[str, tuple[str, ...], tuple[int, ...]], int] = {}  # (bureau, units, what a part adds) -> tasks
    for plan in plans:
        bureau = bureau_of(plan)
        for entry in plan.units.units.values():
            if everyone or entry.name in wanted:
                order.setdefault((bureau, entry.name), entry.kind)
        met: set[tuple[str, ...]] = set()  # unit lists already entered in ``order``
        for task in plan.tasks:
            names = task.responsible if everyone else tuple(n for n in task.responsible if n in wanted)
            if not names:
                continue
            if names not in met:
                met.add(names)
                for name in names:
                    order.setdefault((bureau, name), "")
            if keep_parts:  # ``review``: every part's row is kept, so each is evaluated
                for name in names:
                    row = evaluate(task, today, _alone(alone, name), warn_days, stale_weeks=stale_weeks)
                    parts.setdefault((bureau, name), []).append(row)
                    adds = _counted(row, warn_days)
                    together[bureau, (name,), adds] = together.get((bureau, (name,), adds), 0) + 1
                continue
            # Units whose parts stand alike (``part_state``: nothing recorded, or the same status
            # on the same day) count alike: each such state is evaluated once per task, and
            # counted once for all its units (a task with nothing recorded: once in all).
            if task.progress:
                alike: dict[PartState, list[str]] = {}
                for name in names:
                    alike.setdefault(part_state(task, name, stale_weeks), []).append(name)
                groups = [(state, tuple(members)) for state, members in alike.items()]
            else:
                groups = [(None, names)]
            for state, members in groups:
                # And a part evaluates alike on every task with the same deadline and verification
                # (all else ``evaluate`` reads is the part's state): 20,000 tasks, a few hundred kinds.
                seen = (id(task.deadline), task.verified is None, state)  # the tasks keep their deadlines alive
                found = known.get(seen)
                if found is None:
                    row = evaluate(task, today, _alone(alone, members[0]), warn_days, stale_weeks=stale_weeks)
                    found = known[seen] = _counted(row, warn_days)
                together[bureau, members, found] = together.get((bureau, members, found), 0) + 1
    for (bureau, names, counted), times in together.items():  # summed at the end: one entry per kind of part above
        for name in names:
            tally = counts.get((bureau, name)) or counts.setdefault((bureau, name), [0] * 7)
            for index, value in enumerate(counted):
                tally[index] += value * times
    result = []
    for key, kind in order.items():
        tasks, done, verified, late, soon, stale, blocked = counts.get(key, [0] * 7)
        light = unit_light(late, soon, stale, done, tasks)
        result.append(UnitTally(key[1], kind, key[0], tuple(parts.get(key, ())), tasks, done, verified, late, soon, stale, blocked, light))
    return result


def _alone(scopes: dict[str, Scope], name: str) -> Scope:
    """One unit's scope, made once per unit."""
    return scopes.get(name) or scopes.setdefault(name, Scope(name, (name,)))


def _counted(row: Row, warn_days: int) -> tuple[int, ...]:
    """What one part adds to its unit's tally: tasks, done, verified, late, due soon, stale, blocked."""
    finished = row.status.finished
    return (
        1,
        finished,
        finished and row.task.verified is not None,
        row.overdue,
        not finished and row.days_left is not None and 0 <= row.days_left <= warn_days,
        bool(row.stale_units) and not row.overdue,  # a late part is already red
        row.status is Status.BLOCKED,
    )


def bureau_of(plan: Plan) -> str:
    """The folder of the units.yaml a plan's units come from: one bureau per folder."""
    source = plan.units.source
    if source is None or "/" not in source.path.replace("\\", "/"):
        return ""
    return source.path.replace("\\", "/").rsplit("/", 1)[0]


def task_counts(plans: Sequence[Plan]) -> dict[str, int]:
    """How many tasks each unit and each group has a part in (written or through a group)."""
    counts: dict[str, int] = {}
    for plan in plans:
        for task in plan.tasks:
            for name in task.responsible:
                counts[name] = counts.get(name, 0) + 1
            for group in plan.units.groups.values():
                if set(group.members).intersection(task.responsible):
                    counts[group.name] = counts.get(group.name, 0) + 1
    return counts
