"""Record one progress change in a plan file: locked, verified, atomic.

``update_task`` holds a lock file next to the plan file (``.tasks.yaml.lock``) across
read-modify-write, so two liaisons on a shared drive or a script in a loop never
lose each other's updates. Under the lock it re-reads the file, finds the task's
block (at the line the caller's clean parse of the very same bytes recorded:
``yamltext.find_task_block_at``; in any other bytes by searching the text,
``yamltext.find_task_block``), judges the request against the task *as it is
now* (``updates.plan_edit``), edits only the lines that change, and then proves the
result: the new block, parsed with the safe reader, must equal the old block's data
plus exactly the intended change, and every byte outside the block must be
unchanged (for files under ``FULL_CHECK_BYTES`` the whole new document is re-parsed
and compared as well). Only then is the file replaced atomically (temp file in the
same folder, fsync, ``os.replace``, permission bits kept). Any refusal or failure
leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
import copy
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gkplan.errors import DataError, GkplanError, UsageError
from gkplan.model import Group, Plan, Task
from gkplan.store.atomic import atomic_write, gone_error, remove_stale_temps
from gkplan.store.build import PROGRESS_FIELDS, TASK_FIELDS, VERIFIED_FIELDS, build_plan
from gkplan.store.reader import LINES, decode, display_path, fields, parse_text, read_bytes
from gkplan.store.snapshot import digest_of
from gkplan.store.yamltext import (
    HEAD_CHARS,
    BlockEditor,
    TaskSpan,
    detect_step,
    find_task_block,
    find_task_block_at,
    format_scalar,
    format_value,
    strip_positions,
)
from gkplan.updates import Edit, Request, plan_edit

LOCK_TIMEOUT = 30.0  # seconds to wait for another gkplan writing the same file
FULL_CHECK_BYTES = 256 * 1024  # below this, re-parsing the whole new file costs < 0.1 s
HEAD_BYTES = 4 * HEAD_CHARS  # enough bytes of UTF-8 for HEAD_CHARS characters
BOM = b"\xef\xbb\xbf"

PROGRESS_ORDERS = (TASK_FIELDS, None, PROGRESS_FIELDS)
VERIFIED_ORDERS = (TASK_FIELDS, VERIFIED_FIELDS)


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What happened: the task before and after (as read from the file), and the edit."""

    before: Task
    after: Task
    edit: Edit
    changed: bool
    path: Path
    line: int  # where the task starts in the file
    old_lines: int = 0  # lines of the task block before the edit
    new_lines: int = 0  # … and after
    # The edit was made on the bytes of the caller's ``KnownContent``, on the block at its known line:
    # the caller's parse of those bytes, patched at ``line``, is the parse of the new ones.
    as_known: bool = False
    written_digest: str = ""  # as_known and written: the digest of the new bytes (for the caller's cache)


@dataclass(frozen=True, slots=True)
class KnownContent:
    """What the caller's load knew of the file: a clean parse of the bytes with ``digest`` (kept
    in ``raw`` when the load read them), in which the task's mapping starts on ``line`` and its
    name is ``name``."""

    digest: str
    raw: bytes | None
    line: int
    name: str


def plan_file(plan: Plan) -> Path:
    """The file a loaded plan came from (its source path is relative to the working directory)."""
    if plan.source is None:
        raise DataError(f"计划「{plan.id}」没有记录来源文件，无法登记")
    return Path(plan.source.path)


