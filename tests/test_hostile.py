"""Hostile and odd input: refused fast and cleanly by the one loader every command uses."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkplan.errors import DataError
from gkplan.store.reader import parse_text, read_document, set_max_bytes
from gkplan.validate import validate
from tests.conftest import SHIPPED_DATA, Runner

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)
)  # ten levels of ten: 10^10 "lol" if anything expanded it

COMMANDS = [("list",), ("overdue", "--today", "2022-10-08"), ("due",), ("show", "1"), ("units",), ("summary",)]


def put(data_dir: Path, name: str, content: bytes | str) -> Path:
    path = data_dir / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# ---- alias bombs and tags -----------------------------------------------------------------


def test_billion_laughs_is_refused_at_once_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    # Bounded by memory, not seconds: expanding the bomb would need gigabytes; the refusal comes at the first alias.
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from gkplan.errors import DataError\n"
        "from gkplan.store.reader import read_document\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    read_document(Path(sys.argv[1]))\nexcept DataError as exc:\n    print(exc.code, exc.where)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60, check=True)
    refusal, grown = result.stdout.splitlines()
    assert refusal.startswith("alias ")
    assert refusal.endswith(":2:8")  # the first *a, in b's list
    assert float(grown) < 20  # MiB


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a: !!python/object/apply:os.system ['touch pwned']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !!python/object:collections.OrderedDict {}\n", "!!python/object:collections.OrderedDict"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x, y}\n", "!!set"),
        ("a: !custom thing\n", "!custom"),
    ],
)
def test_tags_are_refused_and_nothing_runs(text: str, shown: str, tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        parse_text(text, "t.yaml")
    assert caught.value.code == "tag"
    assert f"不支持的 YAML 标签 {shown}" in caught.value.message
    assert caught.value.where == "t.yaml:1:4"
    assert not (tmp_path / "pwned").exists()


def test_merge_keys_are_refused() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a: {x: 1}\nb:\n  <<: {y: 2}\n", "t.yaml")
    assert (caught.value.code, caught.value.where) == ("merge-key", "t.yaml:3:3")


@pytest.mark.parametrize("text", ["a: !!int abc\n", "a: 0b_\n", "a: 0x_\n", "a: " + "1" * 5000 + "\n"])
def test_odd_integers_stay_text(text: str) -> None:
    document = parse_text(text, "t.yaml")
    assert document.data["a"] == text[3:].strip().removeprefix("!!int ")


# ---- size, not-a-file ---------------------------------------------------------------------


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # a sparse 4 GiB file: reading it would take long and fill memory
        handle.truncate(4 * 1024**3)
    with pytest.raises(DataError) as caught:
        read_document(path)  # the size comes from stat: a read of 4 GiB would show as a MemoryError or a hang, not this refusal
    assert caught.value.code == "too-big"
    assert "4096.0 MB" in caught.value.message
    assert "GKPLAN_MAX_BYTES" in caught.value.hint


def test_size_limit_comes_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_max_bytes(4000)
    assert validate(data_dir)[0].code == "too-big"
    assert [Path(p.path).name for p in validate(data_dir)] == ["tasks.yaml"]  # units.yaml is under 4000 bytes


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_fifo_and_device_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # opening it for reading would block forever
    with pytest.raises(DataError) as caught:
        read_document(fifo)
    assert caught.value.code == "not-a-file"
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")  # endless: a plain read() would never return
    with pytest.raises(DataError) as caught:
        read_document(zero)
    assert caught.value.code == "not-a-file"


# ---- encodings and line endings -----------------------------------------------------------


def test_bom_and_crlf_are_accepted_by_check_and_reports(data_dir: Path, gkplan: Runner) -> None:
    for name in ("tasks.yaml", "units.yaml"):
        path = data_dir / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    check = gkplan("check")
    assert check.exit_code == 0, check.stdout
    assert check.stdout.startswith("检查通过")
    assert gkplan("overdue", "--today", "2022-10-08").exit_code == 0
    broken = data_dir / "tasks.yaml"
    broken.write_bytes(broken.read_bytes().replace("就业培训科".encode(), "就业陪训科".encode(), 1))
    shipped = (SHIPPED_DATA / "tasks.yaml").read_text(encoding="utf-8")
    line = shipped[: shipped.index("      - 就业培训科")].count("\n") + 1
    [problem] = validate(data_dir)
    assert (problem.code, problem.line, problem.col) == ("unknown-unit", line, 9)  # as with LF and no BOM


@pytest.mark.parametrize(
    ("encode", "code", "words"),
    [
        (lambda s: s.encode("gbk"), "encoding", "GBK/GB18030"),
        (lambda s: s.encode("gb18030"), "encoding", "GBK/GB18030"),
        (lambda s: s.encode("utf-16"), "encoding", "UTF-16"),
        (lambda s: s.encode("utf-16-le"), "encoding", "UTF-16"),
        (lambda s: s.encode("big5", errors="replace"), "encoding", "不是 UTF-8"),
    ],
)
def test_other_encodings_are_named_with_the_fix(encode: object, code: str, words: str, data_dir: Path) -> None:
    tasks = data_dir / "tasks.yaml"
    tasks.write_bytes(encode(tasks.read_text(encoding="utf-8")))  # type: ignore[operator]
    [problem] = validate(data_dir)
    assert problem.code == code
    assert words in problem.message
    assert "UTF-8" in problem.hint


def test_binary_garbage(data_dir: Path) -> None:
    put(data_dir, "tasks.yaml", random.Random(5).randbytes(4096))
    [problem] = validate(data_dir)
    assert problem.code in {"binary", "encoding", "control-char"}
    assert "GBK" not in problem.message  # random bytes are not called Chinese text


def test_control_characters_are_located() -> None:
    with pytest.raises(DataError) as caught:
        parse_text("a: 1\nb: 内容\x07\n", "t.yaml")
    assert (caught.value.code, caught.value.where) == ("control-char", "t.yaml:2:6")


# ---- shape: empty, list, scalar, deep ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("", "empty-file"),
        ("# 只有注释\n", "empty-file"),
        ("- id: 1\n- id: 2\n", "wrong-type"),
        ("就是一段文字\n", "wrong-type"),
        ("---\n...\n", "empty-file"),
    ],
)
def test_empty_and_misshapen_plan_files(content: str, code: str, data_dir: Path) -> None:
    put(data_dir, "tasks.yaml", content)
    problems = validate(data_dir)
    assert [(p.code, p.line) for p in problems] == [(code, 1)]


DEEP = {
    "flow sequences": "a: " + "[" * 100_000,
    "closed flow sequences": "a: " + "[" * 3000 + "]" * 3000 + "\n",
    "flow mappings": "a: " + "{a: " * 50_000,
    "block sequences": "- " * 50_000 + "x\n",
    "indentation": "".join(" " * i + f"k{i}:\n" for i in range(2000)),
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_fails_cleanly(text: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_text(text, "t.yaml")
    assert caught.value.code in {"too-deep", "yaml-syntax"}
    assert caught.value.where.startswith("t.yaml:")


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_with_the_pure_python_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader")  # a machine without libyaml
    with pytest.raises(DataError) as caught:
        parse_text(text, "t.yaml")
    assert caught.value.code in {"too-deep", "yaml-syntax"}


# ---- the same rules with libyaml and with PyYAML's pure-Python parser ----------------------

EITHER_PARSER = {
    "plain data": "a: 2022-05-25\nb: '12'\nc: 12\nd: yes\ne: ~\nf: 1.5\ng: 0x1f\nh: [x, {y: 1}]\ni: !!str 5\nj: ! 7\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "alias": "a: &x [1, 2]\nb: *x\n",
    "undefined alias": "a: 1\nb: *nowhere\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "alias bomb": BOMB,
    "python tag": "a: !!python/object/apply:os.system ['echo hi']\n",
    "custom tag on a list": "a: !custom [1]\n",
    "merge key": "a: {x: 1}\nb:\n  <<: {y: 2}\n",
    "reserved key": "a:\n  __lines__: 1\n",
    "list as a key": "? [a, b]\n: 1\n",
    "second document": "a: 1\n---\nb: 2\n",
    "too deep": "a: " + "[" * 70 + "]" * 70 + "\n",
    "too deep after a tag": "a: !custom x\nb: " + "[" * 70 + "]" * 70 + "\n",
}


def outcome(text: str) -> tuple[object, ...]:
    try:
        document = parse_text(text, "t.yaml")
    except DataError as exc:
        return ("refused", exc.code, exc.where, exc.message)
    return ("read", document.data, [(p.line, p.col, p.code, p.message) for p in document.problems])


@pytest.mark.parametrize("text", EITHER_PARSER.values(), ids=EITHER_PARSER.keys())
def test_same_data_and_refusals_without_libyaml(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    with_libyaml = outcome(text)
    monkeypatch.delattr(yaml, "CSafeLoader")  # a machine without libyaml: PyYAML's own parser
    assert outcome(text) == with_libyaml


def test_shipped_files_read_the_same_without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    texts = [(SHIPPED_DATA / name).read_text(encoding="utf-8") for name in ("tasks.yaml", "units.yaml")]
    with_libyaml = [outcome(text) for text in texts]
    assert with_libyaml[0][0] == "read"
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert [outcome(text) for text in texts] == with_libyaml


def test_the_fault_to_fix_first_is_reported() -> None:
    """Several faults in one file: nesting, then syntax and anchors in file order, then the data's own refusals."""
    assert outcome("a: !custom x\nb: [\n")[1:3] == ("yaml-syntax", "t.yaml:3:1")  # a syntax error wins over an earlier tag
    assert outcome("a: !custom x\nb: " + "[" * 70 + "]" * 70 + "\n")[1:3] == ("too-deep", "t.yaml:2:67")
    assert outcome("a: &x 1\nb: *x\nc: &y 1\nd: &y 2\n")[1:3] == ("alias", "t.yaml:4:4")  # duplicate anchor before alias use
    refusal = outcome("a: &x 1\nb: &x 2\n")
    assert refusal[1:] == ("alias", "t.yaml:2:4", "不支持 YAML 锚点和别名：锚点 &x 重复（第 1 行已有）")


