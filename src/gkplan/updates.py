"""What a progress command means for one task: the fields to write, or a refusal. Pure: no I/O, no clock.

``store.writer`` calls ``plan_edit`` on the task as it is on disk *while holding the
file lock*, so the rules (``verify`` only a finished task, ``reopen`` withdraws 核销)
are always judged against the current data, never a stale copy.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gkplan.errors import NotFoundError, UpdateRefused, UsageError
from gkplan.model import Group, Status, Task, UnitDirectory


class Action(StrEnum):
    START = "start"
    DONE = "done"
    BLOCK = "block"
    REOPEN = "reopen"
    VERIFY = "verify"
    NOTE = "note"


# The unit status each status command records.
ACTION_STATUS: dict[Action, Status] = {
    Action.START: Status.DOING,
    Action.DONE: Status.DONE,
    Action.BLOCK: Status.BLOCKED,
    Action.REOPEN: Status.TODO,
}

FieldWrite = tuple[str, str | None]  # (field, new text); None removes the field


def refuse_hidden(value: str | None, what: str) -> None:
    """A control character or line break typed into a value bound for the data (``note … $'\\e]52;…'``)
    is refused: it would reach every terminal, log and spreadsheet that shows the plan."""
    from gkplan.textsafe import has_control

    char = has_control(value or "")
    if char is not None:
        raise UsageError(
            f"{what} 含有控制字符 U+{ord(char):04X}，不能写入计划",
            hint="请只写普通文字；说明需要分行时，请分成几句用「；」隔开",
        )


@dataclass(frozen=True, slots=True)
class Request:
    """One command as typed: ``gkplan done 2 --unit 办公室 --date … --note … --by …``."""

    action: Action
    unit: str | None = None  # as typed (name or alias); None = the task's only unit
    day: date | None = None
    note: str | None = None  # None = not given; "" = remove the note
    by: str = ""


@dataclass(frozen=True, slots=True)
class Edit:
    """The field-level change to one task's YAML.

    ``progress`` applies to ``unit``'s entry under ``progress:`` (created if absent);
    ``verified`` replaces the fields of ``verified:``; ``clear_verified`` deletes it.
    """

    unit: str | None = None  # canonical unit name
    progress: tuple[FieldWrite, ...] = ()
    verified: tuple[FieldWrite, ...] | None = None
    clear_verified: bool = False
    dropped_note: str = ""  # the note a status change removed, to tell the user


def resolve_unit(task: Task, typed: str | None, directory: UnitDirectory, key: str) -> str:
    """The responsible unit a ``--unit`` value names (alias allowed, group refused)."""
    responsible = "、".join(task.responsible) or "（无）"
    if typed is None or not typed.strip():
        if len(task.responsible) == 1:
            return task.responsible[0]
        raise UsageError(
            f"任务 {key} 有 {len(task.responsible)} 个责任单位，请用 --unit 指明登记哪一个",
            hint=f"可选：{responsible}",
        )
    name = typed.strip()
    found = directory.lookup(name)
    if isinstance(found, Group):
        members = [m for m in found.members if m in task.responsible]  # a member that is responsible for this task
        example = members[0] if members else (task.responsible[0] if task.responsible else "就业培训科")
        mine = f"；本任务中属于该组的：{'、'.join(members)}" if members else f"；本任务的责任单位：{responsible}"
        raise UsageError(
            f"「{name}」是单位组（{'、'.join(found.members)}），进展要按单位分别登记",
            hint=f"请在 --unit 写其中一个单位，如 --unit {example}{mine}",
        )
    if found is None:
        close = difflib.get_close_matches(name, [*task.responsible, *directory.known_names()], n=3, cutoff=0.3)
        raise NotFoundError(
            f"没有名为「{name}」的单位",
            suggestions=tuple(dict.fromkeys(close)),
            hint="" if close else f"任务 {key} 的责任单位：{responsible}",
        )
    if found.name not in task.responsible:
        raise NotFoundError(
            f"「{found.name}」不是任务 {key} 的责任单位",
            hint=f"本任务的责任单位：{responsible}",
        )
    return found.name


def plan_edit(task: Task, request: Request, directory: UnitDirectory, key: str) -> Edit:
    """The change ``request`` makes to ``task``, or a ``GkplanError`` saying why it is refused."""
    if request.action is Action.VERIFY:
        return _verify(task, request, key)
    unit = resolve_unit(task, request.unit, directory, key)
    current = task.progress.get(unit)
    if request.action is Action.NOTE:
        if not request.note and (current is None or not current.note):
            return Edit(unit=unit)  # nothing to remove
        changes: list[FieldWrite] = []
        if current is None:
            changes.append(("status", Status.TODO.value))  # a progress entry always has a status
        changes.append(("note", request.note or None))
        return Edit(unit=unit, progress=tuple(changes))
    status = ACTION_STATUS[request.action]
    day = request.day.isoformat() if request.day else None
    same = current is not None and current.status is status
    # A note describes the status it was written with: a new status starts without
    # one unless given; repeating the same status keeps it unless a new one is given.
    note: str | None
    if request.note is not None:
        note = request.note or None
    else:
        note = (current.note or None) if same and current is not None else None
    dropped = current.note if current is not None and current.note and note is None and request.note is None else ""
    changes = [("status", status.value), ("date", day), ("by", request.by or None), ("note", note)]
    clear = task.verified is not None and status is not Status.DONE
    return Edit(unit=unit, progress=tuple(changes), clear_verified=clear, dropped_note=dropped)


def _verify(task: Task, request: Request, key: str) -> Edit:
    if request.unit:
        raise UsageError("核销针对整个任务，不按单位登记", hint=f"请去掉 --unit：gkplan verify {key}")
    pending = [u for u in task.responsible if task.unit_status(u) is not Status.DONE]
    if pending or not task.responsible:
        listed = "、".join(f"{u}（{task.unit_status(u).label}）" for u in pending) or "（任务没有责任单位）"
        raise UpdateRefused(
            f"任务 {key} 还没有全部完成，不能核销",
            hint=f"未完成的单位：{listed}；请各单位先登记完成（gkplan done {key} --unit …）",
        )
    day = request.day.isoformat() if request.day else None
    return Edit(verified=(("date", day), ("by", request.by or None), ("note", request.note or None)))


def describe(before: Task, after: Task, edit: Edit, request: Request, key: str, *, changed: bool) -> str:
    """The one line a successful command prints, e.g. ``任务 2：就业培训科 已完成（2022-09-20）；任务状态：进行中``."""
    when = f"（{request.day.isoformat()}）" if request.day else ""
    if request.action is Action.VERIFY:
        who = f"，{request.by}" if request.by else ""
        head = f"任务 {key}：已核销（{request.day.isoformat() if request.day else '未写日期'}{who}）"
    elif request.action is Action.NOTE:
        if request.note:
            head = f"任务 {key}：{edit.unit} 的说明已更新：{request.note}"
        else:
            head = f"任务 {key}：{edit.unit} 的说明已删除"
    else:
        status = ACTION_STATUS[request.action]
        verb = "重新打开，改为未开始" if request.action is Action.REOPEN else status.label
        head = f"任务 {key}：{edit.unit} {verb}{when}"
        if request.note:
            head += f"，说明：{request.note}"
    parts = [head if changed else f"{head}（与原记录相同，文件未改动）", f"任务状态：{after.status.label}"]
    if edit.clear_verified and before.verified is not None:
        parts.append("原核销记录已撤销（任务不再是全部完成）")
    if edit.dropped_note:
        parts.append(f"原说明「{edit.dropped_note}」已随状态变更删除")
    if after.status is Status.DONE and before.status is not Status.DONE:
        parts.append(f"全部 {len(after.responsible)} 个责任单位已完成，可核销：gkplan verify {key}")
    return "；".join(parts)