def lock_path(path: Path) -> Path:
    """The lock file: hidden, next to the data file, so every writer on a shared drive sees it."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the plan file's lock (cross-platform: flock on Unix, msvcrt on Windows)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path(path)), timeout=timeout)
    shown = display_path(path)
    try:
        lock.acquire()
    except Timeout:
        raise DataError(
            f"另一个 gkplan 正在修改此文件，等待 {timeout:.0f} 秒仍未结束",
            where=shown,
            hint=f"请稍后重试；若确认没有 gkplan 在运行，可删除 {lock_path(path).name}",
        ) from None
    except OSError as exc:
        raise DataError(f"无法创建锁文件：{exc.strerror}", where=shown, hint="请检查该目录是否可写") from None
    try:
        yield
    finally:
        lock.release()


def update_task(
    path: Path,
    plan: Plan,
    task_id: int,
    request: Request,
    key: str,
    *,
    timeout: float = LOCK_TIMEOUT,
    known: KnownContent | None = None,
) -> UpdateResult:
    """Apply ``request`` to task ``task_id`` of ``plan`` stored in ``path``; see the module doc.

    ``known``: what the caller loaded. When the bytes read under the lock are those, the
    task's block is found at its known line and edited in the bytes (no scan, no decoding
    of the whole file); otherwise (another update came in between) the whole text is searched.
    """
    path = path.resolve()  # write the real file, not over a symlink
    shown = display_path(path)
    with locked(path, timeout):
        raw = read_bytes(path, shown)
        before_stat = _stat_or_gone(path, shown)
        refuse_unwritable(path, before_stat, shown)
        remove_stale_temps(path)  # under the lock: any temp file of ours for this file is a dead writer's
        same = known is not None and (raw == known.raw if known.raw is not None else digest_of(raw) == known.digest)
        if same and known is not None and known.raw is not None:
            raw = known.raw  # equal bytes: keep one copy in memory (17 MB on 20,000 tasks)
        block = find_task_block_at(raw, task_id, known.name, known.line, shown) if same and known is not None else None
        # Found elsewhere than at its known line (a NEL or lone CR in a value: YAML counts more
        # lines than the file has), the caller's line numbers would not fit the edit's: not as known.
        as_known = block is not None
        if block is not None:
            written, step = _edit_bytes(raw, block, plan, task_id, request, key, shown)
        else:
            text, has_bom = decode(raw, shown)
            new_text, step = edit_text(text, plan, task_id, request, key, shown)
            del text  # before encoding: three copies of a large file at once is too many
            written = (BOM if has_bom else b"") + new_text.encode("utf-8") if step.changed else b""
            del new_text
        if step.changed:
            _refuse_if_touched(path, before_stat, shown)
            atomic_write(path, written, replace_only=True)
        written_digest = digest_of(written) if as_known and step.changed else ""
    return UpdateResult(
        step.before,
        step.after,
        step.edit,
        step.changed,
        path,
        step.line,
        old_lines=step.old_lines,
        new_lines=step.new_lines,
        as_known=as_known,
        written_digest=written_digest,
    )


def _edit_bytes(raw: bytes, block: TaskSpan, plan: Plan, task_id: int, request: Request, key: str, shown: str) -> tuple[bytes, Step]:
    """``edit_text`` on a block found in the file's bytes (``find_task_block_at``): only the block
    and the file's head (for its indentation step and line endings) are decoded."""
    has_bom = raw.startswith(BOM)
    head = raw[len(BOM) if has_bom else 0 : HEAD_BYTES].decode("utf-8", "ignore")  # a character cut at the end is dropped
    old_item = _single_item(block.text, shown)
    before = _build_task(old_item, plan, shown, task_id)
    new_block, step = edit_block(head, block, old_item, before, plan, request, key, shown)
    if not step.changed:
        return b"", step
    with memoryview(raw) as view:
        written = b"".join((view[: block.start], new_block.encode("utf-8"), view[block.end :]))
    if len(written) <= FULL_CHECK_BYTES:
        assert step.expected is not None
        _check_document(decode(raw, shown)[0], decode(written, shown)[0], {before.id: step.expected}, shown, f"{shown}:{block.line}")
    return written, step


@dataclass(frozen=True, slots=True)
class Step:
    """One request applied to a file's text in memory (``edit_text``)."""

    before: Task
    after: Task
    edit: Edit
    request: Request
    key: str
    changed: bool
    line: int
    old_lines: int
    new_lines: int
    expected: dict[Any, Any] | None = None  # the task's data after the step, as computed on data


def edit_text(text: str, plan: Plan, task_id: int, request: Request, key: str, shown: str) -> tuple[str, Step]:
    """``text`` with ``request`` applied to task ``task_id``, proven to change only what it should."""
    block, old_item, before = read_task(text, plan, task_id, shown)
    return apply_request(text, block, old_item, before, plan, request, key, shown)


def read_task(text: str, plan: Plan, task_id: int, shown: str) -> tuple[TaskSpan, dict[Any, Any], Task]:
    """The task's block in ``text``, its parsed item and the task as the model sees it."""
    block = find_task_block(text, task_id, shown)
    old_item = _single_item(block.text, shown)
    return block, old_item, _build_task(old_item, plan, shown, task_id)


