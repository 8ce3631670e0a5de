"""Read one YAML file safely, keeping the line of every key and list item.

Only plain data comes out (dict, list, str, int, float, bool, None): dates stay
as the text the user wrote and are checked by the model builder, so a quoted
``"2022-05-25"`` and an unquoted one mean the same. Each mapping carries the
1-based ``(line, column)`` of itself and of its keys under the reserved key
``LINES``; ``positions`` reads them.

Safety, for every command (a pull request may carry a hostile file):

- only regular files, at most ``max_bytes()`` (``GKPLAN_MAX_BYTES``), and never more than that is read;
- UTF-8 only (a BOM is fine); UTF-16, GBK/GB18030, binary and control characters are
  refused with the line and the fix;
- libyaml (or, where it is missing, PyYAML's pure-Python parser) only produces parser
  events; ``_EventReader`` turns them into plain data itself. No node graph, no
  constructor: nothing is built from tags, and aliases are refused when they are met,
  which stops "billion laughs" before any expansion;
- nesting is counted as the events arrive (nothing recurses) and refused past ``MAX_DEPTH``;
- both parsers go through the same code, so the rules and messages are the same either way.

Every refusal is a ``DataError`` with ``where="file:line:col"``, a ``hint`` and a ``code``.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkplan.charsets import BIDI_CONTROLS, CONTROLS, LINE_SEPARATORS
from gkplan.errors import DataError, Problem, Severity

LINES = "__lines__"  # reserved key: {key: (line, col), "": own (line, col), "key[i]": item}
MAX_BYTES_DEFAULT = 64 * 1024 * 1024  # 20,000 tasks in one file is about 17 MB
MAX_DEPTH = 64  # the schema nests 5 levels; anything deeper is not ours
_BOM = b"\xef\xbb\xbf"
_SCAN_BYTES = 1 << 20  # bytes checked at a time by ``_scan_text``
MAX_SHARED_CHARS = 64  # texts up to this long are shared when repeated (names, units, deadlines); longer ones rarely repeat
Position = tuple[int, int]
# Called with (the root mapping so far, index, item, item's position) as each item of a streamed
# list is complete; what it returns is kept in the list instead of the item.
ItemHook = Callable[[dict[Any, Any], int, Any, Position], Any]

_YAML = "tag:yaml.org,2002:"
# In a value (after escapes are read): control characters other than tab and LF, NEL,
# U+2028/9 line separators and bidirectional overrides ("Trojan Source" reordering).
_HIDDEN = re.compile(f"(?![\t\n])[{CONTROLS}{BIDI_CONTROLS}{LINE_SEPARATORS}]")
# Characters YAML forbids (and a NUL that says "binary"); tab, LF, CR and NEL are fine.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(slots=True)
class Document:
    """A parsed YAML file: plain ``data`` plus problems found while reading."""

    path: str  # as shown to users
    data: Any
    problems: list[Problem] = field(default_factory=list)
    has_bom: bool = False
    newline: str = "\n"
    text: str = ""  # the decoded text, for checks that look at comments and exact columns


_LIMITS = {"max_bytes": MAX_BYTES_DEFAULT}


def set_max_bytes(limit: int) -> None:
    """The largest file read from now on (the CLI takes it from ``GKPLAN_MAX_BYTES``)."""
    _LIMITS["max_bytes"] = limit


def max_bytes() -> int:
    return _LIMITS["max_bytes"]


def display_path(path: Path) -> str:
    """The path as users should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(_resolved(os.getcwd())))
    except ValueError:
        return str(path)


def display_paths() -> Callable[[Path], str]:
    """``display_path`` for many files: each folder is resolved once (600 plan files share 20),
    and a file that is not a symlink resolves to its resolved folder plus its name."""
    folders: dict[Path, Path] = {}
    known: dict[Path, str] = {}

    def shown(path: Path) -> str:
        found = known.get(path)
        if found is not None:
            return found
        if path.is_symlink():
            found = display_path(path)
        else:
            folder = folders.get(path.parent)
            if folder is None:
                folder = folders[path.parent] = path.parent.resolve()
            try:
                found = str((folder / path.name).relative_to(_resolved(os.getcwd())))
            except ValueError:
                found = str(path)
        known[path] = found
        return found

    return shown


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """The working directory, resolved once per run (not once per file of 600)."""
    return Path(folder).resolve()


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
    has_bom = raw.startswith(_BOM)
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
        if path.is_symlink():
            target = os.readlink(path)
            hint = "请删除这个链接，或让它指向真实的 YAML 文件"
            raise DataError(f"{path.name} 是符号链接，指向不存在的文件：{target}", where=shown, hint=hint, code="not-a-file") from None
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
    return parse_bytes(read_bytes(path, shown), shown)


