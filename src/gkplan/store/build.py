"""Map plain YAML data (from ``reader``) to the model, collecting every problem.

The builder never stops at the first problem: it records a ``Problem`` with the
file, line and a fix, skips or defaults what it cannot use, and goes on, so that
``check`` can list everything in one run and reports keep working around one bad row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from gkplan.deadlines import deadline_for_task, resolve_deadline
from gkplan.errors import DeadlineError, Problem, Severity
from gkplan.model import (
    UNIT_STATUSES,
    Deadline,
    DeadlineKind,
    Group,
    Plan,
    Progress,
    Section,
    Source,
    Status,
    Task,
    Unit,
    UnitDirectory,
    Verification,
    normalize_section_code,
    valid_email,
)
from gkplan.store.reader import LINES, fields, position

PLAN_FIELDS = ("id", "title", "doc_number", "issuer", "issued", "year")
TASK_FIELDS = (
    "id",
    "section",
    "name",
    "content",
    "units",
    "deadline",
    "anchor",
    "progress",
    "verified",
)
TASK_REQUIRED = ("id", "name", "content", "units")
PROGRESS_FIELDS = ("status", "date", "by", "note")
VERIFIED_FIELDS = ("date", "by", "note")
SECTION_FIELDS = ("code", "title")
UNIT_FIELDS = ("kind", "aliases", "email")
GROUP_FIELDS = ("kind", "members", "aliases")
TASKS_TOP = ("plan", "sections", "tasks")
UNITS_TOP = ("units", "groups")

# Chinese column names people type out of habit -> the field they mean.
CHINESE_FIELDS = {
    "序号": "id",
    "编号": "id",
    "章节": "section",
    "任务名称": "name",
    "名称": "name",
    "任务内容": "content",
    "内容": "content",
    "责任单位": "units",
    "单位": "units",
    "时间节点": "deadline",
    "完成时限": "deadline",
    "截止时间": "deadline",
    "期限": "deadline",
    "起算日": "anchor",
    "进展": "progress",
    "核销": "verified",
    "状态": "status",
    "日期": "date",
    "登记人": "by",
    "备注": "note",
    "说明": "note",
    "标题": "title",
    "文号": "doc_number",
    "发文单位": "issuer",
    "印发日期": "issued",
    "年度": "year",
    "年份": "year",
    "类别": "kind",
    "简称": "aliases",
    "别名": "aliases",
    "成员": "members",
    "计划": "plan",
    "任务": "tasks",
    "单位组": "groups",
}

_SECTION_CODE = re.compile(r"^[一二三四五六七八九十]+(（[一二三四五六七八九十]+）)?$")


class Collector:
    """Problems of one file, with helpers that locate them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(
        self,
        where: Any,
        key: str | int,
        code: str,
        message: str,
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.add_at(position(where, key), code, message, hint, severity)

    def add_at(self, where: tuple[int, int], code: str, message: str, hint: str = "", severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.path, where[0], where[1], severity, code, message, hint))

    def source(self, where: Any, key: str | int = "") -> Source:
        line, col = position(where, key)
        return Source(self.path, line, col)

    def add_top(self, code: str, message: str, hint: str = "") -> None:
        """A problem with the whole document, shown at its first line."""
        self.problems.append(Problem(self.path, 1, 1, Severity.ERROR, code, message, hint))

    def check_fields(self, mapping: dict[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in fields(mapping):
            if key not in allowed:
                meant = CHINESE_FIELDS.get(str(key).strip())
                close = difflib.get_close_matches(str(key).strip().lower(), allowed, n=1, cutoff=0.6)
                if meant in allowed:
                    hint = f"字段名请用英文：「{key}」应写作「{meant}」"
                elif close:
                    hint = f"是不是「{close[0]}」？"
                else:
                    hint = f"可用的字段：{', '.join(allowed)}"
                self.add(mapping, key, "unknown-field", f"{what}中有未知字段「{key}」", hint)

    def text(self, mapping: dict[Any, Any], key: str, what: str, *, required: bool = False) -> str:
        value = mapping.get(key)
        if value is None:
            if required:
                self.add(mapping, key if key in mapping else "", "missing-field", f"{what}缺少「{key}」", f"请补上 {key}: …")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(
                mapping,
                key,
                "wrong-type",
                f"{what}的「{key}」应是文字",
                "如果是 yes/no/on/off 之类的词，请加引号",
            )
            return ""
        return str(value).strip()

    def day(self, mapping: dict[Any, Any], key: str, what: str) -> date | None:
        value = mapping.get(key)
        if value is None:
            return None
        parsed = parse_iso_date(value)
        if parsed is None:
            self.add(
                mapping,
                key,
                "bad-date",
                f"{what}的「{key}: {value}」不是有效日期",
                "请写成 YYYY-MM-DD，例如 2022-09-30",
            )
        return parsed


def parse_iso_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def build_units(data: Any, path: str) -> tuple[UnitDirectory, list[Problem]]:
    """``units.yaml`` -> ``UnitDirectory``."""
    out = Collector(path)
    if data is None:
        out.add_top("empty-file", "units.yaml 是空的", "请写 units: 下的各单位，格式见 README")
        return UnitDirectory(source=Source(path)), out.problems
    if not isinstance(data, dict):
        out.add_top("wrong-type", f"units.yaml 顶层应是映射（units: / groups:），现在是{_kind(data)}", "请以 units: 开头")
        return UnitDirectory(source=Source(path)), out.problems
    out.check_fields(data, UNITS_TOP, "units.yaml ")
    if data.get("units") is None:
        where = "units" if "units" in data else ""
        out.add(data, where, "missing-field", "units.yaml 没有定义任何单位（units:）", "请在 units: 下每行写一个单位")
    units: dict[str, Unit] = {}
    seen_names: dict[str, str] = {}  # every name and alias -> owner, to refuse doubles

    def claim(owner_map: Any, key: str, name: str, owner: str) -> bool:
        if name in seen_names:
            out.add(
                owner_map,
                key,
                "duplicate-unit",
                f"名称「{name}」重复定义（已是「{seen_names[name]}」的名称或简称）",
                "每个单位名和简称只能出现一次",
            )
            return False
        seen_names[name] = owner
        return True

    raw_units = data.get("units") or {}
    if not isinstance(raw_units, dict):
        out.add(data, "units", "wrong-type", "units 应是映射：每行一个「单位名: {kind: …}」")
        raw_units = {}
    for name in fields(raw_units):
        entry = raw_units[name]
        name = str(name).strip()
        if not isinstance(entry, dict):
            out.add(raw_units, name, "wrong-type", f"单位「{name}」应写成 {{kind: 局机关科室}} 这样的映射")
            entry = {}
        out.check_fields(entry, UNIT_FIELDS, f"单位「{name}」")
        kind = out.text(entry, "kind", f"单位「{name}」", required=True)
        aliases = _names(entry, "aliases", out, f"单位「{name}」")
        email = email_addresses(entry, "email", out, f"单位「{name}」")
        if not claim(raw_units, name, name, name):
            continue
        aliases = tuple(a for a in aliases if claim(entry, "aliases", a, name))
        units[name] = Unit(name, kind, aliases, out.source(raw_units, name), email)

    groups: dict[str, Group] = {}
    raw_groups = data.get("groups") or {}
    if not isinstance(raw_groups, dict):
        out.add(data, "groups", "wrong-type", "groups 应是映射：每行一个「组名: {kind: …}」")
        raw_groups = {}
    kinds = {unit.kind for unit in units.values()}
    for name in fields(raw_groups):
        entry = raw_groups[name]
        name = str(name).strip()
        if not isinstance(entry, dict):
            out.add(raw_groups, name, "wrong-type", f"单位组「{name}」应写成 {{kind: …}} 或 {{members: […]}}")
            entry = {}
        out.check_fields(entry, GROUP_FIELDS, f"单位组「{name}」")
        what = f"单位组「{name}」"
        kind = out.text(entry, "kind", what)
        listed = _indexed_names(entry, "members", out, what)
        if not kind and not listed:
            out.add(raw_groups, name, "missing-field", f"{what}没有成员", "请写 kind: （按类别）或 members: [单位, …]")
        if kind and kind not in kinds:
            out.add(entry, "kind", "unknown-kind", f"{what}的类别「{kind}」没有任何单位", _suggest(kind, sorted(kinds)))
        members: list[str] = [u.name for u in units.values() if kind and u.kind == kind]
        for index, member in listed:
            found = units.get(member) or next((u for u in units.values() if member in u.aliases), None)
            if found is None:
                hint = _suggest(member, list(seen_names))
                out.add(entry, f"members[{index}]", "unknown-member", f"{what}的成员「{member}」不是已定义的单位", hint)
            elif found.name not in members:
                members.append(found.name)
        aliases = _names(entry, "aliases", out, what)
        if not claim(raw_groups, name, name, name):
            continue
        aliases = tuple(a for a in aliases if claim(entry, "aliases", a, name))
        groups[name] = Group(name, tuple(members), aliases, out.source(raw_groups, name))
    return UnitDirectory(units, groups, Source(path)), out.problems


def email_addresses(entry: dict[Any, Any], key: str, out: Collector, what: str) -> tuple[str, ...]:
    """An address or a list of them (units.yaml ``email:``, settings.yaml ``cc:``); bad ones are problems."""
    found = []
    for index, address in _indexed_names(entry, key, out, what):
        if valid_email(address):
            found.append(address)
        else:
            where = f"{key}[{index}]" if isinstance(entry.get(key), list) else key
            out.add(entry, where, "bad-email", f"{what}的「{key}」中「{address}」不是邮箱地址", "请只写地址本身，如 bgs@rsj.example")
    return tuple(found)


def _names(entry: dict[Any, Any], key: str, out: Collector, what: str) -> tuple[str, ...]:
    return tuple(name for _, name in _indexed_names(entry, key, out, what))


def _indexed_names(entry: dict[Any, Any], key: str, out: Collector, what: str) -> list[tuple[int, str]]:
    """The names of a list field, each with its index in the file (so problems point at its line)."""
    value = entry.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.add(entry, key, "wrong-type", f"{what}的「{key}」应是名称列表", f"例如 {key}: [名称一, 名称二]")
        return []
    return [(index, v.strip()) for index, v in enumerate(value) if v.strip()]


def _kind(value: Any) -> str:
    """What a value is, in words, for "should be a mapping, is a list" messages."""
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, str):
        return "一段文字"
    return "一个值"


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.4)
    return ("是不是：" + "、".join(close) + "？") if close else "请在 units.yaml 中添加，或改为已有的单位名"


