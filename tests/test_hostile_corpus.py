"""The hostile-data corpus (``tests/hostile/``, one file per attack) against every output.

Each ``ATTACK.yaml`` is a plan a contributor could send in a pull request (with its own
``ATTACK.units.yaml`` when the attack is on unit names). Every output command and format
runs on it as a real process (the venv's ``gkplan``), and the output must carry no
traceback, no raw control character, no formula cell, no unescaped markup or HTML, and
no CI log command; the data files stay byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "hostile"
ATTACKS = sorted(p.stem for p in CORPUS.glob("*.yaml") if p.name != "units.yaml")
GKPLAN = Path(sys.executable).with_name("gkplan")  # the worktree venv's console script: a real process
TODAY = "2022-10-08"
# Refused when read (control characters in the text or through escapes): every command stops
# cleanly, so each runs alone, with a few commands. The others are loaded together, one plan
# file each (plan id = attack), so one run of every command and format covers them all.
REFUSED = ["bidi", "c1-and-separators", "escape-quoted", "escape-raw"]
SHOWN = ["ci-commands", "formula", "html-markdown", "rich-markup"]  # attacks on what is displayed

# (label, arguments, output kind, file written by -o or "")
Command = tuple[str, tuple[str, ...], str, str]
LISTINGS = (("list", ()), ("overdue", ()), ("due", ("--within", "60")), ("units", ()), ("summary", ()))
COMMANDS: list[Command] = [
    *[(f"{cmd}-{fmt}", (cmd, *extra, "-f", fmt), fmt, "") for cmd, extra in LISTINGS for fmt in ("table", "json", "csv", "md")],
    *[(f"show-{attack}-{fmt}", ("show", f"{attack}:1", "-f", fmt), fmt, "") for attack in SHOWN for fmt in ("table", "md")],
    *[(f"show-formula-{fmt}", ("show", "formula:1", "-f", fmt), fmt, "") for fmt in ("json", "csv")],
    *[(f"review-{fmt}", ("review", "-f", fmt), fmt, "") for fmt in ("table", "md", "json")],
    ("report-table", ("report",), "table", ""),
    ("report-md", ("report", "-f", "md"), "md", ""),
    ("report-md-stdout", ("report", "-o", "-", "-f", "md"), "md", ""),
    ("report-html", ("report", "-o", "out/例会.html"), "html", "out/例会.html"),
    ("report-xlsx", ("report", "-o", "out/例会.xlsx"), "xlsx", "out/例会.xlsx"),
    ("ics-stdout", ("ics", "-o", "-"), "ics", ""),
    ("ics-file", ("ics", "-o", "out/日历.ics"), "ics", "out/日历.ics"),
    *[(f"check-{fmt}", ("check", "-f", fmt), fmt, "") for fmt in ("text", "json", "github", "gitlab")],
    ("remind-dry-run", ("remind", "--dry-run"), "text", ""),
]
REFUSED_COMMANDS: list[Command] = [
    ("list-table", ("list",), "table", ""),
    ("report-html", ("report", "-o", "out/例会.html"), "html", "out/例会.html"),
    ("check-text", ("check",), "text", ""),
]

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
UNESCAPED_HTML = re.compile(r"(?<!\\)<\s*(script|img|svg|a\b|b>|/)", re.IGNORECASE)


@dataclass
class Run:
    label: str
    args: tuple[str, ...]
    kind: str
    code: int
    stdout: bytes
    stderr: bytes
    written: bytes | None  # the -o file, if one was asked for and exists


@dataclass
class Outcome:
    runs: list[Run]
    before: dict[str, bytes]  # the data files' bytes before and after every command
    after: dict[str, bytes]

    def run(self, label: str) -> Run:
        return next(r for r in self.runs if r.label == label)


def environment(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GKPLAN_DATA", "FORCE_COLOR")}
    env.update(NO_COLOR="1", COLUMNS="200", GKPLAN_TODAY=TODAY, XDG_CACHE_HOME=str(cache), PYTHONIOENCODING="utf-8")
    return env


def make_data(folder: Path, attacks: list[str]) -> Path:
    """A data folder with these attacks: one alone is tasks.yaml, several are one plan file each."""
    data = folder / "data"
    data.mkdir(parents=True)
    for attack in attacks:
        shutil.copyfile(CORPUS / f"{attack}.yaml", data / ("tasks.yaml" if len(attacks) == 1 else f"{attack}.yaml"))
    shutil.copyfile(CORPUS / "units.yaml", data / "units.yaml")
    (folder / "out").mkdir()
    return data


def run_command(folder: Path, data: Path, label: str, args: tuple[str, ...], kind: str, written: str) -> Run:
    done = subprocess.run(
        [str(GKPLAN), *args, "--data", str(data)],
        cwd=folder,
        env=environment(folder / ".cache"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    out = folder / written if written else None
    return Run(label, args, kind, done.returncode, done.stdout, done.stderr, out.read_bytes() if out and out.exists() else None)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every command on the corpus, once, two at a time (the machine has two cores).

    Keys: ``"together"`` (every attack that can be read) and each refused attack.
    """
    groups = {"together": ([a for a in ATTACKS if a not in REFUSED], COMMANDS)}
    groups.update({attack: ([attack], REFUSED_COMMANDS) for attack in REFUSED})
    jobs = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, (attacks, commands) in groups.items():
            folder = tmp_path_factory.mktemp(name)
            data = make_data(folder, attacks)
            before = {p.name: p.read_bytes() for p in data.iterdir()}
            jobs.append((name, data, before, [pool.submit(run_command, folder, data, *command) for command in commands]))
        return {
            name: Outcome([f.result() for f in futures], before, {p.name: p.read_bytes() for p in data.iterdir()})
            for name, data, before, futures in jobs
        }