def parse_bytes(raw: bytes, shown: str, *, keep_text: bool = True, stream: tuple[str, ItemHook] | None = None) -> Document:
    """Decode and parse a file's bytes (``parse_text``). ``keep_text=False``: the document keeps
    no text (``Document.text`` is empty), and libyaml reads ``raw`` itself, so a 17 MB file is
    not held three times over (bytes, text and libyaml's UTF-8 copy of the text) while parsed."""
    odd_breaks = None if keep_text or not _has_libyaml() else _scan_text(raw)  # PyYAML's own reader would take a BOM for a character
    if odd_breaks is None:  # the text is kept, or something is wrong that ``decode`` and ``parse_text`` explain
        text, has_bom = decode(raw, shown)
        return parse_text(text, shown, has_bom=has_bom, newline="\r\n" if "\r\n" in text else "\n", stream=stream)
    has_bom = raw.startswith(_BOM)
    document = Document(shown, None, has_bom=has_bom, newline="\r\n" if b"\r\n" in raw else "\n")
    _load(document, raw, odd_breaks, stream)  # libyaml skips a BOM itself
    return document


def _scan_text(raw: bytes) -> bool | None:
    """``decode`` and ``parse_text``'s checks of the text, a megabyte at a time (a 17 MB file
    decoded at once briefly takes 45 MB): whether a value may hold an odd line break (see
    ``_EventReader``), or ``None`` when the file is not clean UTF-8 text without forbidden characters."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)[len(_BOM) if raw.startswith(_BOM) else 0 :]
    odd_breaks = False
    try:
        for start in range(0, len(view), _SCAN_BYTES):
            chunk = decoder.decode(view[start : start + _SCAN_BYTES], final=start + _SCAN_BYTES >= len(view))
            if _FORBIDDEN.search(chunk):  # NUL bytes (binary, UTF-16) among them
                return None
            odd_breaks = odd_breaks or _HIDDEN.search(chunk) is not None
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    finally:
        view.release()
    return odd_breaks


def parse_text(
    text: str,
    shown: str,
    *,
    has_bom: bool = False,
    newline: str = "\n",
    stream: tuple[str, ItemHook] | None = None,
    utf8: bytes | None = None,
) -> Document:
    """Parse ``text``; ``stream=(key, hook)`` hands each item of the list under the root mapping's
    ``key`` to ``hook`` as soon as it is complete, keeping what the hook returns instead (a
    20,000-task plan is then built task by task, never held whole as plain data). ``utf8``: the
    file's bytes that ``text`` was decoded from, which libyaml then reads instead of a copy."""
    _refuse_forbidden(text, shown)
    document = Document(shown, None, has_bom=has_bom, newline=newline, text=text)
    _load(document, utf8 if utf8 is not None and _has_libyaml() else text, _HIDDEN.search(text) is not None, stream)
    return document


def _has_libyaml() -> bool:
    import yaml  # deferred: a warm cache never needs it

    return getattr(yaml, "CSafeLoader", None) is not None


def _refuse_forbidden(text: str, shown: str) -> None:
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        line, col = _line_col(text, forbidden.start())
        raise DataError(
            f"文件含有不允许的控制字符 U+{ord(forbidden.group()):04X}",
            where=_at(shown, line, col),
            hint="请删除该字符（常见于从 PDF 或网页复制的文字），并另存为 UTF-8 文本",
            code="control-char",
        )


def _load(document: Document, source: str | bytes, odd_breaks: bool, stream: tuple[str, ItemHook] | None) -> None:
    """Parse ``source`` (the text, or its UTF-8 bytes for libyaml) into ``document.data``."""
    import yaml

    shown = document.path
    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    loader = loader_class(source)
    collecting = gc.isenabled()
    gc.disable()  # the reader builds only acyclic dicts and lists: cycle collection during it is pure cost (a quarter of the time)
    try:
        document.data = _EventReader(shown, odd_breaks, document.problems, loader, stream).read()
    except yaml.MarkedYAMLError as exc:
        text = source if isinstance(source, str) else decode(source, shown)[0]
        raise _syntax_error(exc, text, shown) from None
    except yaml.YAMLError as exc:  # ReaderError and the like, without a mark
        raise DataError(f"YAML 格式错误：{exc}", where=shown, hint=_SYNTAX_HINT, code="yaml-syntax") from None
    finally:
        loader.dispose()
        if collecting:
            gc.enable()


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