def build_plan(
    data: Any,
    path: str,
    directory: UnitDirectory,
    *,
    default_id: str = "",
    units_ok: bool = True,
    streamed: TaskStream | None = None,
) -> tuple[Plan, list[Problem]]:
    """``tasks.yaml`` (one plan) -> ``Plan``; ``directory`` expands groups and aliases.

    ``units_ok=False`` (its ``units.yaml`` could not be read) skips the checks of unit
    names, which would otherwise flag every task. ``streamed``: the tasks were built as the
    file was read (``TaskStream``, which must ``hold`` for ``data``).
    """
    out = Collector(path)
    if data is None:
        out.add_top("empty-file", "计划文件是空的", "请写 plan:、sections:、tasks:，格式见 data/tasks.yaml 开头的说明")
        return Plan(default_id or "?", "", 0, source=Source(path)), out.problems
    if not isinstance(data, dict):
        out.add_top("wrong-type", f"计划文件顶层应是映射（plan: / sections: / tasks:），现在是{_kind(data)}", "请以 plan: 开头")
        return Plan(default_id or "?", "", 0, source=Source(path)), out.problems
    out.check_fields(data, TASKS_TOP, "计划文件")
    meta, year, plan_id = _plan_meta(data, out, default_id)
    sections = _sections(data.get("sections"), data, out)
    section_codes = {s.code for s in sections}
    tasks = _tasks(data.get("tasks"), data, out, plan_id, year, directory if units_ok else None, section_codes, streamed)
    plan = Plan(
        id=plan_id,
        title=out.text(meta, "title", "plan", required=True),
        year=year,
        doc_number=out.text(meta, "doc_number", "plan"),
        issuer=out.text(meta, "issuer", "plan"),
        issued=out.day(meta, "issued", "plan"),
        sections=sections,
        tasks=tasks,
        units=directory,
        source=Source(path),
    )
    return plan, out.problems


