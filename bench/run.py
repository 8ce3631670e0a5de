"""Time gkplan's main commands as whole processes, on 32 to 20,000 tasks, and print a Markdown table.

    python bench/run.py                 # the full run (several minutes)
    python bench/run.py --quick         # smoke test: fewer runs, no 20,000-task data sets
    python bench/run.py --out bench/latest.md

Every figure is a whole process (``perf_counter`` around fork/exec/wait) of the
gkplan entry point of a virtualenv (never a pyenv shim), with stdout written to
a regular file (so output is really produced, as in a pipe: plain text, no
colour) and stderr kept for failures. Peak memory is the child's ``ru_maxrss``
from ``os.wait4``. gkplan keeps a parse cache under ``$XDG_CACHE_HOME``: every
data set gets its own cache folder; "cold" runs start with an empty one, "warm"
runs reuse the one the earlier runs filled. The OS page cache is left alone
(files are in memory for every run, cold or warm).

Standard library only, so it can time any gkplan install (``--gkplan PATH``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_plans  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2022-10-08"  # the README's example day: a few months of the 2022 plan are late
COLUMNS = "120"
COMMANDS = ("list", "overdue", "summary", "check", "done", "done-seq")
# Every other reading command, timed warm on the 20,000-task data sets: the memory target is for
# any command. (label, argv after the command name; OUT is a fresh file in the scratch folder,
# KEY a task key and UNIT one of its units from the data.)
OTHER_COMMANDS = (
    ("list -f json", ["list", "--format", "json"]),
    ("due", ["due"]),
    ("units", ["units"]),
    ("show", ["show", "KEY"]),
    ("report", ["report"]),
    ("report -f html", ["report", "--format", "html", "-o", "OUT.html"]),
    ("report -f xlsx", ["report", "--format", "xlsx", "-o", "OUT.xlsx"]),
    ("ics", ["ics", "-o", "OUT.ics"]),
    ("review", ["review"]),
    ("review -f json", ["review", "--format", "json"]),
    ("ledger (one unit)", ["ledger", "--unit", "UNIT", "--plan", "PLAN", "-o", "OUT.xlsx"]),
    ("remind --dry-run", ["remind", "--dry-run"]),
)
OTHER_RUNS = 2
NA = "n/a (command not available)"
DONE_IN_A_ROW = 10  # issue 16: ten updates in a row, each within the target
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() and sys.platform.startswith("linux") else ""


@dataclass(frozen=True, slots=True)
class DataSet:
    key: str
    label: str
    tasks: int
    files: int
    layout: str  # "shipped" (a copy of data/), "single" or "bureaus"
    big: bool = False


DATASETS = (
    DataSet("shipped", "shipped plan (32)", 32, 1, "shipped"),
    DataSet("1k", "1,000 in 1 file", 1000, 1, "single"),
    DataSet("20k-1", "20,000 in 1 file", 20000, 1, "single", big=True),
    DataSet("20k-600", "20,000 in 600 files", 20000, 600, "bureaus", big=True),
    # The growth pair: the same layout (about 33 tasks a file) at a quarter and at 2.5 times 20k-600.
    DataSet("5k-150", "5,000 in 150 files", 5000, 150, "bureaus"),
    DataSet("50k-1500", "50,000 in 1,500 files", 50000, 1500, "bureaus", big=True),
)


@dataclass(slots=True)
class Sample:
    seconds: float
    rss_mb: float
    code: int
    out_bytes: int
    err: str


@dataclass(slots=True)
class Row:
    dataset: str
    command: str
    cold: list[Sample] = field(default_factory=list)
    warm: list[Sample] = field(default_factory=list)
    note: str = ""


# ---------------------------------------------------------------------------
# Running one process


class Runner:
    def __init__(self, work: Path, verbose: bool) -> None:
        self.scratch = work / "scratch"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.verbose = verbose
        # PYTHONDONTWRITEBYTECODE (set on some CI and sandbox machines) would make every run of an
        # editable install compile gkplan from source (~25 ms) while the libraries' bytecode is cached.
        dropped = ("GKPLAN_", "TASK", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
        self.base_env.update({"NO_COLOR": "1", "COLUMNS": COLUMNS, "GKPLAN_USER": "bench", "PYTHONIOENCODING": "utf-8"})

    def env(self, **extra: str) -> dict[str, str]:
        return {**self.base_env, **extra}

    def run(self, argv: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> Sample:
        """One timed process; stdout to a file, stderr kept.

        Peak memory comes from GNU time (``/usr/bin/time -f %M``) where it exists: on Linux a
        child's ``ru_maxrss`` also counts the pages it shared with this runner before ``exec``,
        and the runner holds 20,000 tasks, so ``wait4`` alone reports the runner's size for
        every command. GNU time adds its own fork/exec (about a millisecond) to every figure,
        the baselines' included.
        """
        out_path, err_path, rss_path = self.scratch / "stdout", self.scratch / "stderr", self.scratch / "maxrss"
        rss_path.unlink(missing_ok=True)
        command = [GNU_TIME, "-f", "%M", "-o", str(rss_path), *map(str, argv)] if GNU_TIME else list(argv)
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd or self.scratch)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux
        with contextlib.suppress(OSError, ValueError, IndexError):  # no GNU time: keep wait4's figure
            rss = int(rss_path.read_text().split()[-1]) / 1024  # KiB
        error = err_path.read_text(encoding="utf-8", errors="replace").strip()
        if self.verbose:
            print(f"    {seconds:7.3f} s {rss:6.1f} MB rc={proc.returncode} {' '.join(map(str, argv))[:110]}", file=sys.stderr)
        return Sample(seconds, rss, proc.returncode, out_path.stat().st_size, error)

    def output(self) -> str:
        return (self.scratch / "stdout").read_text(encoding="utf-8", errors="replace")


# ---------------------------------------------------------------------------
# gkplan under test


@dataclass(slots=True)
class Gkplan:
    exe: Path
    python: Path
    commands: set[str]
    options: dict[str, str]  # command -> its --help text
    facts: dict[str, str]

    def accepts(self, command: str, option: str) -> bool:
        return option in self.options.get(command, "")


def find_gkplan(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else [ROOT / ".venv" / "bin" / "gkplan", Path(sys.executable).parent / "gkplan"]
    if not explicit and shutil.which("gkplan"):
        candidates.append(Path(shutil.which("gkplan") or ""))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            if "shims" in candidate.parts:
                print(f"warning: {candidate} is a shim (pyenv/asdf): start-up figures include the shim", file=sys.stderr)
            return candidate.absolute()
    raise SystemExit("run.py: no gkplan entry point found; install the project in a venv or pass --gkplan PATH")


def interpreter_of(exe: Path) -> Path:
    """The Python behind an entry-point script (its shebang), so baselines use the same one."""
    try:
        first = exe.read_bytes()[:400].split(b"\n", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        first = ""
    if first.startswith("#!") and "python" in first:
        return Path(first[2:].strip().split()[0])
    return Path(sys.executable)


def inspect_gkplan(exe: Path, runner: Runner) -> Gkplan:
    env = runner.env(COLUMNS="200")
    help_text = subprocess.run([exe, "--help"], capture_output=True, text=True, env=env, check=False).stdout
    commands = set()
    in_commands = False
    for line in help_text.splitlines():
        if "Commands" in line or ("命令" in line and "─" in line):  # Typer's panel title, English or Chinese
            in_commands = True
            continue
        match = re.match(r"^[\s│|]*([a-z][a-z0-9-]*)\s{2,}", line)
        if in_commands and match:
            commands.add(match.group(1))
    options = {}
    for command in ("list", "overdue", "summary", "check", "done", *{words[0] for _, words in OTHER_COMMANDS}):
        if command in commands:
            options[command] = subprocess.run([exe, command, "--help"], capture_output=True, text=True, env=env, check=False).stdout
    python = interpreter_of(exe)
    # Compile gkplan's bytecode once, as an install does, so no timed run pays for it.
    subprocess.run(
        [python, "-c", "import compileall, gkplan, pathlib; compileall.compile_dir(pathlib.Path(gkplan.__file__).parent, quiet=1)"],
        env=env,
        check=False,
    )
    probe = (
        "import sys, gkplan, yaml, typer, rich.console as c\n"
        "from importlib.metadata import version as v\n"
        "print(gkplan.__version__, gkplan.__file__, yaml.__version__, yaml.__with_libyaml__, v('typer'), v('rich'), "
        "sys.version.split()[0], sep='\\t')"
    )
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True, env=env, check=False).stdout.split("\t")
    facts = {"gkplan": str(exe), "python": str(python)}
    if len(found) == 7:
        source = Path(found[1]).parent
        commit = subprocess.run(["git", "-C", source, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
        branch = subprocess.run(["git", "-C", source, "branch", "--show-current"], capture_output=True, text=True, check=False)
        facts.update(
            {
                "gkplan version": f"{found[0]} ({source}; git {branch.stdout.strip() or '?'} {commit.stdout.strip() or '?'})",
                "Python": found[6].strip(),
                "PyYAML": f"{found[2]} ({'with libyaml' if found[3] == 'True' else 'NO libyaml'})",
                "typer / rich": f"{found[4]} / {found[5]}",
            }
        )
    return Gkplan(exe, python, commands, options, facts)


def machine_facts() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1048576:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "machine": f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}",
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------------------
# Data sets


def probe_forms(gk: Gkplan, runner: Runner, work: Path) -> tuple[str, list[str]]:
    """Which of make_plans' deadline forms this gkplan reads; "all" when it reads every one."""
    root = work / "scratch" / "forms-probe"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    bureau = make_plans.BUREAUS[0]
    units = make_plans.bureau_units(bureau, make_plans.random.Random(0))
    (root / "units.yaml").write_text(make_plans.units_yaml(bureau, units), encoding="utf-8")
    phrases = [p.format(m=9) for p, _, kind in make_plans.DEADLINE_MIX if p is not None]
    tasks = "".join(
        f"  - id: {i}\n    name: 探测\n    content: 探测\n    units: [局办公室]\n    deadline: {make_plans.scalar(p)}\n"
        for i, p in enumerate(phrases, 1)
    )
    (root / "tasks.yaml").write_text(f'plan:\n  id: "2022"\n  title: 探测\n  year: 2022\ntasks:\n{tasks}', encoding="utf-8")
    sample = runner.run([gk.exe, "list", "--format", "json", "--data", root, "--today", TODAY], runner.env(GKPLAN_NO_CACHE="1"))
    try:
        rows = json.loads(runner.output())
    except json.JSONDecodeError:
        return "current", [f"(probe failed: {sample.err[:200]})"]
    unread = [row["deadline"] for row in rows if row.get("due") is None]
    later = [p for p, _, kind in make_plans.DEADLINE_MIX if kind == "later"]
    if any(p in unread for p in later):
        return "current", [p for p in later if p in unread]
    return "all", []