GROUPS = ["together", *REFUSED]


def text_of(run: Run) -> str:
    return (run.stdout + b"\n" + run.stderr).decode("utf-8")


def test_the_corpus_has_one_file_per_attack() -> None:
    assert set(REFUSED) | set(SHOWN) <= set(ATTACKS)
    assert {"number-hex", "number-binary", "number-base60"} <= set(ATTACKS)


@pytest.mark.parametrize("group", GROUPS)
def test_no_traceback_and_clean_exit(group: str, corpus: dict[str, Outcome]) -> None:
    for run in corpus[group].runs:
        assert b"Traceback" not in run.stderr, (run.label, run.stderr.decode()[-2000:])
        if group == "together":
            # 1: check found problems; 5: a report on data with errors (the number attacks), with its banner
            assert run.code in (0, 1, 5), (run.label, run.code, run.stderr.decode())
            continue
        assert run.code == (1 if run.args[0] == "check" else 3), (run.label, run.stderr.decode())
        if run.args[0] != "check":
            [line] = run.stderr.decode().splitlines()  # one clear line, naming file:line
            assert "tasks.yaml:" in line
            assert "控制字符" in line
            assert run.written is None  # a refused report writes nothing


@pytest.mark.parametrize("group", GROUPS)
def test_no_raw_control_character_in_any_output(group: str, corpus: dict[str, Outcome]) -> None:
    for run in corpus[group].runs:
        text = text_of(run)
        if run.kind == "ics":
            text = text.replace("\r\n", "\n")  # iCalendar's own line ends
            if run.written:
                assert not RAW_CONTROL.search(run.written.decode("utf-8").replace("\r\n", "\n")), run.label
        found = RAW_CONTROL.search(text)
        assert found is None, (run.label, repr(text[max(0, found.start() - 40) : found.end() + 40]) if found else "")


@pytest.mark.parametrize("group", GROUPS)
def test_no_ci_log_command_from_data(group: str, corpus: dict[str, Outcome]) -> None:
    own_annotation = re.compile(r"::(error|warning) file=[^,]*,(line=\d+,)?(col=\d+,)?title=[\w-]+::")
    for run in corpus[group].runs:
        for line in text_of(run).splitlines():
            if run.label == "check-github" and own_annotation.match(line):
                continue  # gkplan's own annotations, data escaped inside (%0A)
            assert not line.lstrip().startswith("::"), (run.label, line)
            assert "##[" not in line, (run.label, line)