def _plan_meta(data: dict[Any, Any], out: Collector, default_id: str) -> tuple[dict[Any, Any], int, str]:
    """The ``plan:`` mapping, the plan's year and its id."""
    meta = data.get("plan")
    if not isinstance(meta, dict):
        out.add(data, "plan" if "plan" in data else "", "missing-field", "缺少 plan: 计划信息", "请写 plan: 下的 title、year 等")
        meta = {}
    out.check_fields(meta, PLAN_FIELDS, "plan ")
    year_value = meta.get("year")
    if isinstance(year_value, bool) or not isinstance(year_value, int) or not 2000 <= year_value <= 2100:
        out.add(meta, "year", "bad-year", f"plan.year 应是年份，如 2022（现为 {year_value!r}）", "请写 year: 2022")
        issued = parse_iso_date(meta.get("issued"))
        year = issued.year if issued else 0  # 0: deadlines stay undated, see deadline_for_task
    else:
        year = year_value
    return meta, year, out.text(meta, "id", "plan") or default_id or str(year)


_NOWHERE = (0, 0)
STREAMED: Any = object()
# (the stream, a task mapping of it, the task built from it if it is one of the plan's)
TaskWatch = Callable[
    ["TaskStream", dict[Any, Any], Task | None], None
]  # stands in a streamed plan's list of tasks for a task mapping already built


