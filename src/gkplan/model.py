"""The plan as plain, immutable Python objects. No I/O here.

Source, Progress and Task are built by the tens of thousands on every warm run (one per
task, per progress entry, per position), so they are plain slotted dataclasses rather than
frozen ones: a frozen dataclass sets each field through ``object.__setattr__``, which made
``list`` on 20,000 tasks about 9 % slower (paired runs). Treat them as immutable all the
same: nothing assigns to their fields (``dataclasses.replace`` makes a changed copy).

Data flows one way: ``store`` builds these objects from YAML, ``query`` filters
them, ``render`` prints them. Every object that came from a file remembers
where (``Source``) so that messages can name ``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Status(StrEnum):
    """Status of one unit's part of a task, or of a whole task (derived)."""

    TODO = "todo"
    DOING = "doing"
    BLOCKED = "blocked"
    DONE = "done"
    VERIFIED = "verified"  # task level only: the office confirmed it (核销)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({Status.DONE, Status.VERIFIED})  # hot loops test membership here, not the property
_ONLY_DONE, _ONLY_TODO = frozenset({Status.DONE}), frozenset({Status.TODO})

STATUS_LABELS: dict[Status, str] = {
    Status.TODO: "未开始",
    Status.DOING: "进行中",
    Status.BLOCKED: "受阻",
    Status.DONE: "已完成",
    Status.VERIFIED: "已核销",
}


def derive_status(statuses: list[Status], *, verified: bool) -> Status:
    """done when every unit is done (verified once the office confirmed it),
    blocked when any unit is blocked, doing when any has started, else todo."""
    kinds = set(statuses)  # hot (a report derives ~30,000): one pass, then set tests
    if kinds == _ONLY_DONE:
        return Status.VERIFIED if verified else Status.DONE
    if Status.BLOCKED in kinds:
        return Status.BLOCKED
    if kinds - _ONLY_TODO:
        return Status.DOING
    return Status.TODO


# Statuses a unit can record for its own part (verified belongs to the office).
UNIT_STATUSES: tuple[Status, ...] = (Status.TODO, Status.DOING, Status.BLOCKED, Status.DONE)


class DeadlineKind(StrEnum):
    """How a 时间节点 phrase constrains a task."""

    BY_DATE = "by_date"  # 9月底前: finish by a day
    DURING = "during"  # 8月, 三季度: work inside a window
    ONGOING = "ongoing"  # 全年, 长期坚持: a continuing duty, due at the plan year's end
    RECURRING = "recurring"  # 每季度: due again and again
    RELATIVE = "relative"  # 出台后10个工作日内: counted from a trigger (anchor) date
    MISSING = "missing"  # the plan gives no 时间节点; treated as the plan year's end
    UNDATED = "undated"  # wording that cannot be dated without guessing

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.BY_DATE: "限期",
    DeadlineKind.DURING: "期间",
    DeadlineKind.ONGOING: "持续",
    DeadlineKind.RECURRING: "周期",
    DeadlineKind.RELATIVE: "相对",
    DeadlineKind.MISSING: "未填",
    DeadlineKind.UNDATED: "无法定日",
}


@dataclass(slots=True)
class Source:
    """Where something was read: a file and a 1-based line (0 = whole file)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurring rule such as 每月25日前 or 每季度末.

    ``every_months`` is the period length (1, 2, 3, 4, 6, 12; periods are aligned
    to 1 January); ``day`` the day of the month the period's due date falls on
    (``None`` = the month's last day; past a short month's end, its last day);
    ``month`` the month of the period the due date falls in, counted from 1
    (``None`` = the period's last month), e.g. 每年6月底前 is ``(12, None, …, 6)``;
    past the period's length it is a month of the next period (次月5日前 is
    ``(1, 5, …, 2)``: each month's report falls due on the 5th of the month after).
    """

    every_months: int
    day: int | None = None
    text: str = ""
    month: int | None = None
    # The rest is for the forms of round 2 (每年11月, 每周五, 每旬, 每个工作日, 每季度结束后5个工作日内).
    first_month: int | None = None  # month of the period the window opens in (None = its first month)
    unit: str = "month"  # "month" (every_months long), "week", "dekad" (旬), "day", "workday"
    weekday: int | None = None  # weekly: 0 = Monday … 6 = Sunday (None = Sunday, the week's end)
    after_workdays: int | None = None  # due the N-th working day after each period's end