def apply_request(
    text: str,
    block: TaskSpan,
    old_item: dict[Any, Any],
    before: Task,
    plan: Plan,
    request: Request,
    key: str,
    shown: str,
    *,
    whole: bool = True,
) -> tuple[str, Step]:
    """Apply one request to one task's block. ``whole=False``: the caller re-checks the whole document
    once after several steps (``update_files``) instead of after each."""
    new_block, step = edit_block(text, block, old_item, before, plan, request, key, shown)
    new_text = text[: block.start] + new_block + text[block.end :]
    if whole and len(new_text) <= FULL_CHECK_BYTES and step.expected is not None:
        _check_document(text, new_text, {before.id: step.expected}, shown, f"{shown}:{block.line}")
    return new_text, step


def edit_block(
    head: str, block: TaskSpan, old_item: dict[Any, Any], before: Task, plan: Plan, request: Request, key: str, shown: str
) -> tuple[str, Step]:
    """The block's new text, proven to hold the old data plus exactly the change. ``head``: the
    file's text from its start (its first ``HEAD_CHARS`` are read, for the indentation step and line endings)."""
    edit = plan_edit(before, request, plan.units, key)
    unit_key = _progress_key(old_item, edit, plan, shown, block)
    step = detect_step(head) or max(2, _item_step(old_item, block))
    new_block = apply_edit(block, edit, unit_key, step=step, newline=_newline(head), shown=shown)
    new_item = _single_item(new_block, shown)
    old_data = strip_positions(old_item)
    expected = expected_item(old_data, edit, unit_key)
    _check_same(strip_positions(new_item), expected, old_data, f"{shown}:{block.line}")
    after = _build_task(new_item, plan, shown, before.id)
    lines = (block.text.count("\n"), new_block.count("\n"))
    return new_block, Step(before, after, edit, request, key, new_block != block.text, block.line, *lines, expected=expected)


# What to do with one task, judged under the lock on the task as it is on disk: a request,
# None (nothing to do), or a ``GkplanError`` (refused: then no file is written).
Decide = Callable[[Task], Request | None]


@dataclass(frozen=True, slots=True)
class FileEdit:
    """Several changes to one plan file, applied in order: (task id, key users type, decide)."""

    path: Path
    plan: Plan
    changes: tuple[tuple[int, str, Decide], ...]


@dataclass(frozen=True, slots=True)
class FileResult:
    path: Path
    steps: tuple[Step, ...]
    original: str  # the text the changes were made on, read under the lock
    text: str  # the text after every change

    @property
    def changed(self) -> bool:
        return self.text != self.original


def update_files(edits: list[FileEdit], *, write: bool = True, timeout: float = LOCK_TIMEOUT) -> list[FileResult]:
    """All of ``edits`` or none: several changes to several plan files, as one command.

    Every file's lock is taken first (in path order, so two such commands never wait
    for each other in a circle); under the locks each file is re-read and its changes
    are applied one after another to its text in memory, each proven like a single
    update (``edit_text``). Only when every change of every file has succeeded is
    anything written: each file once, atomically. Should a later file's write fail
    (disk full), the files already replaced get their original bytes back.
    ``write=False`` (a dry run) computes the results and writes nothing.
    """
    targets = sorted({edit.path.resolve() for edit in edits})
    with contextlib.ExitStack() as stack:
        for path in targets:
            stack.enter_context(locked(path, timeout))
        prepared: list[tuple[FileResult, bytes, os.stat_result, bool]] = []
        for path in targets:
            shown = display_path(path)
            raw = read_bytes(path, shown)
            before_stat = _stat_or_gone(path, shown)
            if write:
                refuse_unwritable(path, before_stat, shown)
                remove_stale_temps(path)  # under the lock: any temp file of ours for this file is a dead writer's
            text, has_bom = decode(raw, shown)
            current, steps = text, []
            for edit in (e for e in edits if e.path.resolve() == path):
                for task_id, key, decide in edit.changes:
                    block, old_item, before = read_task(current, edit.plan, task_id, shown)
                    request = decide(before)
                    if request is None:
                        continue
                    current, step = apply_request(current, block, old_item, before, edit.plan, request, key, shown, whole=False)
                    steps.append(step)
            if current != text and len(current) <= FULL_CHECK_BYTES:  # once for all steps: each proved its own block
                _check_document(text, current, {s.before.id: s.expected for s in steps if s.expected is not None}, shown, shown)
            prepared.append((FileResult(path, tuple(steps), text, current), raw, before_stat, has_bom))
        if not write:
            return [result for result, *_ in prepared]
        for result, _, before_stat, _ in prepared:
            if result.changed:
                _refuse_if_touched(result.path, before_stat, display_path(result.path))
        done: list[tuple[Path, bytes]] = []
        try:
            for result, raw, _, has_bom in prepared:
                if result.changed:
                    atomic_write(result.path, (BOM if has_bom else b"") + result.text.encode("utf-8"), replace_only=True)
                    done.append((result.path, raw))
        except BaseException:
            for path, raw in done:  # best effort: put back what this command already replaced
                with contextlib.suppress(GkplanError):
                    atomic_write(path, raw)
            raise
    return [result for result, *_ in prepared]