def test_moderate_nesting_and_many_brackets_still_load() -> None:
    nested = parse_text("a: " + "[" * 30 + "]" * 30 + "\n", "t.yaml").data["a"]
    for _ in range(29):
        nested = nested[0]
    assert nested == []
    many = "a: [" + ", ".join("[1]" for _ in range(2000)) + "]\n"
    assert len(parse_text(many, "t.yaml").data["a"]) == 2000


# ---- every command is protected, not only check ----------------------------------------


HOSTILE = {
    "bomb": BOMB,
    "python tag": "plan: !!python/object/apply:os.system ['echo hi']\n",
    "gbk": "plan:\n  title: 测试\n".encode("gbk"),
    "deep": "a: " + "[" * 100_000,
    "syntax": "plan:\n  title: [\n",
}


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_command_refuses_hostile_files_cleanly(
    command: tuple[str, ...], content: str | bytes, data_dir: Path, gkplan: Runner
) -> None:
    put(data_dir, "tasks.yaml", content)
    result = gkplan(*command)
    assert result.exit_code == 3
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("gkplan: 错误：")
    assert "tasks.yaml:" in line
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_check_reports_hostile_files_and_goes_on(content: str | bytes, data_dir: Path, gkplan: Runner) -> None:
    put(data_dir, "tasks.yaml", content)
    units = data_dir / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "  局机关全体: {members: [人才科]}\n", encoding="utf-8")
    result = gkplan("check", "--format", "json")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [Path(r["path"]).name for r in records] == ["tasks.yaml", "units.yaml"]
    assert records[1]["code"] == "unknown-member"
    assert result.stderr == ""


