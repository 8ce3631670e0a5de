"""Read one YAML file safely, keeping the line of every key and list item.

Only plain data comes out (dict, list, str, int, float, bool, None): dates stay
as the text the user wrote and are checked by the model builder, so a quoted
``"2022-05-25"`` and an unquoted one mean the same. Each mapping carries the
1-based ``(line, column)`` of itself and of its keys under the reserved key
``LINES``; ``positions`` reads them.

Safety, for every command (a pull request may carry a hostile file):

- only regular files, at most ``GKPLAN_MAX_BYTES``, and never more than that is read;
- UTF-8 only (a BOM is fine); UTF-16, GBK/GB18030, binary and control characters are
  refused with the line and the fix;
- nesting is bounded before the composer runs (libyaml's composer recurses in C);
- libyaml (or PyYAML's pure-Python parser) only composes nodes; nothing is constructed
  from tags, and aliases are refused, which stops "billion laughs" before any expansion.

Every refusal is a ``DataError`` with ``where="file:line:col"``, a ``hint`` and a ``code``.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkplan.errors import DataError, Problem, Severity

LINES = "__lines__"  # reserved key: {key: (line, col), "": own (line, col), "key[i]": item}
MAX_BYTES_DEFAULT = 64 * 1024 * 1024  # 20,000 tasks in one file is about 17 MB
MAX_DEPTH = 64  # the schema nests 5 levels; anything deeper is not ours
Position = tuple[int, int]

_YAML = "tag:yaml.org,2002:"
# Characters YAML forbids (and a NUL that says "binary"); tab, LF, CR and NEL are fine.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_BRACKETS = re.compile(r"[\[\]{}]")
# A line starting with this many indentation columns (spaces, "- ", "? ") might nest deeper than MAX_DEPTH.
_DEEP_INDENT = re.compile(r"^[ \-?:]{" + str(MAX_DEPTH // 2) + ",}", re.M)


@dataclass(slots=True)
class Document:
    """A parsed YAML file: plain ``data`` plus problems found while reading."""

    path: str  # as shown to users
    data: Any
    problems: list[Problem] = field(default_factory=list)
    has_bom: bool = False
    newline: str = "\n"
    text: str = ""  # the decoded text, for checks that look at comments and exact columns


def max_bytes() -> int:
    try:
        return int(os.environ.get("GKPLAN_MAX_BYTES", MAX_BYTES_DEFAULT))
    except ValueError:
        return MAX_BYTES_DEFAULT


def display_path(path: Path) -> str:
    """The path as users should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _at(shown: str, line: int = 0, col: int = 0) -> str:
    if not line:
        return shown
    return f"{shown}:{line}:{col}" if col else f"{shown}:{line}"


def _line_col(text: str, index: int) -> Position:
    """1-based line and column (in characters) of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode(raw: bytes, shown: str) -> tuple[str, bool]:
    """UTF-8 (a BOM is fine) or a clear refusal that says how to fix the file."""
    save_as_utf8 = "请用编辑器另存为 UTF-8（记事本：另存为 → 编码选 UTF-8；WPS/VS Code：右下角编码 → UTF-8）"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw):
        raise DataError("文件是 UTF-16 编码，gkplan 只读 UTF-8", where=shown, hint=save_as_utf8, code="encoding")
    has_bom = raw.startswith(b"\xef\xbb\xbf")
    if has_bom:
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line_start = raw.rfind(b"\n", 0, nul) + 1
        line = raw.count(b"\n", 0, nul) + 1
        col = len(raw[line_start:nul].decode("utf-8", errors="replace")) + 1
        raise DataError(
            "文件含有 NUL 字节，不是文本文件",
            where=_at(shown, line, col),
            hint="请检查是否误提交了二进制文件，或用编辑器另存为 UTF-8 文本",
            code="binary",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8")) + 1  # everything before exc.start is valid UTF-8
        if _looks_gb18030(raw):
            message = "文件不是 UTF-8 编码（看起来是 GBK/GB18030，常见于 Windows 记事本或 Excel 另存的文件）"
        else:
            message = "文件不是 UTF-8 编码，也不像 GBK 中文文本（可能是二进制文件）"
        raise DataError(message, where=_at(shown, line, col), hint="请另存为 UTF-8 (save the file as UTF-8)", code="encoding") from None
    return text, has_bom


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a BOM: NUL bytes that vanish when read as UTF-16, leaving lines of text."""
    if b"\x00" not in raw[:4096] or len(raw) % 2:
        return False
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = raw[:4096].decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and "\n" in text and not _FORBIDDEN.search(text):
            return True
    return False