def test_markup_and_html_stay_text(corpus: dict[str, Outcome]) -> None:
    outcome = corpus["together"]
    for run in outcome.runs:
        if run.kind == "md":
            assert not UNESCAPED_HTML.search(run.stdout.decode()), run.label
        if run.kind == "html" and run.written:
            page = run.written.decode()
            body = page[page.index("<body>") :]
            for raw in ("<script", "<img", "<svg onload", 'href="javascript', "<b>小标题"):
                assert raw not in body, (run.label, raw)
            assert "&lt;img src=x onerror=" in body  # shown as text
    assert "[/]闭合标签" in outcome.run("list-table").stdout.decode()  # shown as written, not read as markup
    assert "[link=https://evil.example]" in outcome.run("show-rich-markup-table").stdout.decode()
    # one Markdown escaping rule for list and report
    assert "\\<img src=x onerror=" in outcome.run("list-md").stdout.decode()
    assert "\\<img src=x onerror=" in outcome.run("report-md").stdout.decode()


def test_no_formula_in_spreadsheets(corpus: dict[str, Outcome]) -> None:
    from openpyxl import load_workbook

    outcome = corpus["together"]
    for run in outcome.runs:
        if run.kind == "csv":
            assert run.code in (0, 5), run.stderr.decode()
            for row in csv.reader(io.StringIO(run.stdout.decode())):
                for cell in row:
                    if re.fullmatch(r"-?\d+(\.\d+)?", cell):
                        continue  # a number written by gkplan (days left), not text
                    assert not cell.lstrip(" \u3000").startswith(("=", "+", "-", "@")), (run.label, cell)
    workbook = load_workbook(io.BytesIO(outcome.run("report-xlsx").written or b""))
    strings = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    strings += 1
                    assert cell.data_type == "s"
    assert strings
    names = [c.value for c in workbook["任务"]["D"]]
    assert "=cmd|' /C calc'!A0" in names  # the text kept exactly, as a string cell


@pytest.mark.parametrize("group", GROUPS)
def test_outputs_parse_and_data_files_are_unchanged(group: str, corpus: dict[str, Outcome]) -> None:
    outcome = corpus[group]
    assert outcome.after == outcome.before  # read-only commands leave every byte as it was
    for run in outcome.runs:
        if run.kind in ("json", "gitlab") and run.stdout:
            json.loads(run.stdout)


def test_check_names_each_attack(corpus: dict[str, Outcome]) -> None:
    """``check`` refuses control characters (raw or escaped) and odd numbers with file:line."""
    for attack, where in {"escape-raw": ":4:", "escape-quoted": ":4:", "c1-and-separators": ":4:", "bidi": ":13:"}.items():
        first = corpus[attack].run("check-text").stdout.decode().splitlines()[0]
        assert "control-char" in first, (attack, first)
        assert f"tasks.yaml{where}" in first, (attack, first)
    report = corpus["together"].run("check-text").stdout.decode()
    for attack in ("number-hex", "number-binary", "number-base60"):
        assert re.search(f"{attack}.yaml:11:5: 错误 bad-id", report), attack
    assert "ci-commands.yaml:13:5: 警告 line-break: 「name」的值中有换行" in report


# ---- the colour path: rich on a real terminal ------------------------------------------------


def run_on_terminal(args: list[str], cwd: Path, columns: int = 160) -> tuple[int, str]:
    """Run gkplan on a pseudo-terminal (colour on, COLUMNS unset) and return (exit code, output)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in environment(cwd / ".cache").items() if k not in ("NO_COLOR", "COLUMNS")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen([str(GKPLAN), *args], cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("command", [["overdue"], ["report"], ["list"], ["show", "1"], ["units"], ["summary"], ["review"]])
def test_rich_markup_on_a_colour_terminal(command: list[str], tmp_path: Path) -> None:
    data = make_data(tmp_path, ["rich-markup"])
    code, output = run_on_terminal([*command, "--data", str(data)], tmp_path)
    assert "Traceback" not in output
    assert code == 0, output
    assert "\x1b[" in output  # colour really was on: this is rich's path
    assert "\x1b]8;" not in output  # no hyperlink made from [link=…]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert "[/]" in plain
    if command[0] == "show":
        assert "[tbd]" in plain  # not swallowed as an unknown style


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_escapes_that_slip_through_are_shown_on_a_terminal(tmp_path: Path) -> None:
    """A tab and a line break pass the reader (YAML allows them); on screen they are ␉ and ⏎."""
    data = make_data(tmp_path, ["ci-commands"])
    code, output = run_on_terminal(["show", "1", "--data", str(data)], tmp_path)
    assert code == 0, output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert "任务⏎::set-output name=result::pwned" in plain  # a value never starts a line
    assert not any(line.lstrip().startswith("::") for line in plain.splitlines())