class TaskStream:
    """A plan's tasks built one by one as the reader completes them (``reader.parse_text``'s
    ``stream``), so a 20,000-task file is never held whole as plain data: each task's mapping
    goes as soon as its task is built, and ``STREAMED`` takes its place in the list.

    The tasks are built with the plan's id, year and sections as they stand when the first
    task arrives. ``holds`` says at the end whether that is still the whole file's (no
    ``plan:`` or ``sections:`` after the tasks, one list of tasks); if not, the file must be
    built again from its plain data (``build_plan`` without ``streamed``): same result, rare.
    """

    def __init__(
        self,
        path: str,
        directory: UnitDirectory,
        *,
        default_id: str = "",
        units_ok: bool = True,
        keep: Callable[[Task], bool] | None = None,
        watch: TaskWatch | None = None,
    ) -> None:
        self.path = path
        self.keep = keep  # sees every task built; those it refuses are left out of the plan
        self.watch = watch  # sees each task mapping before it goes (``gkplan check``)
        self.units = directory
        self.directory = directory if units_ok else None
        self.default_id = default_id
        self.builder: _TaskBuilder | None = None
        self.context: tuple[Any, Any] = (None, None)  # the ``plan:`` and ``sections:`` values the tasks were built with
        self.year = 0  # the plan's, and its sections, as the tasks were built with them
        self.sections: tuple[Section, ...] = ()
        self.count = 0
        self.restarted = False

    def item(self, root: dict[Any, Any], index: int, item: Any, where: tuple[int, int]) -> Any:
        """``reader.ItemHook``: build the task of one item of ``tasks:``."""
        if self.builder is None:
            scratch = Collector(self.path)  # their problems are build_plan's to report, from the whole file
            _, self.year, plan_id = _plan_meta(root, scratch, self.default_id)
            self.sections = _sections(root.get("sections"), root, scratch)
            self.context = (root.get("plan"), root.get("sections"))
            self.builder = _TaskBuilder(
                Collector(self.path), plan_id, self.year, self.directory, {s.code for s in self.sections}, self.keep
            )
        if index != self.count:
            self.restarted = True  # a second ``tasks:`` list (YAML keeps the last one)
        self.count += 1
        task = self.builder.add(index, item, where)
        if not isinstance(item, dict):
            return item
        if self.watch is not None:
            self.watch(self, item, task)
        return STREAMED

    def holds(self, data: Any) -> bool:
        """Whether the tasks built are those of ``data`` (the file's plain data, read with this stream)."""
        if self.builder is None or self.restarted or not isinstance(data, dict):
            return False
        tasks = data.get("tasks")
        plan, sections = self.context
        return data.get("plan") is plan and data.get("sections") is sections and isinstance(tasks, list) and len(tasks) == self.count