_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MERGE, _MAP, _SEQ = (
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "map", "seq")
)
_NO_KEY: Any = object()  # a mapping frame waiting for its next key
_ALIAS_HINT = "请把被引用的内容直接写出来（gkplan 不展开别名，这也挡住了“十亿笑声”式的别名炸弹）"


def _keep(root: dict[Any, Any], index: int, item: Any, where: Position) -> Any:
    return item


class _EventReader:
    """The parser's events straight to plain data with positions; refuse what the format does not use.

    No node graph is composed (that is where most of PyYAML's time and memory went:
    about four times slower, and a tree of node objects as big as the file), and
    nothing recurses: nesting is counted as the events arrive, so a deep file is
    refused at its 65th level with either parser. Plain scalars are typed with the
    loader's own implicit resolvers, exactly as ``SafeLoader`` would type them.

    A file with several faults reports the one the user would fix first, in this order:
    nesting too deep; then syntax errors, undefined aliases, duplicate anchors and a
    second document, whichever comes first in the file; then the first refusal of the
    data itself (tags, aliases, merge keys, odd keys). A refusal therefore does not stop
    the reading: the rest of the stream is still parsed (``_drain``) before it is raised.
    """

    def __init__(
        self, shown: str, odd_breaks: bool, problems: list[Problem], loader: Any, stream: tuple[str, ItemHook] | None = None
    ) -> None:
        self.shown = shown
        self.stream = stream
        self.problems = problems
        self.loader = loader
        self.anchors: dict[str, tuple[Any, bool]] = {}  # name -> (start mark, is a scalar)
        self.documents = 0
        self.root_mark: Any = None
        self.failure: DataError | None = None  # the first refusal of the data
        self.composer_error: Exception | None = None  # what PyYAML's composer would have raised
        # Escapes in double quotes ("\e", "\0") make control characters the text check cannot see;
        # NEL, U+2028/9 and bidi overrides are allowed by YAML in raw text: values are checked
        # for these only when they can occur, so ordinary files pay nothing.
        self.odd_breaks = odd_breaks

    def where(self, mark: Any) -> str:
        return _at(self.shown, mark.line + 1, mark.column + 1)

    def read(self) -> Any:
        from yaml import events
        from yaml.nodes import ScalarNode

        scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
        mapping_start, mapping_end = events.MappingStartEvent, events.MappingEndEvent
        sequence_start, sequence_end = events.SequenceStartEvent, events.SequenceEndEvent
        document_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent
        loader = self.loader
        get_event = loader.get_event
        resolvers = loader.yaml_implicit_resolvers
        # the fast path below is Resolver.resolve for a loader with neither of these (SafeLoader, CSafeLoader)
        generic = bool(resolvers.get(None)) or bool(getattr(loader, "yaml_path_resolvers", None))
        stack: list[list[Any]] = []  # [dict, lines, key or _NO_KEY, key position] or [list, item positions, None, None]
        root: Any = None
        stream_key, hook = self.stream or (None, _keep)
        streamed: list[Any] | None = None  # the frame of the list whose items go to ``hook``
        shared: dict[str, str] = {}

        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                mark = event.start_mark
                if event.anchor is not None and not self._anchor(event, True):
                    return self._drain(len(stack))
                value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    if not event.implicit[0]:
                        tag = _STR
                    elif generic:
                        tag = loader.resolve(ScalarNode, value, event.implicit)
                    else:
                        tag = _STR
                        for candidate, regexp in resolvers.get(value[0] if value else "", ()):
                            if regexp.match(value):
                                tag = candidate
                                break
                frame = stack[-1] if stack else None
                is_key = frame is not None and frame[2] is _NO_KEY
                if is_key and tag == _MERGE:
                    self.failure = DataError(
                        "不支持 YAML 合并键（<<）", where=self.where(mark), hint="请把内容直接写出来", code="merge-key"
                    )
                    return self._drain(len(stack))
                if (event.style == '"' or self.odd_breaks) and _HIDDEN.search(value):
                    self.failure = self._hidden_char(mark, value, event.style == '"')
                    return self._drain(len(stack))
                data: Any
                if tag in (_STR, _TIMESTAMP):  # dates are checked by the model builder
                    # one object per short text: a unit, deadline or key written 20,000 times is stored once
                    data = value if len(value) > MAX_SHARED_CHARS else shared.setdefault(value, value)
                elif tag == _INT:
                    try:
                        data = _to_int(value)
                    except ValueError:  # "0b_", "!!int abc", more digits than Python converts: keep the text
                        data = value
                elif tag == _NULL:
                    data = None
                elif tag == _BOOL:
                    data = value.lower() in ("yes", "true", "on", "y")
                elif tag == _FLOAT:
                    try:
                        data = float(value.replace("_", ""))
                    except ValueError:
                        data = value
                else:
                    self.failure = self._bad_tag(mark, tag)
                    return self._drain(len(stack))
                if frame is None:
                    root = data
                    if self.root_mark is None:
                        self.root_mark = mark
                elif is_key:
                    if not isinstance(data, (str, int)) or isinstance(data, bool):
                        data = str(value)
                    if data == LINES:
                        self.failure = DataError(
                            f"{LINES} 是保留字，不能作为键", where=self.where(mark), hint="请改名", code="reserved-key"
                        )
                        return self._drain(len(stack))
                    position = (mark.line + 1, mark.column + 1)
                    if data in frame[0]:
                        self._duplicate(data, position, frame[1])
                    frame[2] = data
                    frame[3] = position
                elif type(frame[0]) is list:
                    position = (mark.line + 1, mark.column + 1)
                    frame[1].append(position)
                    frame[0].append(data if frame is not streamed else hook(stack[0][0], len(frame[0]), data, position))
                else:
                    key = frame[2]
                    frame[0][key] = data
                    frame[1][str(key)] = frame[3]
                    frame[2] = _NO_KEY
            elif kind is mapping_end or kind is sequence_end:
                done = stack.pop()
                container = done[0]
                if kind is mapping_end:
                    container[LINES] = done[1]
                if not stack:
                    root = container
                    continue
                frame = stack[-1]
                if type(frame[0]) is list:
                    if frame is streamed:  # the item's position was noted at its start
                        container = hook(stack[0][0], len(frame[0]), container, frame[1][-1])
                    frame[0].append(container)
                    continue
                key = frame[2]
                skey = str(key)
                frame[0][key] = container
                lines = frame[1]
                lines[skey] = frame[3]
                if kind is sequence_end:
                    for index, item in enumerate(done[1]):
                        lines[f"{skey}[{index}]"] = item
                frame[2] = _NO_KEY
            elif kind is mapping_start or kind is sequence_start:
                mark = event.start_mark
                if len(stack) >= MAX_DEPTH:
                    raise self._too_deep(mark)
                if event.anchor is not None and not self._anchor(event, False):
                    return self._drain(len(stack) + 1)
                frame = stack[-1] if stack else None
                if frame is not None and frame[2] is _NO_KEY:
                    self.failure = self._complex_key(mark)
                    return self._drain(len(stack) + 1)
                expected = _MAP if kind is mapping_start else _SEQ
                if event.tag not in (None, "!", expected):
                    self.failure = self._bad_tag(mark, event.tag)
                    return self._drain(len(stack) + 1)
                if frame is None:
                    if self.root_mark is None:
                        self.root_mark = mark
                elif type(frame[0]) is list:
                    frame[1].append((mark.line + 1, mark.column + 1))
                if kind is mapping_start:
                    stack.append([{}, {"": (mark.line + 1, mark.column + 1)}, _NO_KEY, None])
                else:
                    stack.append([[], [], None, None])
                    if stream_key is not None and len(stack) == 2 and type(stack[0][0]) is dict and stack[0][2] == stream_key:
                        streamed = stack[-1]
            elif kind is alias_event:
                self._alias(event, stack)
                return self._drain(len(stack))
            elif kind is document_start:
                self.documents += 1
                if self.documents > 1:
                    self._second_document(event)
                    return self._drain(len(stack))
            elif kind is stream_end or event is None:
                return root

    def _drain(self, depth: int) -> Any:
        """After a refusal: parse the rest for the faults that come first (see the class), then raise."""
        from yaml import YAMLError, events

        starts = (events.MappingStartEvent, events.SequenceStartEvent)
        ends = (events.MappingEndEvent, events.SequenceEndEvent)
        get_event = self.loader.get_event
        try:
            while True:
                event = get_event()
                if event is None or isinstance(event, events.StreamEndEvent):
                    break
                if isinstance(event, starts):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise self._too_deep(event.start_mark)
                elif isinstance(event, ends):
                    depth -= 1
                if self.composer_error is not None:
                    continue  # PyYAML's composer stops at its first error; only nesting is still counted
                if isinstance(event, events.AliasEvent):
                    if event.anchor not in self.anchors:
                        self._alias(event, [])
                elif isinstance(event, events.DocumentStartEvent):
                    self.documents += 1
                    if self.documents > 1:
                        self._second_document(event)
                elif getattr(event, "anchor", None) is not None:
                    self._anchor(event, isinstance(event, events.ScalarEvent))
        except YAMLError:
            if self.composer_error is None:
                raise
        raise self.composer_error or self.failure or DataError("YAML 读取失败", where=self.shown, code="yaml-syntax")

    def _anchor(self, event: Any, scalar: bool) -> bool:
        """Remember an anchor; a second one of the same name is refused, as PyYAML's composer does."""
        name = event.anchor
        first = self.anchors.get(name)
        if first is None:
            self.anchors[name] = (event.start_mark, scalar)
            return True
        self.composer_error = DataError(
            f"不支持 YAML 锚点和别名：锚点 &{name} 重复（第 {first[0].line + 1} 行已有）",
            where=self.where(event.start_mark),
            hint=_ALIAS_HINT,
            code="alias",
        )
        return False

    def _alias(self, event: Any, stack: list[list[Any]]) -> None:
        """An alias is refused: an undefined one as PyYAML's composer refuses it, a defined one here."""
        from yaml.composer import ComposerError

        name = event.anchor
        anchor = self.anchors.get(name)
        if anchor is None:
            if self.composer_error is None:
                self.composer_error = ComposerError(None, None, f"found undefined alias {name!r}", event.start_mark)
            return
        anchor_mark, scalar = anchor
        frame = stack[-1] if stack else None
        if frame is not None and frame[2] is _NO_KEY and not scalar:
            self.failure = self._complex_key(anchor_mark)  # the composer would have put the anchored mapping here
            return
        self.failure = DataError(
            f"不支持 YAML 别名：*{name} 引用了第 {anchor_mark.line + 1} 行的锚点 &{name}",
            where=self.where(event.start_mark),
            hint=_ALIAS_HINT,
            code="alias",
        )

    def _second_document(self, event: Any) -> None:
        from yaml.composer import ComposerError

        if self.composer_error is None:
            self.composer_error = ComposerError(
                "expected a single document in the stream", self.root_mark, "but found another document", event.start_mark
            )

    def _duplicate(self, key: Any, position: Position, lines: dict[str, Position]) -> None:
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

    def _hidden_char(self, mark: Any, value: str, quoted: bool) -> DataError:
        char = _HIDDEN.search(value).group()  # type: ignore[union-attr]
        how = "（写成了双引号里的转义，如 \\e、\\0、\\x1b）" if quoted else ""
        return DataError(
            f"文字中含有不允许的控制字符 U+{ord(char):04X}{how}",
            where=self.where(mark),
            hint="请删除该字符：它在终端、日志和表格中可能被当作指令执行；换行请用 | 多行文字",
            code="control-char",
        )

    def _too_deep(self, mark: Any) -> DataError:
        return DataError(
            f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）",
            where=self.where(mark) if mark else self.shown,
            hint="gkplan 的数据最多嵌套几层：请检查括号是否成对、缩进是否正确",
            code="too-deep",
        )

    def _complex_key(self, mark: Any) -> DataError:
        hint = "请检查该行的冒号和缩进；值里含有「: 」时请加引号"
        return DataError("键必须是简单文字", where=self.where(mark), hint=hint, code="yaml-syntax")

    def _bad_tag(self, mark: Any, tag: str) -> DataError:
        shown = tag.replace(_YAML, "!!")
        return DataError(
            f"不支持的 YAML 标签 {shown}",
            where=self.where(mark),
            hint="请删除标签，只写普通的文字、数字和列表（gkplan 不按标签创建对象）",
            code="tag",
        )


MAX_INT_CHARS = 64  # longer "numbers" stay text: a 3,600-digit hex id would break every str() (int-string limit)


def _to_int(text: str) -> int:
    """YAML 1.1 ints: 1_000, 0x1f, 0o17, 017, +3; the resolver already matched one of these.

    ``ValueError`` (the caller keeps the text, so the checks name it with its line) for
    what is not a plain number of reasonable size: more than ``MAX_INT_CHARS`` characters,
    or YAML 1.1 base 60 (``190:20:30`` would silently become 685230; a time like
    ``10:30`` is not meant as 630 either).
    """
    if len(text) > MAX_INT_CHARS:
        raise ValueError("too long")
    clean = text.replace("_", "")
    sign = -1 if clean.startswith("-") else 1
    clean = clean.lstrip("+-")
    if clean.startswith("0x"):
        return sign * int(clean[2:], 16)
    if clean.startswith("0o"):
        return sign * int(clean[2:], 8)
    if clean.startswith("0b"):
        return sign * int(clean[2:], 2)
    if ":" in clean:
        raise ValueError("base 60")
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