def _looks_gb18030(raw: bytes) -> bool:
    """GB18030 decodes much binary too: also ask for Chinese and no control characters."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return re.search("[\u4e00-\u9fff]", text) is not None and not _FORBIDDEN.search(text)


def read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, refusing what is not a regular file or is over the size limit.

    The limit is checked before reading and enforced while reading (a file that grows, or a
    symlink to ``/dev/zero``, cannot make gkplan read more than ``GKPLAN_MAX_BYTES``).
    """
    limit = max_bytes()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataError("这是一个目录，不是文件", where=shown, code="not-a-file")
        if not stat.S_ISREG(info.st_mode):
            raise DataError("不是普通文件（设备、管道或套接字）", where=shown, hint="请换成普通的 YAML 文本文件", code="not-a-file")
        if info.st_size > limit:
            raise _too_big(shown, info.st_size, limit)
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise DataError("找不到文件", where=shown, code="not-found") from None
    except IsADirectoryError:
        raise DataError("这是一个目录，不是文件", where=shown, code="not-a-file") from None
    except OSError as exc:
        raise DataError(f"无法读取文件：{exc.strerror}", where=shown, code="unreadable") from None
    if len(raw) > limit:
        raise _too_big(shown, len(raw), limit)
    return raw


def _too_big(shown: str, size: int, limit: int) -> DataError:
    return DataError(
        f"文件太大（{size / 1048576:.1f} MB，上限 {limit / 1048576:.1f} MB），未读取",
        where=shown,
        hint="请拆分为多个计划文件，或调大环境变量 GKPLAN_MAX_BYTES（字节数）",
        code="too-big",
    )


def read_document(path: Path) -> Document:
    """Read, decode and parse one YAML file; raise ``DataError`` if it cannot be used at all."""
    shown = display_path(path)
    raw = read_bytes(path, shown)
    text, has_bom = decode(raw, shown)
    return parse_text(text, shown, has_bom=has_bom, newline="\r\n" if "\r\n" in text else "\n")


def parse_text(text: str, shown: str, *, has_bom: bool = False, newline: str = "\n") -> Document:
    import yaml  # deferred: a warm cache never needs it

    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        line, col = _line_col(text, forbidden.start())
        raise DataError(
            f"文件含有不允许的控制字符 U+{ord(forbidden.group()):04X}",
            where=_at(shown, line, col),
            hint="请删除该字符（常见于从 PDF 或网页复制的文字），并另存为 UTF-8 文本",
            code="control-char",
        )
    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    _check_depth(text, shown, loader_class)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, shown) from None
    except yaml.YAMLError as exc:  # ReaderError and the like, without a mark
        raise DataError(f"YAML 格式错误：{exc}", where=shown, hint=_SYNTAX_HINT, code="yaml-syntax") from None
    except RecursionError:  # the pure-Python composer, should _check_depth ever let one through
        raise DataError("YAML 嵌套过深", where=shown, hint="请检查括号是否成对、缩进是否正确", code="too-deep") from None
    document = Document(shown, None, has_bom=has_bom, newline=newline, text=text)
    if node is not None:
        document.data = _Converter(shown, text, document.problems).convert(node, 0)
    return document