def apply_edit(block: TaskSpan, edit: Edit, unit_key: str | None, *, step: int, newline: str, shown: str) -> str:
    """The block's new text with ``edit`` applied; only the lines that change differ."""
    editor = BlockEditor(block.text, shown, step=step, newline=newline)
    try:
        if edit.clear_verified:
            editor.remove_key("verified")
        if edit.progress and unit_key is not None:
            path = ("progress", unit_key)
            for name, value in edit.progress:
                if value is None:
                    editor.remove_field(path, PROGRESS_ORDERS, name)
                else:
                    editor.set_field(path, PROGRESS_ORDERS, name, _field_text(name, value))
        if edit.verified is not None:
            for name, value in edit.verified:
                if value is None:
                    editor.remove_field(("verified",), VERIFIED_ORDERS, name)
                else:
                    editor.set_field(("verified",), VERIFIED_ORDERS, name, _field_text(name, value))
    except ValueError:  # a lone surrogate (undecodable command-line bytes) cannot be stored in UTF-8
        raise UsageError("说明或登记人中含有无法保存的字符", hint="请检查终端编码是否为 UTF-8") from None
    return editor.text


def _field_text(name: str, value: str) -> str:
    """A progress or verified field as YAML: ``date`` is a day, written plain like every date in a plan."""
    return format_value(date.fromisoformat(value)) if name == "date" else format_scalar(value)


def expected_item(old: dict[Any, Any], edit: Edit, unit_key: str | None) -> dict[Any, Any]:
    """The task's plain data after ``edit``, computed on data (not text) to check the text edit."""
    item = copy.deepcopy(old)
    if edit.clear_verified:
        item.pop("verified", None)
    if edit.progress and unit_key is not None:
        progress = item.get("progress")
        progress = progress if isinstance(progress, dict) else {}
        entry = progress.get(unit_key)
        entry = {"status": entry} if isinstance(entry, str) else entry if isinstance(entry, dict) else {}
        _apply_fields(entry, edit.progress)
        progress[unit_key] = entry
        item["progress"] = progress
    if edit.verified is not None:
        verified = item.get("verified")
        verified = verified if isinstance(verified, dict) else {}
        _apply_fields(verified, edit.verified)
        item["verified"] = verified
    return item


def _apply_fields(mapping: dict[Any, Any], changes: tuple[tuple[str, str | None], ...]) -> None:
    for name, value in changes:
        if value is None:
            mapping.pop(name, None)
        else:
            mapping[name] = value


def _single_item(block_text: str, shown: str) -> dict[Any, Any]:
    data = parse_text(block_text, shown).data
    if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
        raise DataError("任务块结构不对，未写入文件", where=shown, hint="请手工登记并报告此问题")
    return data[0]


def _build_task(item: dict[Any, Any], plan: Plan, shown: str, task_id: int) -> Task:
    """The task as the model sees it, built from its block alone with the plan's units."""
    document = {"plan": {"id": plan.id, "title": plan.title or plan.id, "year": plan.year}, "tasks": [item]}
    built, _ = build_plan(document, shown, plan.units, default_id=plan.id)
    if not built.tasks:
        raise DataError(f"任务 {task_id} 的数据有误，无法登记", where=shown, hint="请运行 gkplan check 查看并修正")
    return built.tasks[0]