def _sections(raw: Any, parent: dict[Any, Any], out: Collector) -> tuple[Section, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        out.add(parent, "sections", "wrong-type", "sections 应是列表（- code: 一 …）")
        return ()
    result: list[Section] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            out.add(parent, f"sections[{index}]", "wrong-type", "sections 的每项应有 code 和 title", "例如  - code: 一（一）")
            continue
        out.check_fields(entry, SECTION_FIELDS, "章节")
        code = normalize_section_code(out.text(entry, "code", "章节", required=True))
        if code and not _SECTION_CODE.match(code):
            out.add(entry, "code", "bad-section", f"章节编号「{code}」看不懂", "请写 一 或 一（一） 这样的编号")
            continue
        if any(s.code == code for s in result):
            out.add(entry, "code", "duplicate-section", f"章节「{code}」重复")
            continue
        parent_code = code.split("（")[0] if "（" in code else None
        result.append(Section(code, out.text(entry, "title", "章节", required=True), parent_code, out.source(entry)))
    return tuple(result)


def _tasks(
    raw: Any,
    parent: dict[Any, Any],
    out: Collector,
    plan_id: str,
    year: int,
    directory: UnitDirectory | None,
    section_codes: set[str],
    streamed: TaskStream | None = None,
) -> tuple[Task, ...]:
    if raw is None:
        if "tasks" in parent:
            out.add(parent, "tasks", "empty-field", "tasks: 下没有任务", "请在 tasks: 下逐条列出任务（- id: …）")
        else:
            out.add(parent, "", "missing-field", "计划文件没有 tasks:", "请在 tasks: 下逐条列出任务")
        return ()
    if not isinstance(raw, list):
        out.add(parent, "tasks", "wrong-type", "tasks 应是列表，每项以 - id: 开头")
        return ()
    if not raw:  # an error like an empty file: a report on no tasks would say "nothing late" and look right
        out.add(parent, "tasks", "no-tasks", "计划中没有任何任务", "请在 tasks: 下逐条列出任务（- id: …），或用 gkplan import 导入")
        return ()
    if streamed is not None:  # built as the file was read
        assert streamed.builder is not None  # a non-empty list was streamed
        out.problems.extend(streamed.builder.out.problems)
        return tuple(streamed.builder.tasks)
    builder = _TaskBuilder(out, plan_id, year, directory, section_codes)
    for index, entry in enumerate(raw):
        builder.add(index, entry, position(parent, f"tasks[{index}]") if not isinstance(entry, dict) else _NOWHERE)
    return tuple(builder.tasks)


class _TaskBuilder:
    """The items of ``tasks:`` -> tasks, one at a time, in file order."""

    def __init__(
        self,
        out: Collector,
        plan_id: str,
        year: int,
        directory: UnitDirectory | None,
        section_codes: set[str],
        keep: Callable[[Task], bool] | None = None,
    ) -> None:
        self.out = out
        self.keep = keep
        self.plan_id = plan_id
        self.year = year
        self.directory = directory
        self.section_codes = section_codes
        self.tasks: list[Task] = []
        self.seen_ids: dict[int, int] = {}  # id -> line of the task that has it

    def add(self, index: int, entry: Any, where: tuple[int, int]) -> Task | None:
        """Item ``index`` of ``tasks:``, written at ``where`` (used only when it is not a mapping):
        its task when it is one of the plan's (even if ``keep`` leaves it out)."""
        out = self.out
        if not isinstance(entry, dict):
            out.add_at(where, "wrong-type", "tasks 的每一项应是一个任务（- id: … name: …）", "请检查这一项的缩进和冒号")
            return None
        task = _task(entry, out, self.plan_id, self.year, self.directory, self.section_codes)
        if task is None:
            return None
        if task.id in self.seen_ids:
            out.add(entry, "id", "duplicate-id", f"任务序号 {task.id} 重复（第 {self.seen_ids[task.id]} 行已有）", "请改为未用过的序号")
            return None
        self.seen_ids[task.id] = position(entry, "id")[0]
        if self.keep is None or self.keep(task):
            self.tasks.append(task)
        return task


def _task(
    entry: dict[Any, Any],
    out: Collector,
    plan_id: str,
    year: int,
    directory: UnitDirectory | None,
    section_codes: set[str],
) -> Task | None:
    out.check_fields(entry, TASK_FIELDS, "任务")
    raw_id = entry.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int) or raw_id < 1:
        if "id" in entry:
            shown = repr(raw_id) if len(repr(raw_id)) <= 40 else repr(raw_id)[:30] + f"…（共 {len(str(raw_id))} 个字符）"
            out.add(
                entry,
                "id",
                "bad-id",
                f"任务序号应是正整数（现为 {shown}）",
                "请写 id: 12 这样的数字，不加引号；不能是 1:30 这样的时间或超长数字",
            )
        else:
            out.add(entry, "", "missing-field", "任务缺少 id（序号）", "请补上 id: 数字")
        return None
    what = f"任务 {raw_id} "
    for key in TASK_REQUIRED:
        value = entry.get(key)
        if key not in entry:
            out.add(entry, "", "missing-field", f"{what}缺少「{key}」", f"请补上 {key}: …")
        elif value is None or value == [] or (isinstance(value, str) and not value.strip()):
            out.add(entry, key, "empty-field", f"{what}的「{key}」是空的", f"请填写 {key}；原表此栏空白时请在注释中说明")
    section = ""
    if "section" in entry:
        section = normalize_section_code(out.text(entry, "section", what))
        if section and section_codes and section not in section_codes:
            hint = _suggest(section, sorted(section_codes))
            out.add(entry, "section", "unknown-section", f"{what}的章节「{section}」不在 sections 中", hint)
    written = _written_units(entry, out, what)
    units = tuple(name for _, name in written)
    responsible: list[str] = []
    for index, name in written:
        if directory is None:  # units.yaml unreadable: keep the names, judge nothing
            if name not in responsible:
                responsible.append(name)
            continue
        expanded = directory.expand(name)
        if not expanded:
            out.add(
                entry,
                f"units[{index}]",
                "unknown-unit",
                f"{what}的责任单位「{name}」不是已知的单位、简称或单位组",
                _suggest(name, directory.known_names()),
            )
        for unit in expanded:
            if unit not in responsible:
                responsible.append(unit)
    anchor = out.day(entry, "anchor", what)
    deadline = _deadline(entry, out, what, year, anchor)
    progress = _progress(entry, out, what, directory, responsible) if directory is not None else {}
    verified = _verified(entry, out, what)
    task = Task(
        plan=plan_id,
        id=raw_id,
        name=out.text(entry, "name", what),
        content=out.text(entry, "content", what),
        section=section,
        units=units,
        responsible=tuple(responsible),
        deadline=deadline,
        anchor=anchor,
        progress=progress,
        verified=verified,
        source=out.source(entry),
    )
    if verified is not None and task.status is not Status.VERIFIED:
        hint = "请先让每个责任单位登记完成，或删除 verified"
        out.add(entry, "verified", "verified-not-done", f"{what}已登记核销，但还有单位未完成", hint)
    return task