def dataset_root(work: Path, ds: DataSet, forms: str, seed: int) -> Path:
    """The data root of a data set, generated once and reused while the generator is unchanged."""
    if ds.layout == "shipped":
        target = work / "data" / "shipped"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        return target
    source = Path(make_plans.__file__).read_bytes() + (ROOT / "data" / "tasks.yaml").read_bytes()
    tag = hashlib.blake2b(source, digest_size=4).hexdigest()
    target = work / "data" / f"{ds.key}-{forms}-s{seed}-{tag}"
    if not (target / make_plans.MANIFEST).is_file():
        print(f"  generating {ds.label} into {target} ...", file=sys.stderr)
        make_plans.generate_into(target, force=True, tasks=ds.tasks, files=ds.files, layout=ds.layout, seed=seed, forms=forms)
    return target


def copy_tree(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))


# ---------------------------------------------------------------------------
# The benchmark


@dataclass(slots=True)
class Plan:
    """How many times to run what."""

    cold: int
    warm: int
    cold_big: int
    warm_big: int


def command_argv(gk: Gkplan, command: str, data: Path) -> list[str | Path]:
    name = "done" if command == "done-seq" else command
    argv: list[str | Path] = [gk.exe, name]
    if gk.accepts(name, "--data"):
        argv += ["--data", data]
    if gk.accepts(name, "--today"):
        argv += ["--today", TODAY]
    return argv


