"""Edit a plan file's YAML *text* in place, one task block at a time.

Re-dumping the document (PyYAML) loses comments and escapes Chinese; a round-trip
library (ruamel.yaml) keeps them but takes about two minutes on a 20,000-task file
(see PERF-NOTES). A status change touches a handful of lines of one task, so this
module works on those lines only:

1. ``find_task_block`` finds the task's lines with a few regular-expression scans
   of the whole text (no full parse) and proves the find by parsing that block alone
   with the safe reader; ``find_task_block_at`` finds them in the file's bytes at the
   line a clean parse of those bytes recorded (no scan), proven the same way;
2. ``BlockEditor`` changes fields of the block, using the reader's line and column
   of every key (re-parsing the small block after each step), so everything it does
   not change keeps its bytes: comments, key order, quoting, blank lines,
   indentation and line endings;
3. the caller (``store.writer``) re-parses the result and checks that the data is the
   old data plus exactly the intended change before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from gkplan.errors import DataError
from gkplan.store.reader import LINES, _to_int, fields, parse_text

# ---------------------------------------------------------------------------
# Scalars


_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
# YAML 1.1 (and other tools') words that a plain scalar would turn into bool/null.
_WORDLIKE = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_FLOW_INDICATORS = set(",:?[]{}")  # PyYAML ends a plain scalar at these inside [...] or {...}
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",  # YAML 1.1 treats NEL, LS and PS as line breaks: escape them
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in '\u2028\u2029\ufeff\\"' or code in (0xFFFE, 0xFFFF)


def _is_plain_safe(value: str, flow: bool) -> bool:
    """True when ``value`` written unquoted reads back (PyYAML safe loader) as the same string."""
    if not value or value != value.strip() or value[0] in _INDICATORS:
        return False
    if any(_needs_escape(ch) for ch in value) or "\t" in value:
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if flow and any(ch in _FLOW_INDICATORS for ch in value):  # inside [...] or {...} these end the scalar
        return False
    if value.lower() in _WORDLIKE:
        return False
    import yaml

    for tag, regexp in yaml.resolver.Resolver.yaml_implicit_resolvers.get(value[0], []):
        if regexp.match(value) and tag != "tag:yaml.org,2002:str":
            return False
    return True


def double_quoted(value: str) -> str:
    """A YAML double-quoted scalar for any text (one line: every break is escaped)."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("lone surrogate cannot be stored in UTF-8")
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _needs_escape(ch):
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@lru_cache(maxsize=8192)
def format_scalar(value: str, *, flow: bool = False) -> str:
    """The one YAML scalar formatter: ``value`` plain when that reads back as the same string,
    else double-quoted on one line. ``flow``: inside ``{…}`` or ``[…]``. A date-like string is
    quoted (it is a string); a date is written by ``format_value``, plain."""
    if _is_plain_safe(value, flow):
        return value
    return double_quoted(value)


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return format_scalar(str(value))


# ---------------------------------------------------------------------------
# Lines