# ---- property: the reader never fails with anything but DataError -------------------------

YAMLISH = st.text(alphabet=st.sampled_from(list("ab:- \n\t'\"[]{}&*!#|>%@`,?\\0123\u4e2d\u6587\ufeff\x00\x07")), max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_parse_text_raises_only_data_error(text: str) -> None:
    refusal: DataError | None = None
    try:
        parse_text(text, "t.yaml")
    except DataError as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.code
        assert refusal.where.startswith("t.yaml")


# ---- output files (-o): one rule for report, ics and import ------------------------------------

GKPLAN = Path(sys.executable).with_name("gkplan")  # the venv's console script: a real process


def gkplan_process(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GKPLAN_DATA"}
    env.update(NO_COLOR="1", COLUMNS="200", GKPLAN_TODAY="2022-10-08", XDG_CACHE_HOME=str(cwd / ".cache"))
    return subprocess.run([str(GKPLAN), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def data_bytes(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file()}


@pytest.mark.parametrize("name", ["例会.pdf", "例会.docx", "noext", "例会.yaml"])
def test_report_refuses_files_it_does_not_write(name: str, data_dir: Path, gkplan: Runner) -> None:
    before = set(data_dir.parent.iterdir())
    result = gkplan("report", "-o", name)
    assert result.exit_code == 2
    assert "可用的扩展名：.md .markdown .html .htm .xlsx" in result.stderr
    assert set(data_dir.parent.iterdir()) == before  # nothing written


def test_format_and_extension_must_agree(data_dir: Path, gkplan: Runner) -> None:
    result = gkplan("report", "--format", "xlsx", "-o", "a.html")
    assert result.exit_code == 2
    assert "--format xlsx 与 -o「a.html」的扩展名 .html 不符" in result.stderr
    assert "a.xlsx" in result.stderr
    assert not (data_dir.parent / "a.html").exists()


@pytest.mark.parametrize(
    ("command", "name", "target"),
    [
        ("report", "周报.html", "tasks.yaml"),
        ("report", "周报.md", "units.yaml"),
        ("report", "周报.xlsx", ".tasks.yaml.lock"),
        ("ics", "日历.ics", "units.yaml"),
        ("ics", "日历.ics", "settings.yaml"),  # not there yet: gkplan would read it once written
    ],
)
def test_output_never_lands_on_a_data_file_through_a_symlink(command: str, name: str, target: str, data_dir: Path) -> None:
    (data_dir.parent / name).symlink_to(data_dir / target)
    before = data_bytes(data_dir)
    result = gkplan_process(command, "-o", name, "--data", str(data_dir), cwd=data_dir.parent)
    assert result.returncode == 2, result.stderr
    assert "是 gkplan 读取的数据文件，gkplan 不会覆盖它" in result.stderr
    assert "Traceback" not in result.stderr
    assert data_bytes(data_dir) == before
    assert not (data_dir / target).exists() or target != "settings.yaml"


def test_output_onto_data_files_by_another_spelling(data_dir: Path, gkplan: Runner) -> None:
    before = data_bytes(data_dir)
    for args in (("report", "-o", "data/tasks.yaml"), ("ics", "-o", "data/units.yaml"), ("ics", "-o", "data/../data/x/../units.yaml")):
        result = gkplan(*args)
        assert result.exit_code == 2, (args, result.stdout)
    assert data_bytes(data_dir) == before


def test_dash_means_standard_output_everywhere(data_dir: Path) -> None:
    report = gkplan_process("report", "-o", "-", "--data", str(data_dir), cwd=data_dir.parent)
    assert report.returncode == 0, report.stderr
    assert "例会报告" in report.stdout
    calendar = gkplan_process("ics", "-o", "-", "--data", str(data_dir), cwd=data_dir.parent)
    assert calendar.returncode == 0, calendar.stderr
    assert calendar.stdout.startswith("BEGIN:VCALENDAR")
    markdown = gkplan_process("report", "-o", "-", "-f", "md", "--data", str(data_dir), cwd=data_dir.parent)
    assert markdown.stdout.startswith("# ")
    assert not (data_dir.parent / "-").exists()


def test_import_never_writes_onto_settings_or_units(data_dir: Path, gkplan: Runner, tmp_path: Path) -> None:
    table = tmp_path / "表.csv"
    table.write_text("序号,任务名称,任务内容,责任单位,时间节点\n1,任务,内容,就业培训科,9月底前\n", encoding="utf-8")
    before = data_bytes(data_dir)
    result = gkplan("import", str(table), "-o", "data/settings.yaml", "--year", "2023")
    assert result.exit_code == 2
    assert "数据文件" in result.stderr
    assert not (data_dir / "settings.yaml").exists()
    refused = gkplan("import", str(table), "-o", "data/2023.pdf", "--year", "2023")
    assert refused.exit_code == 2
    assert ".yaml .yml" in refused.stderr
    assert data_bytes(data_dir) == before


# ---- files and permissions ------------------------------------------------------------------


def test_a_read_only_plan_file_is_not_replaced(data_dir: Path, gkplan: Runner) -> None:
    tasks = data_dir / "tasks.yaml"
    tasks.chmod(0o444)
    before = tasks.read_bytes()
    result = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env={"GKPLAN_USER": ""})
    assert result.exit_code == 3
    assert "只读" in result.stderr
    assert tasks.read_bytes() == before
    assert stat.S_IMODE(tasks.stat().st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_owner_and_mode_are_kept(data_dir: Path, gkplan: Runner) -> None:
    tasks = data_dir / "tasks.yaml"
    os.chown(tasks, 4321, 4321)
    tasks.chmod(0o640)
    result = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env={"GKPLAN_USER": ""})
    assert result.exit_code == 0, result.stderr
    info = tasks.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 4321, 0o640)


def test_stale_temp_files_of_ours_are_cleaned_on_the_next_write(data_dir: Path, gkplan: Runner) -> None:
    stale = [data_dir / ".tasks.yaml.k1ll3d.tmp", data_dir / ".tasks.yaml.abc_123.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    other = data_dir / ".units.yaml.x1.tmp"  # not the file being written: left alone
    other.write_bytes(b"")
    assert gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env={"GKPLAN_USER": ""}).exit_code == 0
    assert not any(path.exists() for path in stale)
    assert other.exists()
    ignored = (Path(__file__).resolve().parents[1] / ".gitignore").read_text(encoding="utf-8")
    assert ".*.yaml.*.tmp" in ignored
    assert ".*.yaml.lock" in ignored


def test_a_file_deleted_during_the_write_is_not_created_again(tmp_path: Path) -> None:
    from gkplan.store.atomic import atomic_write

    gone = tmp_path / "tasks.yaml"
    with pytest.raises(DataError) as caught:
        atomic_write(gone, b"plan: {}\n", replace_only=True)  # as the writer calls it for a plan
    assert "被删除" in caught.value.message
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temp file


@pytest.mark.parametrize("kind", ["dangling symlink", "fifo", "/dev/zero"])
def test_odd_plan_files_are_refused_by_name(kind: str, data_dir: Path, gkplan: Runner) -> None:
    tasks = data_dir / "tasks.yaml"
    tasks.unlink()
    if kind == "dangling symlink":
        tasks.symlink_to("nowhere.yaml")
    elif kind == "fifo":
        os.mkfifo(tasks)
    else:
        tasks.symlink_to("/dev/zero")
    result = gkplan("list")
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert "tasks.yaml" in line or "nowhere.yaml" in line
    assert "符号链接" in line if kind == "dangling symlink" else "不是普通文件" in line


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_proc_as_data_folder_is_refused_cleanly(tmp_path: Path) -> None:
    result = gkplan_process("list", "--data", "/proc", cwd=tmp_path)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("gkplan: 错误：")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_subfolder_is_refused_by_name(data_dir: Path, gkplan: Runner) -> None:
    locked = data_dir / "局属单位"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = gkplan("list")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 3
    assert "无法读取目录" in result.stderr
    assert "局属单位" in result.stderr


def test_symlinked_folders_are_not_followed_and_no_plan_counts_twice(data_dir: Path) -> None:
    (data_dir / "loop").symlink_to(".")
    (data_dir / "sub").mkdir()
    (data_dir / "sub" / "up").symlink_to("..")
    (data_dir / "sub" / "again").symlink_to(data_dir)
    (data_dir / "copy.yaml").symlink_to("tasks.yaml")  # the same plan file under a second name
    result = gkplan_process("overdue", "--data", str(data_dir), cwd=data_dir.parent, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("逾期 2 项。")
    check = gkplan_process("check", "--data", str(data_dir), cwd=data_dir.parent, timeout=30)
    assert "1 个文件" in check.stdout or "2 个文件" in check.stdout  # tasks.yaml (+ units.yaml), once


# ---- progress commands refuse control characters --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("note", "2", "\x1b]52;c;ZWNobyBwd25lZA==\x07", "--unit", "就业培训科"),
        ("note", "2", "第一行\n::error::第二行", "--unit", "就业培训科"),
        ("done", "2", "--unit", "就业培训科", "--note", "\x9b2J"),
        ("block", "2", "--unit", "就业培训科", "--by", "张\x1b[8m三"),
    ],
)
def test_progress_commands_refuse_control_characters(args: tuple[str, ...], data_dir: Path, gkplan: Runner) -> None:
    before = data_bytes(data_dir)
    result = gkplan(*args, *(() if args[0] == "note" else ("--today", "2022-09-20")))
    assert result.exit_code == 2
    assert "控制字符" in result.stderr
    assert "\x1b" not in result.stderr
    assert data_bytes(data_dir) == before


def test_user_name_from_the_environment_is_checked_too(data_dir: Path, gkplan: Runner) -> None:
    before = data_bytes(data_dir)
    result = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env={"GKPLAN_USER": "a\x1b]0;title\x07"})
    assert result.exit_code == 2
    assert data_bytes(data_dir) == before