def _written_units(entry: dict[Any, Any], out: Collector, what: str) -> list[tuple[int, str]]:
    """责任单位 as written, each with its index in the file's list (for the line of a problem)."""
    value = entry.get("units")
    if value is None:
        return []
    if isinstance(value, str):
        out.add(entry, "units", "wrong-type", f"{what}的 units 应是列表", "请每个单位一行：  - 就业培训科")
        value = [value]
    if not isinstance(value, list):
        out.add(entry, "units", "wrong-type", f"{what}的 units 应是单位名的列表", "请每个单位一行：  - 就业培训科")
        return []
    names: list[tuple[int, str]] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            out.add(entry, f"units[{index}]", "wrong-type", f"{what}的第 {index + 1} 个责任单位应是单位名", "请写单位名、简称或单位组名")
            continue
        names.append((index, item.strip()))
    return names


def _deadline(entry: dict[Any, Any], out: Collector, what: str, year: int, anchor: date | None) -> Deadline:
    value = entry.get("deadline")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
        out.add(entry, "deadline", "wrong-type", f"{what}的时间节点应是文字", "例如 deadline: 9月底前")
        value = None
    phrase = None if value is None else str(value)
    deadline = deadline_for_task(phrase, year, anchor)
    if deadline.kind is DeadlineKind.UNDATED and year and phrase is not None:  # no year: bad-year says it once
        reason, hint = deadline.note, ""
        try:
            resolve_deadline(phrase, year, anchor=anchor)
        except DeadlineError as exc:  # the engine's own reason and accepted forms
            reason, hint = exc.reason, exc.hint
        hint = f"{hint}；可先用 gkplan date 试读" if hint else "请改写，可先用 gkplan date 试读"
        out.add(entry, "deadline", "bad-deadline", f"{what}的时间节点「{phrase}」无法识别：{reason}", hint)
    elif deadline.leftover:
        out.add(
            entry,
            "deadline",
            "deadline-leftover",
            f"{what}的时间节点「{phrase}」中「{deadline.leftover}」未参与计算",
            "请确认日期读得对（gkplan date 试读）；说明性文字可移到任务内容里",
            Severity.WARNING,
        )
    return deadline