def split_lines(text: str) -> list[str]:
    """Lines with their endings. Only ``\\n`` ends a line (``str.splitlines`` would also
    split at characters YAML keeps inside a line)."""
    if not text:
        return []
    lines = [line + "\n" for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    else:
        lines[-1] = lines[-1][:-1]
    return lines


def body(line: str) -> str:
    """A line without its ending."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith("\n") else line


def ending(line: str) -> str:
    return line[len(body(line)) :]


def indent_of(content: str) -> int:
    return len(content) - len(content.lstrip(" "))


HEAD_CHARS = 65536  # a file's style (indentation step, line endings) is judged on its start


def detect_step(text: str) -> int | None:
    """The file's own indentation step: how far the first nested mapping is indented."""
    head = text[:HEAD_CHARS]
    match = re.search(r"^[^\s#\-][^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( +)[^ \-#\r\n]", head, re.M)
    return len(match.group(1)) if match else None


# ---------------------------------------------------------------------------
# Finding one task


@dataclass(frozen=True, slots=True)
class TaskSpan:
    """A task's lines: ``text[start:end]`` of the file (offsets in its bytes when found there:
    ``find_task_block_at``), beginning at 1-based ``line``."""

    start: int
    end: int
    line: int
    text: str
    dash_col: int


_TASKS_KEY = re.compile(r"^tasks[ \t]*:[ \t]*(?:#[^\n]*)?\r?$", re.M)
_ITEM = re.compile(r"^( *)-(?:[ \t]|\r?$)", re.M)
# The line that ends the tasks: region (a top-level key, a document marker). Written as "a newline,
# then …" rather than ``^`` with re.M: the literal lets the engine jump from newline to newline
# (8 ms instead of 43 ms on a 20,000-task file); the match starts one character before that line.
_REGION_END = re.compile(r"\n(?:---|\.\.\.|[^ \t\r\n#\-]|-(?![ \t\r\n]))")
_GAP = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")


_LINE_BEFORE_ID = re.compile(r"( *)(- +)?")


def _id_values(task_id: int) -> re.Pattern[str]:
    """``id: value`` where the value may be ``task_id``; the caller checks what precedes it on the line.

    Values kept: its plain decimal form and every other spelling of an integer
    (``0x…``, ``1_000``, ``+5``, ``05``…), rare and checked by value, so a
    duplicate written oddly is still found. Starting with the literal ``id`` lets
    the regex engine skip ahead: on a 20,000-task file 8 ms instead of 0.13 s
    for a ``^``-anchored scan that stops at every line.
    """
    odd = r"(?![1-9][0-9]*[ \t]*(?:#[^\n]*?)?\r?$)[-+]?[0-9][0-9a-fA-FxXoObB_:]*"
    plain = str(task_id) if task_id > 0 else r"(?!)"
    return re.compile(rf"id[ \t]*:[ \t]*({plain}|{odd})[ \t]*(?:#[^\n]*?)?\r?$", re.M)


def find_task_block(text: str, task_id: int, shown: str) -> TaskSpan:
    """The block of the item ``id: task_id`` in the top-level ``tasks:`` sequence."""
    hint = "请按 README 的块写法手工登记，或运行 gkplan check 查看问题"
    tasks = _TASKS_KEY.search(text)
    if tasks is None:
        raise DataError("找不到块写法的 tasks: 列表，无法自动登记", where=shown, hint=hint)
    gap = _GAP.match(text, tasks.end() + 1)
    first = _ITEM.match(text, gap.end()) if gap else None
    if first is None:
        raise DataError("tasks: 下不是以 - 开头的块写法列表，无法自动登记", where=shown, hint=hint)
    dash_col = len(first.group(1))
    region = _REGION_END.search(text, first.end())  # first.end() is inside the first item's line
    region_end = region.start() + 1 if region else len(text)
    block_end = re.compile(rf"^ {{0,{dash_col}}}[^ \t\r\n#]", re.M)
    found: list[TaskSpan] = []
    failure: DataError | None = None
    for value in _id_values(task_id).finditer(text, first.start(), region_end):
        line_start = text.rfind("\n", 0, value.start()) + 1
        match = _LINE_BEFORE_ID.fullmatch(text, line_start, value.start())
        if match is None:  # "id:" inside a longer key or a value, not the id key
            continue
        try:
            if _to_int(value.group(1)) != task_id:
                continue
        except ValueError:
            continue
        if match.group(2) and len(match.group(1)) == dash_col:
            start = line_start
        else:
            newline_before = text.rfind("\n" + " " * dash_col + "-", first.start() - 1, line_start)
            if newline_before < 0:
                continue
            start = newline_before + 1
        end_of_first = text.find("\n", start)
        nxt = block_end.search(text, end_of_first + 1, region_end) if end_of_first >= 0 else None
        end = nxt.start() if nxt else region_end
        block_text = text[start:end]
        try:
            document = parse_text(block_text, shown)
        except DataError as exc:
            failure = exc
            continue
        data = document.data
        id_line = text.count("\n", start, line_start) + 1
        if (
            isinstance(data, list)
            and len(data) == 1
            and isinstance(data[0], dict)
            and data[0].get("id") == task_id
            and not isinstance(data[0].get("id"), bool)
            and data[0][LINES].get("id", (0, 0))[0] == id_line
        ):
            block = TaskSpan(start, end, text.count("\n", 0, start) + 1, block_text, dash_col)
            if all(b.start != block.start for b in found):
                found.append(block)
    if not found:
        reason = f"（{failure.message}）" if failure else ""
        raise DataError(f"在文件中找不到任务 {task_id} 的块写法文本，无法自动登记{reason}", where=shown, hint=hint)
    if len(found) > 1:
        lines = "、".join(str(b.line) for b in found)
        raise DataError(f"任务序号 {task_id} 在文件中出现多次（第 {lines} 行）", where=shown, hint="请先修正重复的序号")
    return found[0]


_DASH_LINE = re.compile(rb"( *)-(?:[ \t]|\r?$)", re.M)  # an item's dash, then its content or the line's end
_ODD_BREAK = re.compile("\x85|\r(?!\n)")  # line breaks to YAML (1.1), not to the file's lines
_DASH_ALONE = re.compile(rb"( *)-[ \t]*(?:#[^\n]*)?\r?\n")  # a dash with the item's content on the next line


def find_task_block_at(raw: bytes, task_id: int, name: str, line: int, shown: str) -> TaskSpan | None:
    """The block of task ``task_id`` (called ``name``) whose mapping starts on 1-based ``line`` of
    the file's bytes ``raw``, found without scanning the whole text; ``start``/``end`` are byte
    offsets in ``raw``.

    Only for bytes a clean parse was made from, with the line and name that parse recorded for
    the task: that parse already proved the id unique in the file's ``tasks:`` list, which is what
    ``find_task_block`` spends its scans on. The block is bounded and proven by the same rules
    (the next line at or left of the dash; the block alone parses as that one task, whose mapping
    starts on ``line``). ``None`` when anything differs: the caller then searches the whole text.
    (YAML also breaks lines at a lone CR and at NEL, which a value may hold: the parse's line is
    then not the line of ``raw`` and the block found there is not the task's, which the name
    tells; such a break inside the block itself is refused too.)
    """
    at = _line_offset(raw, line)
    if at <= 3:  # not found, or the first line (a BOM before it)
        return None
    start, block_line = at, line
    dash = _DASH_LINE.match(raw, at)
    if dash is None:  # "- # 注释" or a bare "-" on the line above, the mapping below it
        start = raw.rfind(b"\n", 0, at - 1) + 1
        dash = _DASH_ALONE.fullmatch(raw, start, at)
        if dash is None:
            return None
        block_line = line - 1
    dash_col = len(dash.group(1))
    end_of_first = raw.find(b"\n", start)
    found = re.compile(rb"^ {0,%d}[^ \t\r\n#]" % dash_col, re.M).search(raw, end_of_first + 1) if end_of_first >= 0 else None
    end = found.start() if found else len(raw)
    try:
        block_text = raw[start:end].decode("utf-8")
        if _ODD_BREAK.search(block_text):  # lines YAML counts and the file has not: the parse's lines do not fit an edit's
            return None
        data = parse_text(block_text, shown).data
    except (UnicodeDecodeError, DataError):
        return None
    if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
        return None
    item = data[0]
    task = item.get("id")
    if task != task_id or isinstance(task, bool) or item.get("name") != name or block_line + item[LINES][""][0] - 1 != line:
        return None
    return TaskSpan(start, end, block_line, block_text, dash_col)


def _line_offset(raw: bytes, line: int) -> int:
    """Where 1-based ``line`` starts in ``raw`` (-1: it has fewer lines). Halving the span by
    counting newlines reads the bytes about once, in C (a line-by-line walk costs ten times more)."""
    wanted = line - 1  # newlines before it
    if wanted < 0:
        return -1
    low, before, high = 0, 0, len(raw)  # ``before``: newlines in raw[:low]
    while high - low > 65536:
        middle = (low + high) // 2
        count = raw.count(b"\n", low, middle)
        if before + count >= wanted:
            high = middle
        else:
            low, before = middle, before + count
    at = low
    for _ in range(wanted - before):
        at = raw.find(b"\n", at, high) + 1
        if at == 0:
            return -1
    return at


# ---------------------------------------------------------------------------
# Editing one block


Path = tuple[str, ...]  # keys from the task mapping down to the mapping being edited


def strip_positions(value: Any) -> Any:
    """Plain data without the reader's position entries."""
    if isinstance(value, dict):
        return {k: strip_positions(v) for k, v in value.items() if k != LINES}
    if isinstance(value, list):
        return [strip_positions(v) for v in value]
    return value


_KEY_TOKEN = re.compile(r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#:'"][^:]*?)[ \t]*:(?=[ \t]|$)""")


@dataclass(frozen=True, slots=True)
class _Line:
    prefix: str  # indentation, key, colon and the spaces after it
    value: str
    comment: str  # trailing comment with the spaces before it, or ""


def split_key_line(content: str, col: int) -> _Line | None:
    """``    status: done  # 备注`` -> prefix, value, comment (single-line values only)."""
    match = _KEY_TOKEN.match(content, col)
    if match is None:
        return None
    i = match.end()
    while i < len(content) and content[i] in " \t":
        i += 1
    rest = content[i:]
    end = _value_end(rest)
    if end is None:
        return None
    value = rest[:end].rstrip(" \t")
    return _Line(content[:i], value, rest[len(value) :])


def _value_end(rest: str) -> int | None:
    if rest.startswith("#"):
        return 0
    if rest.startswith('"'):
        i = 1
        while i < len(rest):
            if rest[i] == "\\":
                i += 2
                continue
            if rest[i] == '"':
                return i + 1
            i += 1
        return None  # continues on the next line
    if rest.startswith("'"):
        i = 1
        while i < len(rest):
            if rest[i] == "'":
                if rest[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return None
    match = re.search(r"[ \t]#", rest)
    return match.start() if match else len(rest)


class BlockEditor:
    """Change fields of one task block; every step re-reads positions from the block."""

    def __init__(self, text: str, shown: str, *, step: int, newline: str) -> None:
        self.lines = split_lines(text)
        self.shown = shown
        self.step = step
        self.newline = newline

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def item(self) -> dict[Any, Any]:
        try:
            data = parse_text(self.text, self.shown).data
        except DataError as exc:  # a bug here, not the user's: refuse rather than write it
            raise DataError("改写后的任务无法解析，未写入文件", where=self.shown, hint=f"请手工登记并报告此问题（{exc.message}）") from None
        if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
            raise DataError("改写后的任务结构不对，未写入文件", where=self.shown, hint="请手工登记并报告此问题")
        return data[0]

    # -- positions ---------------------------------------------------------

    @staticmethod
    def pos(mapping: dict[Any, Any], key: Any) -> tuple[int, int]:
        """0-based line and column of ``key`` in the block."""
        line, col = mapping[LINES][str(key)]
        return line - 1, col - 1

    def span(self, mapping: dict[Any, Any], key: Any, limit: int) -> tuple[int, int]:
        """Lines ``[start, end)`` of ``key`` and its value, without trailing blank/comment lines."""
        start, col = self.pos(mapping, key)
        later = [self.pos(mapping, k)[0] for k in fields(mapping) if self.pos(mapping, k)[0] > start]
        end = min(later) if later else limit
        split = split_key_line(body(self.lines[start]), col)
        block_scalar = split is not None and split.value[:1] in ("|", ">")
        while end - 1 > start:
            content = body(self.lines[end - 1])
            stripped = content.strip()
            if stripped and not (stripped.startswith("#") and (not block_scalar or indent_of(content) <= col)):
                break
            end -= 1
        return start, end

    # -- structure ---------------------------------------------------------

    def enter(self, path: Path, orders: tuple[tuple[str, ...] | None, ...], *, create: bool) -> tuple[Any, int, int, int, int] | None:
        """Make sure ``path`` leads to a block mapping (or an empty ``key:``), creating keys
        and rewriting flow/short forms as needed. Returns (mapping or None, start line,
        end line, key column, indentation step for its children)."""
        for _ in range(4 * len(path) + 4):
            node: Any = self.item()
            start, end, col, step = 0, len(self.lines), -self.step, self.step
            restarted = False
            for depth, key in enumerate(path):
                if not isinstance(node, dict) or key not in node:
                    if not create:
                        return None
                    at, key_col = self.insert_point(node, start, end, parent_col=col, key=key, order=orders[depth], step=step)
                    self.insert(at, [" " * key_col + format_scalar(key) + ":"])
                    restarted = True
                    break
                key_start, key_end = self.span(node, key, end)
                key_col = self.pos(node, key)[1]
                value = node[key]
                child_step = self.local_step(node)
                if not self.is_block(value, key_start, key_end, key_col):
                    self.rewrite_as_block(key_start, key_end, col=key_col, key=key, value=value, depth=depth, step=child_step)
                    restarted = True
                    break
                node, start, end, col, step = value, key_start, key_end, key_col, child_step
            if not restarted:
                return node, start, end, col, step
        raise DataError("无法改写该任务的进展（结构过于特殊）", where=self.shown, hint="请按 README 的块写法手工登记")

    def local_step(self, mapping: dict[Any, Any]) -> int:
        """How far this mapping's block-style children indent their own keys (the file's step if none do)."""
        for key in fields(mapping):
            value = mapping[key]
            if isinstance(value, dict) and fields(value):
                key_line, key_col = self.pos(mapping, key)
                line, col = value[LINES][""]
                if line - 1 > key_line and col - 1 > key_col:
                    return int(col) - 1 - key_col
        return self.step

    def is_block(self, value: Any, start: int, end: int, col: int) -> bool:
        if value is None:
            split = split_key_line(body(self.lines[start]), col)
            return end - start == 1 and split is not None and split.value == ""
        if isinstance(value, dict) and fields(value):
            line, value_col = value[LINES][""]
            return line - 1 > start and body(self.lines[line - 1])[value_col - 1 : value_col] != "{"
        return False

    def rewrite_as_block(self, start: int, end: int, *, col: int, key: str, value: Any, depth: int, step: int) -> None:
        """``就业培训科: done`` / ``{status: done}`` / ``verified: true`` -> block style."""
        mapping = as_mapping(value, depth)
        if mapping is None:
            raise DataError(
                f"「{key}」的写法无法自动改写",
                where=f"{self.shown}",
                hint="请按 README 的块写法手工改成「键: 值」每行一项后再登记",
            )
        split = split_key_line(body(self.lines[start]), col)
        key_text = split.prefix.rstrip(" \t") if split else " " * col + format_scalar(key) + ":"
        nl = ending(self.lines[start]) or self.newline
        new = [key_text + nl, *(line + nl for line in emit_block(mapping, col + step, step))]
        if end == len(self.lines) and not ending(self.lines[end - 1]):
            new[-1] = new[-1][: -len(nl)]
        self.lines[start:end] = new

    def insert_point(
        self,
        mapping: Any,
        start: int,
        end: int,
        *,
        parent_col: int,
        key: str,
        order: tuple[str, ...] | None,
        step: int,
    ) -> tuple[int, int]:
        """Where a new ``key`` goes in ``mapping``: after the keys the canonical order puts
        before it, else before those it puts after, else at the end; and its column."""
        if not isinstance(mapping, dict) or not fields(mapping):
            return start + 1, parent_col + step
        keys = sorted(fields(mapping), key=lambda k: self.pos(mapping, k)[0])
        col = self.pos(mapping, keys[0])[1]
        if order and key in order:
            rank = order.index(key)
            before = [k for k in keys if k in order and order.index(k) < rank]
            if before:
                last = max(before, key=lambda k: self.pos(mapping, k)[0])
                return self.span(mapping, last, end)[1], col
            after = [k for k in keys if k in order and order.index(k) > rank]
            if after and self.pos(mapping, after[0])[0] > start:
                return self.pos(mapping, after[0])[0], col
        return self.span(mapping, keys[-1], end)[1], col

    def insert(self, at: int, texts: list[str]) -> None:
        nl = ending(self.lines[at - 1]) if at > 0 else self.newline
        nl = nl or self.newline
        new = [t + nl for t in texts]
        if at > 0 and not ending(self.lines[at - 1]):  # inserting after a last line without newline
            self.lines[at - 1] += nl
            new[-1] = new[-1][: -len(nl)]
        self.lines[at:at] = new

    # -- fields ------------------------------------------------------------

    def set_field(self, path: Path, orders: tuple[tuple[str, ...] | None, ...], key: str, text: str) -> None:
        """Set ``key: text`` in the mapping at ``path`` (``text`` is already a YAML scalar)."""
        entered = self.enter(path, orders, create=True)
        assert entered is not None
        mapping, start, end, col, step = entered
        if isinstance(mapping, dict) and key in mapping:
            key_start, key_end = self.span(mapping, key, end)
            key_col = self.pos(mapping, key)[1]
            nl = ending(self.lines[key_end - 1])
            split = split_key_line(body(self.lines[key_start]), key_col) if key_end - key_start == 1 else None
            if split is not None and split.value[:1] not in ("|", ">"):
                prefix = split.prefix if split.prefix.endswith((" ", "\t")) else split.prefix + " "
                self.lines[key_start:key_end] = [prefix + text + split.comment + nl]
            else:
                self.lines[key_start:key_end] = [" " * key_col + format_scalar(key) + ": " + text + nl]
            return
        order = orders[len(path)]
        at, key_col = self.insert_point(mapping, start, end, parent_col=col, key=key, order=order, step=step)
        self.insert(at, [" " * key_col + format_scalar(key) + ": " + text])

    def remove_field(self, path: Path, orders: tuple[tuple[str, ...] | None, ...], key: str) -> None:
        """Delete ``key`` (and its value lines) from the mapping at ``path``, if there."""
        entered = self.enter(path, orders, create=False)
        if entered is None:
            return
        mapping, _, end, _, _ = entered
        if isinstance(mapping, dict) and key in mapping:
            self.delete(*self.span(mapping, key, end))

    def remove_key(self, key: str) -> None:
        """Delete a key of the task mapping itself (e.g. ``verified``) with all its lines."""
        item = self.item()
        if key in item:
            self.delete(*self.span(item, key, len(self.lines)))

    def delete(self, start: int, end: int) -> None:
        last_without_newline = end == len(self.lines) and not ending(self.lines[-1])
        del self.lines[start:end]
        if last_without_newline and start > 0 and start == len(self.lines):
            self.lines[start - 1] = body(self.lines[start - 1])


def as_mapping(value: Any, depth: int) -> dict[Any, Any] | None:
    """Short and flow forms as a mapping to rewrite in block style; None when unsupported.

    depth 0 is ``progress`` or ``verified`` itself, depth 1 a unit's entry.
    """
    if isinstance(value, dict):
        return value
    if value is None or isinstance(value, bool):
        return {}
    if depth == 1 and isinstance(value, str):
        return {"status": value}  # 就业培训科: done
    return None


def emit_block(mapping: dict[Any, Any], col: int, step: int) -> list[str]:
    """TaskSpan-style lines (no endings) for plain data made of mappings and scalars."""
    lines: list[str] = []
    for key in fields(mapping):
        value = mapping[key]
        key_text = " " * col + format_value(key) if not isinstance(key, str) else " " * col + format_scalar(key)
        if isinstance(value, dict):
            if fields(value):
                lines.append(key_text + ":")
                lines.extend(emit_block(value, col + step, step))
            else:
                lines.append(key_text + ": {}")
        elif isinstance(value, list):
            raise DataError("含有列表的进展记录无法自动改写", hint="请按 README 的块写法手工登记")
        else:
            lines.append(key_text + ": " + format_value(value))
    return lines