def _check_depth(text: str, shown: str, loader_class: Any) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before the composer can recurse on it.

    PyYAML's composer recurses once per level (in C for libyaml, where a deep enough file
    could overflow the stack on builds whose libyaml has no nesting limit). A cheap bound
    first: flow nesting is at most the running count of unclosed brackets, block nesting
    grows with indentation. Only when that bound is too high are the parser's events,
    which come from a loop without recursion, counted exactly.
    """
    if text.count("[") + text.count("{") > MAX_DEPTH:
        depth = peak = 0
        for bracket in _BRACKETS.findall(text):
            depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
            peak = max(peak, depth)
        flow = peak
    else:
        flow = 0
    if flow <= MAX_DEPTH // 2 and not _DEEP_INDENT.search(text):
        return
    import yaml

    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise DataError(
                        f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）",
                        where=_at(shown, mark.line + 1, mark.column + 1) if mark else shown,
                        hint="gkplan 的数据最多嵌套几层：请检查括号是否成对、缩进是否正确",
                        code="too-deep",
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error: the real parse reports it with its context
    finally:
        loader.dispose()


_SYNTAX_HINT = "请检查缩进（只能用空格）、冒号后的空格、引号和括号是否成对"

# PyYAML's problem text -> what it means for someone editing the plan, and how to fix it.
_SYNTAX: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed", "这里不能出现「冒号+空格」", "值里含有「: 」时请给整个值加引号；否则请检查这一行的缩进"),
    ("could not find expected ':'", "缺少冒号：键后面应写「: 」", "请检查这一行是否少了冒号，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致：这一行与同一层的键没有对齐", "同一层的键、同一列表的「- 」必须从同一列开始"),
    ("did not find expected '-' indicator", "缩进不一致：列表项没有对齐", "同一列表的「- 」必须从同一列开始"),
    ("expected <block end>", "缩进不一致", "同一层的键、同一列表的「- 」必须从同一列开始"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有闭合，或两项之间缺少逗号", "请补上 ] 或逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有闭合，或两项之间缺少逗号", "请补上 } 或逗号"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合", "请补上对应的引号或括号"),
    ("but found another document", "一个文件只能有一个 YAML 文档（出现了第二个 --- 或 ...）", "请删除多余的 --- 或 ...，或拆成两个文件"),
    ("found undefined alias", "使用了 YAML 别名（*名称）", "gkplan 不支持锚点和别名，请把内容直接写出来"),
    ("found duplicate anchor", "使用了 YAML 锚点（&名称）", "gkplan 不支持锚点和别名，请把内容直接写出来"),
    ("found unknown escape character", "双引号里有无效的转义（\\）", "请改用单引号，或把 \\ 写成 \\\\"),
    ("exceeded maximum nesting depth", "嵌套层数过多", "请检查括号是否成对、缩进是否正确"),
    ("expected a comment or a line break", "这一行在值后面多出了内容", "含有特殊字符的值请加引号；多个值请写成列表"),
    (
        "found character that cannot start any token",
        "出现了不能作为开头的字符（如 Tab、@、`、%）",
        "以 @ ` % 开头的值请加引号；缩进只能用空格",
    ),
    ("expected alphabetic or numeric character", "锚点或别名（& 或 *）的写法不对", "以 & 或 * 开头的值请加引号"),
    ("expected ',' or ']'", "方括号 [ ] 里缺少逗号", "请在两项之间加逗号"),
    ("expected ',' or '}'", "花括号 { } 里缺少逗号", "请在两项之间加逗号"),
)


def _syntax_error(exc: Any, text: str, shown: str) -> DataError:
    problem = str(exc.problem or "")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    col = mark.column + 1 if mark else 0
    tab = _tab_in_indent(text, line)
    if tab or "tab" in problem:
        if tab:
            col = tab
        return DataError(
            "用了 Tab 缩进：YAML 只能用空格缩进",
            where=_at(shown, line, col),
            hint="请把行首的 Tab 换成空格（编辑器里可设置“用空格代替 Tab”）",
            code="tab",
        )
    meaning, hint = next(((m, h) for key, m, h in _SYNTAX if key in problem), (problem or str(exc), _SYNTAX_HINT))
    context = exc.context_mark
    opened = _opened_kind(exc.context)
    if context is not None and mark is not None and context.line != mark.line and opened:
        # An unclosed quote or bracket: where it was opened is what the user must look at.
        meaning, hint = _OPENED[opened]
        meaning += f"（从这里开始，到第 {line} 行仍未结束）"
        line, col = context.line + 1, context.column + 1
    code = "alias" if "alias" in problem or "anchor" in problem else "too-deep" if "nesting" in problem else "yaml-syntax"
    return DataError(f"YAML 格式错误：{meaning}（{problem}）", where=_at(shown, line, col), hint=hint, code=code)


_OPENED = {
    "quoted": ("引号没有闭合", "请补上配对的引号；值里本身有引号时，外面换用另一种引号"),
    "flow sequence": ("方括号 [ 没有闭合，或其中两项之间缺少逗号", "请补上 ] 或逗号"),
    "flow mapping": ("花括号 { 没有闭合，或其中两项之间缺少逗号", "请补上 } 或逗号"),
}


def _opened_kind(context: str | None) -> str:
    return next((kind for kind in _OPENED if kind in (context or "")), "")


def _tab_in_indent(text: str, line: int) -> int:
    """The column of a tab in the indentation of ``line`` (1-based), or 0."""
    if line < 1:
        return 0
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return 0
    end = text.find("\n", start)
    row = text[start : end if end >= 0 else len(text)]
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    return indent.find("\t") + 1


class _Converter:
    """Turn composed nodes into plain data with positions; refuse what the format does not use."""

    def __init__(self, shown: str, text: str, problems: list[Problem]) -> None:
        self.shown = shown
        self.text = text
        self.problems = problems
        self.seen: set[int] = set()

    def fail(self, node: Any, message: str, hint: str, code: str, mark: Any = None) -> DataError:
        mark = mark or node.start_mark
        return DataError(message, where=_at(self.shown, mark.line + 1, mark.column + 1), hint=hint, code=code)

    def convert(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）", "gkplan 的数据最多嵌套几层，请检查缩进", "too-deep")
        if id(node) in self.seen:
            raise self._alias(node)
        self.seen.add(id(node))
        tag: str = node.tag
        if node.id == "scalar":
            return self.scalar(node, tag)
        if node.id == "sequence":
            if tag != _YAML + "seq":
                raise self._bad_tag(node, tag)
            return self.sequence(node, depth)
        if tag != _YAML + "map":
            raise self._bad_tag(node, tag)
        return self.mapping(node, depth)

    def _alias(self, node: Any) -> DataError:
        """A node met twice was reached through an alias: point at the alias, name the anchor."""
        mark = node.start_mark
        lines = self.text.split("\n")
        anchor_line = lines[mark.line] if mark.line < len(lines) else ""
        found = re.match(r"&([^\s,\[\]{}]+)", anchor_line[mark.column :])
        hint = "请把被引用的内容直接写出来（gkplan 不展开别名，这也挡住了“十亿笑声”式的别名炸弹）"
        if not found:
            return self.fail(node, "不支持 YAML 锚点和别名（&名称 / *名称）", hint, "alias")
        name = found.group(1)
        use = re.compile(r"(?<![\w*&])\*" + re.escape(name) + r"(?=[\s,\]}]|$)")
        for number in range(mark.line, len(lines)):
            start = mark.column + len(name) + 1 if number == mark.line else 0
            hit = use.search(lines[number], start)
            if hit:
                return DataError(
                    f"不支持 YAML 别名：*{name} 引用了第 {mark.line + 1} 行的锚点 &{name}",
                    where=_at(self.shown, number + 1, hit.start() + 1),
                    hint=hint,
                    code="alias",
                )
        return self.fail(node, f"不支持 YAML 锚点和别名（&{name}）", hint, "alias")

    def _bad_tag(self, node: Any, tag: str) -> DataError:
        shown = tag.replace(_YAML, "!!")
        return self.fail(node, f"不支持的 YAML 标签 {shown}", "请删除标签，只写普通的文字、数字和列表（gkplan 不按标签创建对象）", "tag")

    def scalar(self, node: Any, tag: str) -> Any:
        value: str = node.value
        if tag == _YAML + "str" or tag == _YAML + "timestamp":
            return value  # dates are checked by the model builder
        if tag == _YAML + "int":
            try:
                return _to_int(value)
            except ValueError:  # "0b_", "!!int abc", more digits than Python converts: keep the text
                return value
        if tag == _YAML + "null":
            return None
        if tag == _YAML + "bool":
            return value.lower() in ("yes", "true", "on", "y")
        if tag == _YAML + "float":
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        raise self._bad_tag(node, tag)

    def sequence(self, node: Any, depth: int) -> list[Any]:
        return [self.convert(item, depth + 1) for item in node.value]

    def mapping(self, node: Any, depth: int) -> dict[Any, Any]:
        mark = node.start_mark
        lines: dict[str, Position] = {"": (mark.line + 1, mark.column + 1)}
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise self.fail(key_node, "键必须是简单文字", "请检查该行的冒号和缩进；值里含有「: 」时请加引号", "yaml-syntax")
            key_mark = key_node.start_mark
            if key_node.tag == _YAML + "merge":
                raise self.fail(key_node, "不支持 YAML 合并键（<<）", "请把内容直接写出来", "merge-key")
            key = self.convert(key_node, depth + 1)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key_node.value)
            if key == LINES:
                raise self.fail(key_node, f"{LINES} 是保留字，不能作为键", "请改名", "reserved-key")
            position = (key_mark.line + 1, key_mark.column + 1)
            if key in result:
                first = lines[str(key)]
                self.problems.append(
                    Problem(
                        self.shown,
                        position[0],
                        position[1],
                        Severity.ERROR,
                        "duplicate-key",
                        f"键「{key}」重复（第 {first[0]} 行已有），YAML 只会保留后一个",
                        "请删除或合并重复的键",
                    )
                )
            value = self.convert(value_node, depth + 1)
            result[key] = value
            lines[str(key)] = position
            if isinstance(value, list):
                for index, item_node in enumerate(value_node.value):
                    item_mark = item_node.start_mark
                    lines[f"{key}[{index}]"] = (item_mark.line + 1, item_mark.column + 1)
        result[LINES] = lines
        return result


def _to_int(text: str) -> int:
    # YAML 1.1 ints: 1_000, 0x1f, 0o17, 017, +3; the resolver already matched one of these.
    clean = text.replace("_", "")
    sign = -1 if clean.startswith("-") else 1
    clean = clean.lstrip("+-")
    if clean.startswith("0x"):
        return sign * int(clean[2:], 16)
    if clean.startswith("0o"):
        return sign * int(clean[2:], 8)
    if clean.startswith("0b"):
        return sign * int(clean[2:], 2)
    if ":" in clean:  # sexagesimal 1:30
        total = 0
        for part in clean.split(":"):
            total = total * 60 + int(part)
        return sign * total
    if len(clean) > 1 and clean.startswith("0"):
        return sign * int(clean, 8)
    return sign * int(clean)


def position(mapping: Any, key: str | int = "") -> Position:
    """The (line, col) of ``key`` in a mapping read by this module.

    ``""`` is the mapping itself; ``"units[2]"`` is an item of a list, falling back to the
    list's key and then to the mapping; ``(0, 0)`` when nothing is known.
    """
    if isinstance(mapping, dict):
        lines = mapping.get(LINES)
        if lines:
            found = lines.get(str(key))
            if not found and isinstance(key, str) and key.endswith("]"):
                found = lines.get(key.split("[", 1)[0])
            if found:
                return (found[0], found[1])
            own = lines.get("")
            if own:
                return (own[0], own[1])
    return (0, 0)


def fields(mapping: dict[Any, Any]) -> list[Any]:
    """The user's keys of a mapping, without the reserved positions entry."""
    return [key for key in mapping if key != LINES]