def _progress(
    entry: dict[Any, Any],
    out: Collector,
    what: str,
    directory: UnitDirectory,
    responsible: list[str],
) -> dict[str, Progress]:
    raw = entry.get("progress")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        out.add(entry, "progress", "wrong-type", f"{what}的 progress 应按单位写：  就业培训科: {{status: done}}")
        return {}
    result: dict[str, Progress] = {}
    for name in fields(raw):
        record = raw[name]
        name = str(name).strip()
        found = directory.lookup(name)
        if found is None or isinstance(found, Group):
            reason = "是单位组，请按单位分别登记" if isinstance(found, Group) else "不是已知的单位"
            out.add(raw, name, "unknown-unit", f"{what}的进展单位「{name}」{reason}", _suggest(name, list(directory.units)))
            continue
        if found.name not in responsible:
            message = f"{what}的进展登记给了「{found.name}」，但它不是本任务的责任单位"
            out.add(raw, name, "not-responsible", message, "请删除该条或改为责任单位")
            continue
        if isinstance(record, str):  # 就业培训科: done
            here = position(raw, name)
            record = {"status": record, LINES: {"": here, "status": here}}
        if not isinstance(record, dict):
            out.add(raw, name, "wrong-type", f"{what}「{name}」的进展应写 status/date/by/note")
            continue
        out.check_fields(record, PROGRESS_FIELDS, f"{what}「{name}」的进展")
        status_text = out.text(record, "status", f"{what}「{name}」的进展", required=True)
        try:
            status = Status(status_text)
        except ValueError:
            status = None
        if status is None or status not in UNIT_STATUSES:
            if status_text:
                out.add(
                    record,
                    "status",
                    "bad-status",
                    f"{what}「{name}」的状态「{status_text}」无效",
                    "可用：" + " / ".join(s.value for s in UNIT_STATUSES) + "（核销请用 verified:）",
                )
            continue
        result[found.name] = Progress(
            unit=found.name,
            status=status,
            date=out.day(record, "date", f"{what}「{name}」的进展"),
            note=out.text(record, "note", what),
            by=out.text(record, "by", what),
            source=out.source(raw, name),
        )
    return result


def _verified(entry: dict[Any, Any], out: Collector, what: str) -> Verification | None:
    raw = entry.get("verified")
    if raw is None or raw is False:
        return None
    if raw is True:
        return Verification(None, source=out.source(entry, "verified"))
    if not isinstance(raw, dict):
        out.add(entry, "verified", "wrong-type", f"{what}的 verified 应写 date/by/note")
        return None
    out.check_fields(raw, VERIFIED_FIELDS, f"{what}的核销")
    return Verification(
        date=out.day(raw, "date", f"{what}的核销"),
        by=out.text(raw, "by", what),
        note=out.text(raw, "note", what),
        source=out.source(entry, "verified"),
    )