@dataclass(frozen=True, slots=True)
class Deadline:
    """A resolved 时间节点.

    ``due`` is the last day on which the work counts as on time; ``start`` is
    the first day of the window (``None`` when the phrase gives none).
    For recurring deadlines ``start`` is the first day of the window the rule
    runs in (the plan year unless the phrase says otherwise), ``due`` its last
    occurrence, and ``rule`` says how often it falls due (see
    ``deadlines.occurrences``); for relative ones without an anchor both are
    ``None`` (waiting for the trigger), with an anchor ``start`` is the anchor.
    """

    phrase: str | None
    kind: DeadlineKind
    start: date | None
    due: date | None
    note: str = ""
    rule: Recurrence | None = None
    leftover: str = ""  # words around the phrase that say what is done, not when (报送, 推进 …)
    count: int | None = None  # 全年至少2次, 每季度组织一次: how many times in each period (or the window)

    @property
    def waiting(self) -> bool:
        """A relative deadline whose trigger has not happened (no anchor)."""
        return self.kind is DeadlineKind.RELATIVE and self.due is None


@dataclass(frozen=True, slots=True)
class Unit:
    """A responsible unit (科室 or 局属单位); ``email``: where ``gkplan remind`` mails it."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    source: Source | None = None
    email: tuple[str, ...] = ()


# One address, nothing around it: no display name, no spaces or line breaks (a header
# injection), one @, a dot in the domain. Deliberately narrower than RFC 5322.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")


def valid_email(text: str) -> bool:
    """Whether ``text`` is a plain address such as ``bgs@rsj.example`` (units.yaml, settings.yaml)."""
    return _EMAIL.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Group:
    """A collective name such as 局机关各科室; members are unit names.

    Membership is either by kind (every unit of that kind, so adding a unit is
    one line) or an explicit list, or both.
    """

    name: str
    members: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class UnitDirectory:
    """Every unit and group of one bureau, with alias lookup."""

    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    source: Source | None = None

    def lookup(self, name: str) -> Unit | Group | None:
        """Find a unit or group by its name or one of its aliases."""
        name = name.strip()
        found = self.units.get(name) or self.groups.get(name)
        if found:
            return found
        for entry in self.entries():
            if name in entry.aliases:
                return entry
        return None

    def entries(self) -> tuple[Unit | Group, ...]:
        return (*self.units.values(), *self.groups.values())

    def expand(self, name: str) -> tuple[str, ...]:
        """The canonical unit names a written name stands for (a group: its members)."""
        found = self.lookup(name)
        if isinstance(found, Group):
            return found.members
        if isinstance(found, Unit):
            return (found.name,)
        return ()

    def known_names(self) -> list[str]:
        """Every name and alias a user may type, for suggestions."""
        names: list[str] = []
        for entry in self.entries():
            names.append(entry.name)
            names.extend(entry.aliases)
        return names


@dataclass(slots=True)
class Progress:
    """One unit's recorded progress on one task."""

    unit: str  # canonical unit name
    status: Status
    date: date | None = None
    note: str = ""
    by: str = ""
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """The office's confirmation (核销) that a finished task is really done."""

    date: date | None
    by: str = ""
    note: str = ""
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """一、… (level 1) or （一）… (level 2). ``code`` is e.g. ``一`` or ``一（一）``."""

    code: str
    title: str
    parent: str | None = None
    source: Source | None = None


@dataclass(slots=True)
class Task:
    """One row of the 任务分解表, with its units' progress."""

    plan: str  # the plan's id, e.g. "2022"
    id: int
    name: str
    content: str
    section: str  # section code, e.g. "一（一）"
    units: tuple[str, ...]  # 责任单位 as written in the file
    responsible: tuple[str, ...]  # canonical unit names, groups expanded, in order
    deadline: Deadline
    anchor: date | None = None
    progress: dict[str, Progress] = field(default_factory=dict)  # by canonical unit
    verified: Verification | None = None
    source: Source | None = None

    def unit_status(self, unit: str) -> Status:
        """The status of one responsible unit's own part."""
        entry = self.progress.get(unit)
        return entry.status if entry else Status.TODO

    @property
    def status(self) -> Status:
        """The task's status, derived from its units' progress."""
        return self.status_of(self.responsible)

    def status_of(self, units: tuple[str, ...]) -> Status:
        """The status of the part some units share: done when all are done, etc."""
        progress = self.progress
        if not progress:  # most tasks, most of the year: nothing recorded yet
            return Status.TODO if units else derive_status([], verified=self.verified is not None)
        todo = Status.TODO  # ``unit_status`` inlined: a report derives ~30,000 of these
        return derive_status([entry.status if (entry := progress.get(u)) else todo for u in units], verified=self.verified is not None)

    def key(self, qualified: bool) -> str:
        """The id users type: ``2`` or, with several plans loaded, ``2022:2``."""
        return f"{self.plan}:{self.id}" if qualified else str(self.id)


