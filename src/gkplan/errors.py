"""Errors users can act on. ``cli`` maps each to a message on stderr and an exit code.

Nothing below ``cli`` prints or exits: it raises one of these instead.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

# ``file``, ``file:line`` or ``file:line:col``; the path may itself hold colons (C:\\…).
_WHERE = re.compile(r"^(.*?)(?::(\d+))?(?::(\d+))?$", re.S)


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1  # check found errors; a report found what it was asked to flag
    USAGE = 2  # a bad option value (date, format, unknown phrase)
    DATA = 3  # data files missing, unreadable, malformed
    NOT_FOUND = 4  # unknown task id or unit name
    INCOMPLETE = 5  # a report was printed, but the data has errors: tasks or units may be missing from it


class GkplanError(Exception):
    """Base class. ``where`` is ``file:line`` (or empty); ``hint`` says how to fix it.

    ``details`` are further lines (one problem each, e.g. every refused ledger cell): the CLI
    prints each on its own line, each made safe on its own, so a line break inside data can
    never start a line of its own.
    """

    exit_code: ExitCode = ExitCode.DATA

    def __init__(self, message: str, *, where: str = "", hint: str = "", details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.details = tuple(details)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"；{self.hint}"
        return text


class DataError(GkplanError):
    """A data file is missing, unreadable, hostile or does not fit the schema.

    ``code`` names the kind of failure (``yaml-syntax``, ``encoding``, ``alias``…) so that
    ``check`` can report it like any other problem; see ``as_problem``.
    """

    exit_code = ExitCode.DATA

    def __init__(self, message: str, *, where: str = "", hint: str = "", code: str = "unreadable") -> None:
        super().__init__(message, where=where, hint=hint)
        self.code = code

    def as_problem(self, default_path: str = "") -> Problem:
        """This error as an ERROR ``Problem`` at ``where`` (``file``, ``file:line`` or ``file:line:col``)."""
        match = _WHERE.match(self.where)
        path, line, col = (match.group(1), match.group(2), match.group(3)) if match else (self.where, None, None)
        return Problem(path or default_path, int(line or 0), int(col or 0), Severity.ERROR, self.code, self.message, self.hint)


class UsageError(GkplanError):
    """A command-line value that cannot be used (bad date, bad choice)."""

    exit_code = ExitCode.USAGE


class DeadlineError(UsageError):
    """A 时间节点 phrase the deadline engine cannot read without guessing."""

    def __init__(self, phrase: str, reason: str, *, hint: str = "") -> None:
        super().__init__(f"无法识别时间节点「{phrase}」：{reason}", hint=hint)
        self.phrase = phrase
        self.reason = reason


class NotFoundError(GkplanError):
    """An unknown task id or unit name; ``suggestions`` are the closest known names."""

    exit_code = ExitCode.NOT_FOUND

    def __init__(self, message: str, *, suggestions: tuple[str, ...] = (), hint: str = "") -> None:
        if suggestions and not hint:
            hint = "您是否要找：" + "、".join(suggestions)
        super().__init__(message, hint=hint)
        self.suggestions = suggestions


class UpdateRefused(GkplanError):
    """A status update that the rules do not allow (e.g. verify an unfinished task)."""

    exit_code = ExitCode.USAGE


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the data, located in a file (line/col are 1-based; 0 = unknown)."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def where(self) -> str:
        """``path:line:col``, leaving out what is unknown (a problem with the whole file: ``path``)."""
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        text = f"{self.where}: {self.severity.label} {self.code}: {self.message}"
        if self.hint:
            text += f"；{self.hint}"
        return text


BANNER_SHOWN = 3  # problems named in the banner; ``gkplan check`` lists them all


def incomplete_banner(problems: Sequence[Problem]) -> str:
    """One line for the top of a report drawn from data with errors ("" when there are none).

    A wrong number that looks right misleads a meeting more than an error does, so
    every report format carries this line (see cli: exit code ``INCOMPLETE``).
    """
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if not errors:
        return ""
    shown = [" ".join(f"{p.path}:{p.line} {p.message}".split()) if p.line else " ".join(f"{p.path} {p.message}".split()) for p in errors]
    more = "等" if len(errors) > BANNER_SHOWN else ""
    return f"数据有 {len(errors)} 处错误，以下结果不完整：{'；'.join(shown[:BANNER_SHOWN])}{more}；请先运行 gkplan check"