def done_targets(rows: list[dict[str, object]], count: int) -> list[tuple[str, str]]:
    """(task key, unit) pairs, spread over the data: tasks nobody has started, one of their units."""
    todo = [r for r in rows if r.get("status") == "todo" and r.get("responsible")]
    if not todo:
        return []
    step = max(1, len(todo) // max(1, count))
    chosen = todo[::step][:count]
    return [(str(r["key"]), str(r["responsible"][i % len(r["responsible"])])) for i, r in enumerate(chosen)]  # type: ignore[index]


def bench_dataset(
    ds: DataSet, root: Path, gk: Gkplan, runner: Runner, work: Path, reps: Plan, commands: Sequence[str], *, others: bool = True
) -> tuple[list[Row], list[dict[str, object]]]:
    cold_n, warm_n = (reps.cold_big, reps.warm_big) if ds.big else (reps.cold, reps.warm)
    caches = work / "caches" / ds.key
    shutil.rmtree(caches, ignore_errors=True)
    warm_cache = caches / "warm"
    rows: list[Row] = []
    # Untimed first pass: fills the warm cache, and says what the data holds (for done and Taskwarrior).
    print(f"  {ds.label}: reading it once (list --format json) ...", file=sys.stderr)
    first = runner.run([gk.exe, "list", "--format", "json", "--data", root, "--today", TODAY], runner.env(XDG_CACHE_HOME=str(warm_cache)))
    try:
        tasks = json.loads(runner.output())
    except json.JSONDecodeError:
        raise SystemExit(f"run.py: gkplan list --format json failed on {root}:\n{first.err}") from None
    for command in commands:
        name = "done" if command == "done-seq" else command
        row = Row(ds.label, command)
        rows.append(row)
        if name not in gk.commands:
            row.note = NA
            continue
        print(f"  {ds.label}: {command} ({cold_n} cold, {warm_n} warm)", file=sys.stderr)
        if name == "done":
            in_a_row = max(warm_n, DONE_IN_A_ROW) if command == "done-seq" else warm_n
            bench_done(ds, root, gk, runner, caches, row, tasks, cold_n, in_a_row, sequential=command == "done-seq")
            continue
        argv = command_argv(gk, command, root)
        for i in range(cold_n):
            row.cold.append(runner.run(argv, runner.env(XDG_CACHE_HOME=str(caches / f"cold-{command}-{i}"))))
        for _ in range(warm_n):
            row.warm.append(runner.run(argv, runner.env(XDG_CACHE_HOME=str(warm_cache))))
    if ds.big and others:
        rows += bench_others(ds, root, gk, runner, warm_cache, tasks)
    shutil.rmtree(caches, ignore_errors=True)
    return rows, tasks


def bench_others(ds: DataSet, root: Path, gk: Gkplan, runner: Runner, cache: Path, tasks: list[dict[str, object]]) -> list[Row]:
    """``OTHER_COMMANDS``, warm: once untimed, then ``OTHER_RUNS`` timed runs each."""
    first = next((t for t in tasks if t.get("responsible")), None)
    key = str(first.get("key", "")) if first else ""
    units = first.get("responsible") if first else None
    unit = str(units[0]) if isinstance(units, list) and units else ""
    plan = str(first.get("plan", "")) if first else ""
    rows = []
    print(f"  {ds.label}: every other command ({OTHER_RUNS} warm runs each) ...", file=sys.stderr)
    for label, words in OTHER_COMMANDS:
        row = Row(ds.label, label)
        rows.append(row)
        if words[0] not in gk.commands:
            row.note = NA
            continue
        for run in range(OTHER_RUNS + 1):
            out = runner.scratch / f"other-{run}"
            given = {"KEY": key, "UNIT": unit, "PLAN": plan}
            argv = [gk.exe, *(str(out) + w[3:] if w.startswith("OUT") else given.get(w, w) for w in words)]
            argv += ["--data", root] if gk.accepts(words[0], "--data") else []
            argv += ["--today", TODAY] if gk.accepts(words[0], "--today") else []
            sample = runner.run(argv, runner.env(XDG_CACHE_HOME=str(cache)))
            if run:
                row.warm.append(sample)
            for made in runner.scratch.glob("other-*"):
                made.unlink()
        failed = [s for s in row.warm if s.code != 0]
        if failed:
            row.note = f"exit {failed[0].code}: {failed[0].err.splitlines()[-1][:120] if failed[0].err else ''}"
    return rows


def bench_done(
    ds: DataSet,
    root: Path,
    gk: Gkplan,
    runner: Runner,
    caches: Path,
    row: Row,
    tasks: list[dict[str, object]],
    cold_n: int,
    warm_n: int,
    *,
    sequential: bool,
) -> None:
    """``done`` on a throwaway copy, a different task each run.

    ``done``: the copy is reset and an untimed report run on it before every run, so
    each warm run finds the data as the cache knows it (one update after a report;
    without the report the cache would know the file the previous run changed).
    ``done-seq``: no reset, so each run reads the file the previous update changed
    (updates in a row).
    """
    copy = caches / "done-data"  # always the same path: cache keys include the path gkplan shows
    targets = done_targets(tasks, cold_n + warm_n + 1)
    if len(targets) < cold_n + warm_n:
        row.note = "no unstarted task to mark done"
        return
    cache = caches / "done-cache"
    for i in range(cold_n):
        copy_tree(root, copy)
        key, unit = targets[i]
        sample = runner.run(
            [*command_argv(gk, "done", copy), key, "--unit", unit], runner.env(XDG_CACHE_HOME=str(caches / f"cold-done-{i}"))
        )
        row.cold.append(sample)
    copy_tree(root, copy)
    runner.run([gk.exe, "list", "--data", copy, "--today", TODAY], runner.env(XDG_CACHE_HOME=str(cache)))  # fill the cache
    for i in range(warm_n):
        if not sequential:  # back to the original data, and a report on it: the update follows a report, as for a user
            copy_tree(root, copy)
            runner.run([gk.exe, "list", "--data", copy, "--today", TODAY], runner.env(XDG_CACHE_HOME=str(cache)))
        key, unit = targets[cold_n + i]
        row.warm.append(runner.run([*command_argv(gk, "done", copy), key, "--unit", unit], runner.env(XDG_CACHE_HOME=str(cache))))
    failed = [s for s in row.cold + row.warm if s.code != 0]
    if failed:
        row.note = f"exit {failed[0].code}: {failed[0].err.splitlines()[-1][:120] if failed[0].err else ''}"


def bench_growth(gk: Gkplan, runner: Runner, work: Path, roots: dict[str, Path], runs: int) -> list[Row]:
    """Warm ``overdue`` on the shipped plan, 5,000 and 50,000 tasks, one after the other, ``runs``
    times: each round's start-up (the shipped plan) is taken off that round's larger runs, so the
    few tens of milliseconds 5,000 tasks add are not lost in the machine's noise."""
    rows = [Row(DATASETS[0].label, "overdue (growth, in turns)")]
    rows += [Row(next(d.label for d in DATASETS if d.key == key), "overdue (growth, in turns)") for key in ("5k-150", "50k-1500")]
    envs = [runner.env(XDG_CACHE_HOME=str(work / "caches" / f"growth-{key}")) for key in ("shipped", "5k-150", "50k-1500")]
    argvs = [command_argv(gk, "overdue", roots[key]) for key in ("shipped", "5k-150", "50k-1500")]
    for argv, env in zip(argvs, envs, strict=True):
        runner.run(argv, env)  # fill the cache
    for _ in range(runs):
        for row, argv, env in zip(rows, argvs, envs, strict=True):
            row.warm.append(runner.run(argv, env))
    for key in ("shipped", "5k-150", "50k-1500"):
        shutil.rmtree(work / "caches" / f"growth-{key}", ignore_errors=True)
    return rows


def bench_startup(gk: Gkplan, runner: Runner, work: Path, runs: int) -> tuple[Row, Row]:
    """The bare Typer app and a warm ``overdue`` on the shipped plan, one after the other, ``runs`` times."""
    root = dataset_root(work, DATASETS[0], "all", 0)
    env = runner.env(XDG_CACHE_HOME=str(work / "caches" / "startup"))
    overdue = command_argv(gk, "overdue", root)
    runner.run(overdue, env)  # fill the cache
    typer_row, overdue_row = Row("", "bare Typer app (in turns)"), Row("shipped plan (32)", "overdue (in turns)")
    for _ in range(runs):
        typer_row.warm.append(runner.run([gk.python, ROOT / "bench" / "typer_baseline.py"], runner.env()))
        overdue_row.warm.append(runner.run(overdue, env))
    return typer_row, overdue_row


def bench_simple(label: str, argv: Sequence[str | Path], runner: Runner, runs: int) -> Row:
    row = Row("", label)
    for _ in range(runs):
        row.warm.append(runner.run(argv, runner.env()))
    return row


YAML_LOAD = """
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):
    with open(path, 'rb') as stream:
        yaml.load(stream, Loader=yaml.CSafeLoader)
"""


# ---------------------------------------------------------------------------
# Taskwarrior


def taskwarrior_import(tasks: list[dict[str, object]], shift: timedelta) -> list[dict[str, object]]:
    """The same tasks for ``task import``: description = name (what gkplan's tables show),
    project = plan id, tags = units as written, due = end of the due day moved by ``shift``
    (Taskwarrior has no --today: dates move so that its today is our TODAY)."""
    records = []
    for task in tasks:
        record: dict[str, object] = {
            "description": task["name"],
            "project": task.get("plan") or "plan",
            "tags": list(task.get("units") or []),  # type: ignore[call-overload]
            "status": "completed" if task.get("status") in ("done", "verified") else "pending",
        }
        if task.get("due"):
            day = date.fromisoformat(str(task["due"])) + shift
            local = datetime(day.year, day.month, day.day, 23, 59, 59).astimezone()
            record["due"] = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        records.append(record)
    return records


def bench_taskwarrior(
    ds: DataSet, tasks: list[dict[str, object]], runner: Runner, work: Path, runs: int, gk_argv: Sequence[str | Path], gk_cache: Path
) -> list[Row]:
    """``task overdue`` on the same tasks, timed in turns with gkplan's warm ``overdue`` (``gk_argv``, cache ``gk_cache``)."""
    task = shutil.which("task")
    if not task:
        return []
    shift = date.today() - date.fromisoformat(TODAY)
    records = taskwarrior_import(tasks, shift)
    payload = json.dumps(records, ensure_ascii=False).encode()
    tag = hashlib.blake2b(payload + str(date.today()).encode(), digest_size=6).hexdigest()
    home = work / "taskwarrior" / f"{ds.key}-{tag}"
    rc, data = home / "taskrc", home / "data"
    env = runner.env(TASKRC=str(rc), TASKDATA=str(data))
    if not (home / "ready").is_file():
        print(f"  {ds.label}: importing {len(records)} tasks into Taskwarrior ({home}) ...", file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)
        data.mkdir(parents=True)
        rc.write_text(f"data.location={data}\n", encoding="utf-8")
        (home / "import.json").write_bytes(payload)
        subprocess.run(
            [task, "rc.confirmation=off", "rc.verbose=nothing", "import", home / "import.json"], env=env, capture_output=True, check=True
        )
        subprocess.run([task, "rc.verbose=nothing", "rc.gc=on", "count"], env=env, capture_output=True, check=True)  # settle (gc) once
        (home / "ready").write_text("ok\n")
    quiet = [task, "rc.verbose=nothing", "rc.confirmation=off", "rc.gc=off", "overdue", "limit:none"]
    rows = [Row(ds.label, "task overdue (verbose=nothing gc=off limit:none)"), Row(ds.label, "task overdue (defaults)")]
    ours = Row(ds.label, "overdue (in turns with task)")
    gk_env = runner.env(XDG_CACHE_HOME=str(gk_cache))
    runner.run(gk_argv, gk_env)  # make sure the cache is warm
    for _ in range(runs):  # in turns, so that a burst of load from a neighbour hits both tools
        rows[0].warm.append(runner.run(quiet, env))
        ours.warm.append(runner.run(gk_argv, gk_env))
        rows[1].warm.append(runner.run([task, "overdue"], env))
    count = subprocess.run(
        [task, "rc.verbose=nothing", "rc.gc=off", "+OVERDUE", "count"], env=env, capture_output=True, text=True, check=False
    )
    late = sum(1 for t in tasks if t.get("overdue"))
    rows[0].note = f"overdue tasks: Taskwarrior {count.stdout.strip()}, gkplan {late}"
    return [*rows, ours]


# ---------------------------------------------------------------------------
# Report


def median(samples: list[Sample], what: Callable[[Sample], float] = lambda s: s.seconds) -> float | None:
    return statistics.median(what(s) for s in samples) if samples else None


def fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def result_table(rows: list[Row]) -> str:
    body = []
    for row in rows:
        if row.note == NA or (not row.cold and not row.warm):
            body.append([row.dataset, f"`{row.command}`", row.note or "–", "", "", "", "", ""])
            continue
        spread = f"{min(s.seconds for s in row.warm):.3f}–{max(s.seconds for s in row.warm):.3f}" if row.warm else "–"
        codes = sorted({s.code for s in row.cold + row.warm})
        body.append(
            [
                row.dataset,
                f"`{row.command}`",
                fmt(row.cold[0].seconds) if row.cold else "–",
                fmt(median(row.warm)),
                spread + f" ({len(row.warm)})",
                f"{fmt(median(row.cold, lambda s: s.rss_mb), 0)} / {fmt(median(row.warm, lambda s: s.rss_mb), 0)}",
                f"{(row.warm or row.cold)[-1].out_bytes / 1024:.0f}",
                ",".join(map(str, codes)) + (f" {row.note}" if row.note else ""),
            ]
        )
    headers = [
        "data set",
        "command",
        "cold s",
        "warm median s",
        "warm min–max (runs)",
        "peak RSS MB cold / warm",
        "stdout KB",
        "exit / note",
    ]
    return table(headers, body)


def find(rows: list[Row], dataset: str, command: str) -> Row | None:
    return next((r for r in rows if r.dataset == dataset and r.command == command), None)


@dataclass(slots=True)
class Target:
    """One line of the targets table (and of ``--json``)."""

    what: str
    measured: str
    goal: str
    ok: bool | None
    figures: dict[str, float | None] = field(default_factory=dict)  # the numbers behind ``measured``


def paired(ours: Row, theirs: Row) -> tuple[float, float, float] | None:
    """Median, min and max of run-by-run ratios ours/theirs (runs taken in turns)."""
    ratios = [a.seconds / b.seconds for a, b in zip(ours.warm, theirs.warm, strict=False) if b.seconds > 0]
    return (statistics.median(ratios), min(ratios), max(ratios)) if ratios else None


def targets(rows: list[Row], extras: dict[str, Row]) -> list[Target]:
    """The goals of issue 16, each from figures of this run (ratios from runs taken in turns where it says so)."""
    labels = {ds.key: ds.label for ds in DATASETS}
    tasks = {ds.key: ds.tasks for ds in DATASETS}
    found: list[Target] = []

    def warm(key: str, command: str) -> float | None:
        row = find(rows, labels[key], command)
        return median(row.warm) if row and row.warm else None

    def add(what: str, measured: str, goal: str, ok: bool | None, **figures: float | None) -> None:
        found.append(Target(what, measured, goal, ok, figures))

    if "typer" in extras:
        add("bare Typer app (one line), median s", fmt(median(extras["typer"].warm)), "", None, seconds=median(extras["typer"].warm))
    if "python" in extras:
        add("`python -c pass`, median s", fmt(median(extras["python"].warm)), "", None, seconds=median(extras["python"].warm))
    if "typer-paired" in extras and "overdue-paired" in extras:
        ratio = paired(extras["overdue-paired"], extras["typer-paired"])
        a, b = median(extras["overdue-paired"].warm), median(extras["typer-paired"].warm)
        if ratio:
            turns = len(extras["typer-paired"].warm)
            value = f"{ratio[0]:.2f}x ({ratio[1]:.2f}–{ratio[2]:.2f}; {fmt(a)} s vs {fmt(b)} s, {turns} runs in turns)"
            add(
                "`overdue` shipped (warm) / bare Typer",
                value,
                "≤ 1.1x",
                ratio[0] <= 1.1,
                ratio=ratio[0],
                ratio_min=ratio[1],
                ratio_max=ratio[2],
            )
    for key, goal in (("20k-600", 0.67), ("20k-1", 0.6)):
        ours, theirs = extras.get(f"gk-tw-{key}"), extras.get(f"tw-{key}")
        ratio = paired(ours, theirs) if ours and theirs else None
        if ours and theirs and ratio:
            a, b = median(ours.warm), median(theirs.warm)
            value = f"{ratio[0]:.2f}x ({ratio[1]:.2f}–{ratio[2]:.2f}; {fmt(a)} s vs {fmt(b)} s, {len(ours.warm)} runs in turns)"
            add(
                f"`overdue` {labels[key]} (warm) / `task overdue` limit:none",
                value,
                f"≤ {goal}x",
                ratio[0] <= goal,
                ratio=ratio[0],
                ratio_min=ratio[1],
                ratio_max=ratio[2],
                gkplan_s=a,
                taskwarrior_s=b,
            )
    for key in ("20k-600", "20k-1"):
        late = warm(key, "overdue")
        for command in ("list", "summary"):
            other = warm(key, command)
            if late and other is not None:
                add(
                    f"`{command}` / `overdue`, {labels[key]} (warm)",
                    f"{other / late:.2f}x ({other:.3f} s vs {late:.3f} s)",
                    "≤ 1.2x",
                    other / late <= 1.2,
                    ratio=other / late,
                )
    growth = [extras.get(f"growth-{key}") for key in ("shipped", "5k-150", "50k-1500")]
    if all(growth):
        start, small, large = (row.warm for row in growth if row)
        # Marginal cost per task, round by round: that round's shipped-plan run (start-up, 32 tasks) taken off.
        per_small = statistics.median((s.seconds - t.seconds) / tasks["5k-150"] * 1e6 for s, t in zip(small, start, strict=True))
        per_large = statistics.median((s.seconds - t.seconds) / tasks["50k-1500"] * 1e6 for s, t in zip(large, start, strict=True))
        ratio = per_large / per_small if per_small > 0 else None
        add(
            "growth: `overdue` per task at 50,000 / at 5,000 (warm, start-up taken off, in turns)",
            f"{fmt(ratio, 2)}x ({per_large:.1f} µs vs {per_small:.1f} µs a task, {len(start)} rounds)",
            "≤ 1.15x",
            ratio is not None and ratio <= 1.15,
            ratio=ratio,
            us_per_task_50k=per_large,
            us_per_task_5k=per_small,
        )
    check, late = warm("20k-600", "check"), warm("20k-600", "overdue")
    if check is not None and late:
        add(
            "`check` / `overdue`, 20,000 in 600 files (warm, no file changed)",
            f"{check / late:.2f}x ({check:.3f} s vs {late:.3f} s)",
            "≤ 1.5x",
            check / late <= 1.5,
            ratio=check / late,
        )
    for command in ("done", "done-seq"):
        row = find(rows, labels["20k-1"], command)
        if row and row.warm and not row.note:
            worst = max(s.seconds for s in row.warm)
            what = "one update" if command == "done" else f"{len(row.warm)} updates in a row"
            add(
                f"`done` on a 20,000-task file, warm ({what})",
                f"median {fmt(median(row.warm))} s, slowest {worst:.3f} s",
                "each ≤ 0.5 s",
                worst <= 0.5,
                median_s=median(row.warm),
                max_s=worst,
            )
    big = [(s.rss_mb, r) for r in rows if r.dataset in (labels["20k-1"], labels["20k-600"]) for s in r.cold + r.warm]
    if big:
        peak, where = max(big, key=lambda item: item[0])
        add(
            "peak RSS, any gkplan command on 20,000 tasks (cold or warm)",
            f"{peak:.0f} MB (`{where.command}`, {where.dataset})",
            "< 120 MB",
            peak < 120,
            mb=peak,
        )
    for key, loader in (("20k-600", "yaml-600"), ("20k-1", "yaml-1")):
        row = find(rows, labels[key], "overdue")
        if row and row.cold and loader in extras:
            cold_s, loader_s = median(row.cold), median(extras[loader].warm)
            add(
                f"`overdue` {labels[key]}, cold (empty cache) vs `yaml.load` CSafeLoader",
                f"{fmt(cold_s, 2)} s vs {fmt(loader_s, 2)} s",
                "(no target)",
                None,
                gkplan_s=cold_s,
                loader_s=loader_s,
            )
    return found


def targets_table(found: list[Target]) -> str:
    body = [[t.what, t.measured, t.goal, "–" if t.ok is None else ("met" if t.ok else "**missed**")] for t in found]
    return table(["comparison", "measured", "target", "status"], body)


def row_record(row: Row) -> dict[str, object]:
    """Every figure of one row, for ``--json``."""

    def stats(samples: list[Sample]) -> dict[str, object] | None:
        if not samples:
            return None
        seconds = [s.seconds for s in samples]
        return {
            "runs": len(samples),
            "median_s": statistics.median(seconds),
            "min_s": min(seconds),
            "max_s": max(seconds),
            "seconds": seconds,
            "peak_mb": max(s.rss_mb for s in samples),
            "median_peak_mb": statistics.median(s.rss_mb for s in samples),
            "stdout_bytes": samples[-1].out_bytes,
            "exit_codes": sorted({s.code for s in samples}),
        }

    return {"dataset": row.dataset, "command": row.command, "cold": stats(row.cold), "warm": stats(row.warm), "note": row.note}


def pivot(rows: list[Row], datasets: Sequence[DataSet], commands: Sequence[str]) -> str:
    body = []
    for command in commands:
        cells = [f"`{command}`"]
        for ds in datasets:
            row = find(rows, ds.label, command)
            if row is None:
                cells.append("")
            elif row.note == NA:
                cells.append("n/a")
            elif not row.warm:
                cells.append(row.note or "–")
            else:
                cells.append(f"{fmt(median(row.warm))} ({fmt(median(row.warm, lambda s: s.rss_mb), 0)} MB)")
        body.append(cells)
    return table(["command (warm median s, peak MB)", *(ds.label for ds in datasets)], body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 1 cold + 2 warm runs, no 20,000-task data sets, no C-loader comparison"
    )
    parser.add_argument("--gkplan", help="the gkplan entry point to time (default: this repo's .venv/bin/gkplan)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write every figure (runs, medians, min–max, peak MB, ratios) as JSON"
    )
    parser.add_argument("--work", type=Path, help="where data sets are generated and kept between runs (default: a folder in the temp dir)")
    parser.add_argument("--datasets", help=f"comma list among {','.join(d.key for d in DATASETS)}")
    parser.add_argument("--commands", help=f"comma list among {','.join(COMMANDS)}")
    parser.add_argument("--runs", type=int, help="warm runs per command (default 9; 5 on 20,000 tasks; --quick: 2)")
    parser.add_argument("--cold-runs", type=int, help="cold runs, each with an empty cache (default 3; 2 on 20,000 tasks; --quick: 1)")
    parser.add_argument(
        "--forms", choices=("auto", "all", "current"), default="auto", help="deadline phrases in the data (auto: what this gkplan reads)"
    )
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--no-taskwarrior", action="store_true", help="skip the Taskwarrior comparison")
    parser.add_argument("--no-others", action="store_true", help="skip the other commands (report, ics, review, ledger…) on 20,000 tasks")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every process as it runs")
    args = parser.parse_args(argv)

    work = (args.work or Path(tempfile.gettempdir()) / f"gkplan-bench-{os.getuid()}").absolute()
    work.mkdir(parents=True, exist_ok=True)
    print(f"run.py: data sets and scratch files in {work} (kept between runs; safe to delete)", file=sys.stderr)
    runner = Runner(work, args.verbose)
    gk = inspect_gkplan(find_gkplan(args.gkplan), runner)
    reps = Plan(cold=1, warm=2, cold_big=1, warm_big=2) if args.quick else Plan(cold=3, warm=9, cold_big=2, warm_big=5)
    if args.runs:
        reps.warm = reps.warm_big = args.runs
    if args.cold_runs:
        reps.cold = reps.cold_big = args.cold_runs
    wanted = args.datasets.split(",") if args.datasets else [d.key for d in DATASETS if not (args.quick and d.big)]
    datasets = [d for d in DATASETS if d.key in wanted]
    commands = [c for c in (args.commands.split(",") if args.commands else COMMANDS) if c in COMMANDS]

    forms, unread = (args.forms, []) if args.forms != "auto" else probe_forms(gk, runner, work)
    rows: list[Row] = []
    extras: dict[str, Row] = {}
    tw_rows: list[Row] = []
    baseline_runs = max(reps.warm, 3)
    print("  baselines ...", file=sys.stderr)
    extras["python"] = bench_simple("python -c pass", [gk.python, "-c", "pass"], runner, baseline_runs)
    extras["typer"] = bench_simple("bare Typer app", [gk.python, ROOT / "bench" / "typer_baseline.py"], runner, baseline_runs)
    if "overdue" in gk.commands and any(d.layout == "shipped" for d in datasets):
        print("  start-up: bare Typer app and overdue on the shipped plan, in turns ...", file=sys.stderr)
        extras["typer-paired"], extras["overdue-paired"] = bench_startup(gk, runner, work, 3 if args.quick else max(reps.warm, 15))
    for ds in datasets:
        root = dataset_root(work, ds, forms, args.seed)
        found, tasks = bench_dataset(ds, root, gk, runner, work, reps, commands, others=not (args.no_others or args.quick))
        rows += found
        if ds.big and not args.quick:
            print(f"  {ds.label}: yaml.load CSafeLoader ...", file=sys.stderr)
            row = bench_simple(f"yaml.load CSafeLoader ({ds.label})", [gk.python, "-c", YAML_LOAD, root], runner, reps.cold_big)
            extras["yaml-1" if ds.files == 1 else "yaml-600"] = row
        if not args.no_taskwarrior and (ds.big or ds.layout == "shipped" or args.quick):
            tw_cache = work / "caches" / f"{ds.key}-tw"
            found_tw = bench_taskwarrior(
                ds, tasks, runner, work, reps.warm_big if ds.big else reps.warm, command_argv(gk, "overdue", root), tw_cache
            )
            shutil.rmtree(tw_cache, ignore_errors=True)
            tw_rows += found_tw
            if found_tw:
                extras[f"tw-{ds.key}"], extras[f"gk-tw-{ds.key}"] = found_tw[0], found_tw[-1]

    keys = {d.key for d in datasets}
    if {"shipped", "5k-150", "50k-1500"} <= keys and "overdue" in gk.commands and not args.quick:
        print("  growth: overdue on the shipped plan, 5,000 and 50,000 tasks, in turns ...", file=sys.stderr)
        roots = {d.key: dataset_root(work, d, forms, args.seed) for d in datasets if d.key in ("shipped", "5k-150", "50k-1500")}
        found_growth = bench_growth(gk, runner, work, roots, max(reps.warm_big, 7))
        extras.update({f"growth-{key}": row for key, row in zip(("shipped", "5k-150", "50k-1500"), found_growth, strict=True)})
    facts = {**machine_facts(), **gk.facts}
    if shutil.which("task") and not args.no_taskwarrior:
        version = subprocess.run(["task", "--version"], capture_output=True, text=True, check=False).stdout.strip()
        facts["Taskwarrior"] = version
    facts["deadline forms in the data"] = (
        "all of make_plans.DEADLINE_MIX"
        if forms == "all"
        else (
            "current only"
            + (
                f" (this gkplan cannot read {', '.join(unread)}: left out, else every file holding one has an error and is never cached)"
                if unread
                else ""
            )
        )
    )
    runs_text = (
        f"cold: {reps.cold} run(s) ({reps.cold_big} on 20,000 tasks), each with an empty cache; "
        f"warm: {reps.warm} ({reps.warm_big} on 20,000 tasks)"
    )
    goals = targets(rows + tw_rows, extras)
    report = [
        "## gkplan benchmark" + (" (--quick)" if args.quick else ""),
        "",
        *(f"- {key}: {value}" for key, value in facts.items()),
        f"- runs: {runs_text}; `--today {TODAY}`; stdout to a regular file (plain text, no colour), COLUMNS={COLUMNS}",
        "",
        "### Warm medians (seconds) and peak memory",
        "",
        pivot(rows, datasets, [*commands, *(label for label, _ in OTHER_COMMANDS if any(r.command == label for r in rows))]),
        "",
        "### Targets (issue 16)",
        "",
        targets_table(goals),
        "",
        "### Every figure",
        "",
        result_table(rows),
        "",
    ]
    if tw_rows or any(k.startswith("yaml") or k.endswith("-paired") for k in extras):
        report += [
            "### Baselines and comparisons",
            "",
            result_table(
                [
                    extras["python"],
                    extras["typer"],
                    *(v for k, v in extras.items() if k.endswith("-paired") or k.startswith("growth-")),
                    *(v for k, v in extras.items() if k.startswith("yaml")),
                    *tw_rows,
                ]
            ),
            "",
        ]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.json:
        record = {
            "facts": facts,
            "runs": runs_text,
            "today": TODAY,
            "datasets": [{"key": d.key, "label": d.label, "tasks": d.tasks, "files": d.files} for d in datasets],
            "results": [row_record(r) for r in rows],
            "baselines": [row_record(r) for r in extras.values() if all(r is not t for t in tw_rows)] + [row_record(r) for r in tw_rows],
            "targets": [{"what": t.what, "measured": t.measured, "target": t.goal, "met": t.ok, **t.figures} for t in goals],
        }
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