@dataclass(frozen=True, slots=True)
class TaskIds:
    """Tasks named by id (``gkplan done 2``), as the loader's filter of which tasks to build
    (``store.TaskFilter``): knowing it needs only the ids, the loader skips the other tasks
    before resolving their deadlines (20,000 of them: 10-25 ms)."""

    ids: frozenset[int]

    def __call__(self, task_id: int, deadline: Deadline) -> bool:
        return task_id in self.ids


@dataclass(frozen=True, slots=True)
class Plan:
    """One yearly plan (工作要点) with its sections and tasks."""

    id: str
    title: str
    year: int
    doc_number: str = ""
    issuer: str = ""
    issued: date | None = None
    sections: tuple[Section, ...] = ()
    tasks: tuple[Task, ...] = ()
    units: UnitDirectory = field(default_factory=UnitDirectory)
    source: Source | None = None

    def section(self, code: str) -> Section | None:
        for section in self.sections:
            if section.code == code:
                return section
        return None


def normalize_section_code(code: str) -> str:
    """``一(一)``, ``一（一）`` and ``1.1`` all mean ``一（一）``."""
    code = code.strip().replace("(", "（").replace(")", "）").replace(" ", "").rstrip("、.")
    match = re.fullmatch(r"(\d+)(?:[.\-．](\d+))?", code)
    if match:
        code = _cn_number(int(match.group(1)))
        if match.group(2):
            code += f"（{_cn_number(int(match.group(2)))}）"
    return code


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


# --- the office's report rules and the lights they colour ------------------------------------

DEFAULT_WARN_DAYS = 14  # yellow: due within two weeks
DEFAULT_STALE_WEEKS = 0  # off: an office opts in, since it changes what 黄 means
DEFAULT_REMIND_DAYS = 7  # calendar reminder a week before a deadline; also gkplan remind's window


class Light(StrEnum):
    """The office's 红黄绿灯, plus done and "no date to judge by"."""

    RED = "red"  # overdue
    YELLOW = "yellow"  # due within the warning window
    GREEN = "green"  # on track
    DONE = "done"  # finished (done or verified)
    NONE = "none"  # waiting for a trigger, or a deadline that cannot be dated

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self]


LIGHT_LABELS = {
    Light.RED: "红",
    Light.YELLOW: "黄",
    Light.GREEN: "绿",
    Light.DONE: "完成",
    Light.NONE: "—",
}


class Scheme(StrEnum):
    """How an office colours its lights; the first colour is "on track"."""

    RED_YELLOW_GREEN = "红黄绿"  # red = late, yellow = due soon, green = on track
    BLUE_YELLOW_RED = "蓝黄红"  # blue = on track, yellow = due soon, red = late

    @classmethod
    def parse(cls, text: str) -> Scheme | None:
        key = text.strip().lower().replace("_", "-").replace(" ", "")
        return _SCHEME_NAMES.get(key)


_SCHEME_NAMES = {
    "红黄绿": Scheme.RED_YELLOW_GREEN,
    "红绿灯": Scheme.RED_YELLOW_GREEN,
    "red-yellow-green": Scheme.RED_YELLOW_GREEN,
    "蓝黄红": Scheme.BLUE_YELLOW_RED,
    "blue-yellow-red": Scheme.BLUE_YELLOW_RED,
}
SCHEME_CHOICES = "红黄绿（默认）或 蓝黄红"


class ChannelType(StrEnum):
    """Where ``gkplan remind`` sends: three group robots (webhooks) and e-mail."""

    WECOM = "wecom"  # 企业微信 / 政务微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 / 浙政钉 custom robot
    FEISHU = "feishu"  # 飞书 custom bot
    EMAIL = "email"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def webhook(self) -> bool:
        return self is not ChannelType.EMAIL