def _progress_key(item: dict[Any, Any], edit: Edit, plan: Plan, shown: str, block: TaskSpan) -> str | None:
    """The key the unit's entry has in the file (a hand-written alias is kept), or the unit's name."""
    if edit.unit is None:
        return None
    progress = item.get("progress")
    if not isinstance(progress, dict):
        return edit.unit
    keys = []
    for written in fields(progress):
        found = plan.units.lookup(str(written))
        if found is not None and not isinstance(found, Group) and found.name == edit.unit:
            keys.append(written)
    if len(keys) > 1:
        lines = "、".join(str(block.line + progress[LINES][str(k)][0] - 1) for k in keys)
        raise DataError(
            f"「{edit.unit}」在 progress 中登记了 {len(keys)} 次（第 {lines} 行）",
            where=shown,
            hint="请先手工合并为一条",
        )
    return str(keys[0]) if keys else edit.unit


def _item_step(item: dict[Any, Any], block: TaskSpan) -> int:
    """Fallback indentation step: how far the task's keys sit right of its dash."""
    return int(item[LINES][""][1]) - 1 - block.dash_col


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text[:HEAD_CHARS] else "\n"


def _check_same(actual: Any, expected: Any, old: Any, where: str) -> None:
    if not _same(actual, expected, old):
        raise DataError(
            "改写结果与预期不符，未写入文件（文件保持原样）",
            where=where,
            hint="请按 README 的写法手工登记，并报告此问题",
        )


def _same(actual: Any, expected: Any, old: Any) -> bool:
    """Equal data (types included), and the keys that were there before keep their order."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or actual != expected:
            return False
        before = old if isinstance(old, dict) else {}
        if [k for k in actual if k in before] != [k for k in before if k in actual]:
            return False
        return all(_same(actual[k], expected[k], before.get(k)) for k in expected)
    if isinstance(expected, list):
        previous = old if isinstance(old, list) and len(old) == len(expected) else [None] * len(expected)
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_same(a, e, o) for a, e, o in zip(actual, expected, previous, strict=True))
        )
    return bool(actual == expected and type(actual) is type(expected))


def _check_document(old_text: str, new_text: str, expected: dict[int, dict[Any, Any]], shown: str, where: str) -> None:
    """Small files: re-parse the whole new document; it must be the old one with exactly the tasks
    in ``expected`` (by id) replaced by their expected data."""
    old = parse_text(old_text, shown).data
    new = parse_text(new_text, shown).data
    tasks = old.get("tasks") if isinstance(old, dict) else None
    before = strip_positions(old)
    wanted = copy.deepcopy(before)
    found: set[int] = set()
    for index, item in enumerate(tasks or []):
        task_id = item.get("id") if isinstance(item, dict) else None
        if type(task_id) is int and task_id in expected:
            wanted["tasks"][index] = expected[task_id]
            found.add(task_id)
    if found != set(expected):
        raise DataError("无法在整份文件中核对改动，未写入文件", where=where, hint="请手工登记并报告此问题")
    _check_same(strip_positions(new), wanted, before, where)


def _stat_or_gone(path: Path, shown: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise gone_error(shown) from None


def refuse_unwritable(path: Path, info: os.stat_result, shown: str) -> None:
    """Never replace a file its owner made read-only, nor one we could not give back to its owner.

    The atomic rename would succeed in a writable folder even so (a read-only or another
    user's tasks.yaml was silently replaced): the file's own permission decides, as an
    editor's would. Root passes ``os.access``, so no write bit at all also counts as read-only.
    """
    if not os.access(path, os.W_OK) or not info.st_mode & 0o222:
        raise DataError(
            f"文件是只读的（权限 {stat.filemode(info.st_mode)}），未写入",
            where=shown,
            hint="确需登记时，请先让文件的所有者改为可写（如 chmod u+w），再重试",
            code="read-only",
        )
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid() and os.geteuid() != 0:
        raise DataError(
            "文件属于另一个用户；改写会把它变成你的文件，未写入",
            where=shown,
            hint="请由文件的所有者登记，或在自己的仓库副本中登记后提交",
            code="other-owner",
        )


def _refuse_if_touched(path: Path, before: os.stat_result, shown: str) -> None:
    """An editor that ignores our lock saved the file meanwhile: do not overwrite its work."""
    now = _stat_or_gone(path, shown)
    if (now.st_mtime_ns, now.st_size) != (before.st_mtime_ns, before.st_size):
        raise DataError("文件在登记过程中被其他程序修改，未写入", where=shown, hint="请保存编辑器中的改动后重试")
