"""Read one YAML file safely, keeping the line of every key and list item.

Only plain data comes out (dict, list, str, int, float, bool, None): dates stay
as the text the user wrote and are checked by the model builder, so a quoted
``"2022-05-25"`` and an unquoted one mean the same. Each mapping carries the
1-based ``(line, column)`` of itself and of its keys under the reserved key
``LINES``; ``positions`` reads them.

Safety: libyaml (or PyYAML's pure-Python parser) only composes nodes; nothing
is constructed from tags, aliases are refused (the data format uses none, and
refusing them stops "billion laughs" before any expansion), oversized and
non-UTF-8 files are refused with a fix the user can apply.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkplan.errors import DataError, Problem, Severity

LINES = "__lines__"  # reserved key: {key: (line, col), "": own (line, col), "key[i]": item}
MAX_BYTES_DEFAULT = 64 * 1024 * 1024  # 20,000 tasks in one file is about 17 MB
MAX_DEPTH = 64  # the schema nests 5 levels; anything deeper is not ours
Position = tuple[int, int]

_YAML = "tag:yaml.org,2002:"


@dataclass(slots=True)
class Document:
    """A parsed YAML file: plain ``data`` plus problems found while reading."""

    path: str  # as shown to users
    data: Any
    problems: list[Problem] = field(default_factory=list)
    has_bom: bool = False
    newline: str = "\n"


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


def decode(raw: bytes, shown: str) -> tuple[str, bool]:
    """UTF-8 (a BOM is fine) or a clear refusal that says how to fix the file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            "文件是 UTF-16 编码，gkplan 只读 UTF-8",
            where=shown,
            hint="请用编辑器另存为 UTF-8 (please save as UTF-8)",
        )
    has_bom = raw.startswith(b"\xef\xbb\xbf")
    if has_bom:
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        guess = "GBK/GB18030" if _looks_gb18030(raw) else "非 UTF-8"
        raise DataError(
            f"文件不是 UTF-8 编码（看起来是 {guess}）",
            where=f"{shown}:{line}",
            hint="请另存为 UTF-8 (save the file as UTF-8)",
        ) from None
    if "\x00" in text:
        raise DataError("文件含有 NUL 字符，不是文本文件", where=shown, hint="请检查是否误存了二进制文件")
    return text, has_bom


def _looks_gb18030(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def read_bytes(path: Path, shown: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes():
            raise DataError(
                f"文件太大（{size / 1048576:.1f} MB，上限 {max_bytes() / 1048576:.0f} MB）",
                where=shown,
                hint="请拆分为多个计划文件，或设置 GKPLAN_MAX_BYTES",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError("找不到文件", where=shown) from None
    except IsADirectoryError:
        raise DataError("这是一个目录，不是文件", where=shown) from None
    except OSError as exc:
        raise DataError(f"无法读取文件：{exc.strerror}", where=shown) from None


def read_document(path: Path) -> Document:
    """Read, decode and parse one YAML file; raise ``DataError`` if it cannot be used at all."""
    shown = display_path(path)
    raw = read_bytes(path, shown)
    text, has_bom = decode(raw, shown)
    return parse_text(text, shown, has_bom=has_bom, newline="\r\n" if "\r\n" in text else "\n")


def parse_text(text: str, shown: str, *, has_bom: bool = False, newline: str = "\n") -> Document:
    import yaml  # deferred: a warm cache never needs it

    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        col = mark.column + 1 if mark else 0
        raise DataError(
            f"YAML 格式错误：{_explain(exc)}",
            where=f"{shown}:{line}:{col}",
            hint="请检查缩进（只能用空格，不能用 Tab）、冒号后的空格和引号是否成对",
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(f"YAML 格式错误：{exc}", where=shown) from None
    except RecursionError:
        raise DataError("YAML 嵌套过深", where=shown, hint="请检查括号是否成对") from None
    document = Document(shown, None, has_bom=has_bom, newline=newline)
    if node is not None:
        document.data = _Converter(shown, document.problems).convert(node, 0)
    return document


def _explain(exc: Any) -> str:
    problem = str(exc.problem or "")
    if "\\t" in problem or "'\\t'" in problem or "tab" in problem.lower():
        return f"使用了 Tab 缩进 ({problem})"
    if "duplicate" in problem:
        return f"重复的键 ({problem})"
    return problem or str(exc)


class _Converter:
    """Turn composed nodes into plain data with positions; refuse what the format does not use."""

    def __init__(self, shown: str, problems: list[Problem]) -> None:
        self.shown = shown
        self.problems = problems
        self.seen: set[int] = set()

    def fail(self, node: Any, message: str, hint: str, mark: Any = None) -> DataError:
        mark = mark or node.start_mark
        return DataError(message, where=f"{self.shown}:{mark.line + 1}:{mark.column + 1}", hint=hint)

    def convert(self, node: Any, depth: int, used_at: Any = None) -> Any:
        """``used_at``: the mark of the key whose value this is, to point at an alias's use."""
        if depth > MAX_DEPTH:
            raise self.fail(node, "YAML 嵌套过深", "gkplan 的数据最多嵌套几层，请检查缩进")
        if id(node) in self.seen:
            raise self.fail(
                node,
                "不支持 YAML 锚点和别名（&name / *name）",
                "请把被引用的内容直接写出来；这也防止了“十亿笑声”炸弹",
                used_at,
            )
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

    def _bad_tag(self, node: Any, tag: str) -> DataError:
        shown = tag.replace(_YAML, "!!")
        return self.fail(node, f"不支持的 YAML 标签 {shown}", "请删除标签，只写普通的文字、数字和列表")

    def scalar(self, node: Any, tag: str) -> Any:
        value: str = node.value
        if tag == _YAML + "str" or tag == _YAML + "timestamp":
            return value  # dates are checked by the model builder
        if tag == _YAML + "int":
            return _to_int(value)
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
                raise self.fail(key_node, "键必须是简单文字", "请检查该行的冒号和缩进")
            key_mark = key_node.start_mark
            key = self.convert(key_node, depth + 1)
            if key == "<<" or key_node.tag == _YAML + "merge":
                raise self.fail(key_node, "不支持 YAML 合并键（<<）", "请把内容直接写出来")
            if not isinstance(key, (str, int)):
                key = str(key_node.value)
            if key == LINES:
                raise self.fail(key_node, f"{LINES} 是保留字，不能作为键", "请改名")
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
            value = self.convert(value_node, depth + 1, key_mark)
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
    """The (line, col) of ``key`` in a mapping read by this module (``""``: the mapping itself)."""
    if isinstance(mapping, dict):
        lines = mapping.get(LINES)
        if lines:
            found = lines.get(str(key))
            if found:
                return (found[0], found[1])
            own = lines.get("")
            if own:
                return (own[0], own[1])
    return (0, 0)


def fields(mapping: dict[Any, Any]) -> list[Any]:
    """The user's keys of a mapping, without the reserved positions entry."""
    return [key for key in mapping if key != LINES]