CHANNEL_LABELS = {
    ChannelType.WECOM: "企业微信",
    ChannelType.DINGTALK: "钉钉",
    ChannelType.FEISHU: "飞书",
    ChannelType.EMAIL: "邮件",
}


@dataclass(frozen=True, slots=True)
class Channel:
    """One ``remind: channels:`` entry. Secrets are never here: only the names of the
    environment variables that hold them (the webhook URL, the signing secret, the SMTP URL)."""

    name: str
    type: ChannelType
    webhook_env: str = ""  # group robots: the variable holding the webhook URL
    secret_env: str = ""  # 钉钉/飞书, optional: the variable holding the signing secret
    smtp_env: str = ""  # e-mail: the variable holding smtp://user:pass@host:port or smtps://…
    sender: str = ""  # e-mail: From (``from:`` in the file)
    cc: tuple[str, ...] = ()  # e-mail: the office, copied on every unit's mail

    def env_names(self) -> tuple[str, ...]:
        """The variables this channel reads, in the order they are needed."""
        return tuple(name for name in (self.webhook_env, self.secret_env, self.smtp_env) if name)


@dataclass(frozen=True, slots=True)
class Settings:
    """``settings.yaml``; every field has the default an office gets without the file.

    - ``warn_days``: a task due within this many days is yellow (``--warn-days`` overrides);
    - ``scheme``: the colours of the lights;
    - ``stale_weeks``: a continuing duty (全年) turns yellow when a responsible unit has
      recorded no progress for this many weeks (0 = off; ``--stale-weeks`` overrides);
    - ``remind_days``: the calendar reminder, days before a deadline (``--remind-days``);
      also how far ahead ``gkplan remind`` looks;
    - ``channels``: where ``gkplan remind`` sends (``remind: channels:``).
    """

    warn_days: int = DEFAULT_WARN_DAYS
    scheme: Scheme = Scheme.RED_YELLOW_GREEN
    stale_weeks: int = DEFAULT_STALE_WEEKS
    remind_days: int = DEFAULT_REMIND_DAYS
    source: str = ""  # the file it came from ("" = defaults)
    channels: tuple[Channel, ...] = ()

    def with_overrides(
        self,
        *,
        warn_days: int | None = None,
        stale_weeks: int | None = None,
        remind_days: int | None = None,
    ) -> Settings:
        """Command-line options win over the file."""
        return Settings(
            warn_days=self.warn_days if warn_days is None else warn_days,
            scheme=self.scheme,
            stale_weeks=self.stale_weeks if stale_weeks is None else stale_weeks,
            remind_days=self.remind_days if remind_days is None else remind_days,
            source=self.source,
            channels=self.channels,
        )


# --- the data as of an earlier commit (``store.history`` reads git; ``report`` compares) -------


@dataclass(frozen=True, slots=True)
class Commit:
    """One git commit that touched the data."""

    rev: str
    short: str
    when: datetime
    author: str
    subject: str


@dataclass(frozen=True, slots=True)
class History:
    """The data as it was at an earlier commit, or why that is not known (``reason``)."""

    since: str  # what the user asked for: a date or a revision, as typed
    base: Commit | None = None
    commits: tuple[Commit, ...] = ()  # commits after ``base`` that touched the data, newest first
    dirty: bool = False  # the working tree has uncommitted changes to the data (they count)
    plans: tuple[Plan, ...] = ()
    reason: str = ""  # set when there is no usable history


# --- ledger workbooks (``gkplan ledger`` / ``collect``): read by the store, judged by ``ledger`` ---

META_SHEET = "gkplan"  # the hidden sheet of a ledger workbook: one row per ledger sheet, [sheet title, stamp]


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet of a returned file as read from disk: its cells by row, nothing interpreted."""

    file: str  # as shown in messages
    title: str  # the sheet's name (a CSV: the file's stem, as Excel names it)
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (1-based row number, values from column A)
    stamp: str | None = None  # the stamp kept for this sheet out of the way (the hidden sheet), if any
    formulas: frozenset[tuple[int, int]] = frozenset()  # (row, column) of cells holding a formula


@dataclass(frozen=True, slots=True)
class Refusal:
    where: str  # FILE:SHEET!CELL
    reason: str

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}"