# ---- CSV neutralisation and --raw-csv ----------------------------------------------------------


def test_csv_neutralises_formulas_unless_raw(data_dir: Path, gkplan: Runner) -> None:
    import csv
    import io

    tasks = data_dir / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("name: 加强队伍建设", "name: '=HYPERLINK(\"http://x\")'", 1), encoding="utf-8")
    safe = list(csv.DictReader(io.StringIO(gkplan("list", "-f", "csv").stdout)))
    raw = list(csv.DictReader(io.StringIO(gkplan("list", "-f", "csv", "--raw-csv").stdout)))
    assert '\'=HYPERLINK("http://x")' in [row["name"] for row in safe]
    assert '=HYPERLINK("http://x")' in [row["name"] for row in raw]
    assert [row["days_left"] for row in safe] == [row["days_left"] for row in raw]  # numbers are never touched


def test_a_committed_lock_symlink_cannot_truncate_another_file(data_dir: Path, gkplan: Runner) -> None:
    """A pull request may commit ``.tasks.yaml.lock -> ../somewhere``: the lock is never opened through it."""
    precious = data_dir.parent / "precious.txt"
    precious.write_text("不能被清空\n", encoding="utf-8")
    (data_dir / ".tasks.yaml.lock").symlink_to("../precious.txt")
    before = data_bytes(data_dir)
    result = gkplan("done", "2", "--unit", "就业培训科", "--today", "2022-09-20", env={"GKPLAN_USER": ""})
    assert result.exit_code == 3
    assert "锁文件" in result.stderr
    assert precious.read_text(encoding="utf-8") == "不能被清空\n"
    assert data_bytes(data_dir) == before


def test_ledger_follows_the_same_output_rule(data_dir: Path) -> None:
    (data_dir.parent / "台账.xlsx").symlink_to(data_dir / "tasks.yaml")
    before = data_bytes(data_dir)
    onto_data = gkplan_process("ledger", "--unit", "就业培训科", "-o", "台账.xlsx", "--data", str(data_dir), cwd=data_dir.parent)
    assert onto_data.returncode == 2
    assert "数据文件" in onto_data.stderr
    assert data_bytes(data_dir) == before
    piped = subprocess.run(
        [str(GKPLAN), "ledger", "--unit", "就业培训科", "-o", "-", "--data", str(data_dir), "--today", "2022-10-08"],
        cwd=data_dir.parent,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "XDG_CACHE_HOME": str(data_dir.parent / ".cache")},
    )
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout.startswith(b"PK")  # the workbook itself; the summary went to stderr
    assert "就业培训科" in piped.stderr.decode()
    assert not (data_dir.parent / "-").exists()
