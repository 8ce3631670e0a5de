"""``gkplan diff``: real git repositories (fixed authors and dates), real ``gkplan`` processes, pinned output."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import GOLDEN, REPO, SHIPPED_DATA

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
pytestmark = needs_git
GKPLAN = Path(sys.executable).parent / "gkplan"
README = REPO / "README.md"
README_BLOCK = re.compile(r"<!-- diff-example: (?P<cmd>[^\n]+?) -->\n```text\n(?P<out>.*?)```", re.S)


@pytest.fixture(autouse=True)
def no_outer_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The temporary repositories never see a repository around ``tmp_path``."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def git(folder: Path, *args: str, when: str = "2022-09-01T09:00:00+08:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "办公室联络员",
        "GIT_AUTHOR_EMAIL": "office@example.invalid",
        "GIT_COMMITTER_NAME": "办公室联络员",
        "GIT_COMMITTER_EMAIL": "office@example.invalid",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("COLUMNS", None)
    return subprocess.run([str(GKPLAN), *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False)


def typical_pr(tmp_path: Path) -> Path:
    """The shipped plan on main; on branch 调整, a typical pull request: a deadline moved, progress
    recorded (by ``gkplan done`` itself), a unit renamed with its old name kept as an alias."""
    repo = tmp_path / "plans"
    shutil.copytree(SHIPPED_DATA, repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "2022 年工作要点")
    git(repo, "checkout", "-q", "-b", "调整")
    tasks, units = repo / "data" / "tasks.yaml", repo / "data" / "units.yaml"
    edit(tasks, "    deadline: 9 月底前\n", "    deadline: 10月底前\n")
    edit(units, "  高服中心: {kind: 局属单位}", "  高校毕业生服务中心: {kind: 局属单位, aliases: [高服中心]}")
    note = ["--note", "两个领域的目录已更新"]
    done = run("done", "20", "--unit", "就业培训科", "--today", "2022-09-20", *note, cwd=repo, env={"GKPLAN_USER": "张三"})
    assert done.returncode == 0, done.stderr
    git(repo, "commit", "-q", "-am", "第 2 项延期；登记第 20 项；高服中心改用全称", when="2022-09-21T10:00:00+08:00")
    return repo


@pytest.fixture
def golden_file(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.write_text(text, encoding="utf-8")
            return
        assert text == path.read_text(encoding="utf-8")

    return check


def test_typical_pull_request_in_every_format(tmp_path: Path, golden_file: Callable[[str, str], None]) -> None:
    repo = typical_pr(tmp_path)
    outputs = {}
    for fmt in ("text", "md", "json", "github"):
        result = run("diff", "--format", fmt, cwd=repo)
        assert result.returncode == 0, result.stderr  # differences are not a failure
        assert result.stderr == ""
        outputs[fmt] = result.stdout
        golden_file(f"diff_typical.{ {'text': 'txt', 'github': 'github.txt'}.get(fmt, fmt) }", result.stdout)
    document = json.loads(outputs["json"])
    assert document["head"] == "worktree"
    assert document["base"] == git(repo, "rev-parse", "main").strip()  # the merge-base with the default branch
    by_key = {task["key"]: task for task in document["tasks"]}
    assert by_key["2"]["fields"] == {"deadline": ["9 月底前", "10月底前"], "due": ["2022-09-30", "2022-10-31"]}
    assert by_key["2"]["due_days"] == 31
    assert {"unit": "就业培训科", "field": "status", "old": "todo", "new": "done"} in by_key["20"]["progress"]
    assert {"unit": "就业培训科", "field": "by", "old": None, "new": "张三"} in by_key["20"]["progress"]
    (unit,) = document["units"]
    assert (unit["name"], unit["change"], unit["fields"]["name"]) == ("高校毕业生服务中心", "renamed", ["高服中心", "高校毕业生服务中心"])
    assert len(unit["tasks_affected"]) == 29  # 高服中心 has a part in 29 tasks (see gkplan units)
    assert "时间节点：9 月底前 → 10月底前 (2022-09-30 → 2022-10-31, +31 天)" in outputs["text"]
    assert outputs["md"].startswith("<!-- gkplan-diff -->\n**gkplan diff** ")
    assert "<details><summary>29 项任务的责任单位随之改变</summary>" in outputs["md"]
    assert outputs["github"].splitlines()[0].startswith("::notice file=data/tasks.yaml,line=75,title=gkplan diff::修改任务 2")


def test_readme_review_example_is_real(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The README's 审阅流程 shows ``gkplan diff`` of the typical pull request above, as it really prints."""
    repo = typical_pr(tmp_path)
    text = README.read_text(encoding="utf-8")
    blocks = list(README_BLOCK.finditer(text))
    assert blocks, "README has no <!-- diff-example: … --> block"
    for block in blocks:
        args = block.group("cmd").split()
        assert args[0] == "gkplan"
        result = run(*args[1:], cwd=repo)
        assert result.returncode == 0, result.stderr
        if request.config.getoption("--update-golden"):
            head = f"<!-- diff-example: {block.group('cmd')} -->\n```text\n"
            text = text.replace(block.group(0), f"{head}{result.stdout}```")
            README.write_text(text, encoding="utf-8")
            continue
        assert result.stdout == block.group("out")


def test_head_and_base_revisions_leave_the_working_tree_out(tmp_path: Path) -> None:
    repo = typical_pr(tmp_path)
    edit(repo / "data" / "tasks.yaml", "    deadline: 10月底前\n", "    deadline: 11月底前\n")  # uncommitted
    committed = json.loads(run("diff", "main", "--head", "调整", "--format", "json", cwd=repo).stdout)
    assert committed["head"] == git(repo, "rev-parse", "调整").strip()
    assert next(t for t in committed["tasks"] if t["key"] == "2")["fields"]["deadline"] == ["9 月底前", "10月底前"]
    worktree = json.loads(run("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert [t["fields"] for t in worktree["tasks"]] == [{"deadline": ["10月底前", "11月底前"], "due": ["2022-10-31", "2022-11-30"]}]
    assert worktree["units"] == []
    nothing = run("diff", "HEAD", "--head", "HEAD", cwd=repo)
    assert nothing.returncode == 0
    assert "计划数据没有变化" in nothing.stdout
    status = git(repo, "status", "--porcelain", "--untracked-files=no")
    assert status.strip() == "M data/tasks.yaml"  # nothing checked out, nothing written


def test_renamed_plan_file_is_one_plan_even_with_a_new_id(tmp_path: Path, golden_file: Callable[[str, str], None]) -> None:
    """A plan file moved (and its id changed): matched by git's rename detection, tasks compared."""
    repo = typical_pr(tmp_path)
    git(repo, "checkout", "-q", "-b", "搬家", "main")
    (repo / "data" / "rsj").mkdir()
    git(repo, "mv", "data/tasks.yaml", "data/rsj/2022-rsj.yaml")
    plan = repo / "data" / "rsj" / "2022-rsj.yaml"
    edit(plan, '  id: "2022"\n', '  id: "rsj-2022"\n')
    edit(plan, "对未开展过公文公开属性认定的公文进行公开属性认定。", "对未开展过公文公开属性认定的历史公文逐件进行公开属性认定。")
    edit(plan, "    deadline: 全年\n", "    deadline: 全年\n    anchor: 2022-13-01\n")  # an error on the head side only
    (repo / "data" / "settings.yaml").write_text("warn_days: 30\n", encoding="utf-8")
    result = run("diff", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (plan_change,) = document["plans"]
    assert plan_change["change"] == "changed"
    assert plan_change["fields"]["path"] == ["data/tasks.yaml", "data/rsj/2022-rsj.yaml"]
    assert plan_change["fields"]["id"] == ["2022", "rsj-2022"]
    assert [t["key"] for t in document["tasks"]] == ["2"]  # not 32 removed and 32 added
    assert document["settings"] == {"warn_days": [14, 30]}
    (problem,) = document["problems"]
    assert (problem["side"], problem["path"], problem["code"]) == ("head", "data/rsj/2022-rsj.yaml", "bad-date")
    text = run("diff", cwd=repo).stdout
    golden_file("diff_moved_plan.txt", text)
    assert "任务内容：…过公文公开属性认定的{+历史+}公文{+逐件+}进行公开属性认定。" in text


def test_unit_kind_and_groups_list_the_tasks_they_move(tmp_path: Path) -> None:
    """One line in units.yaml moves 人才开发科 out of 局机关各科室: the 26 tasks written to the groups lose it."""
    repo = typical_pr(tmp_path)
    git(repo, "checkout", "-q", "-b", "单位", "main")
    units = repo / "data" / "units.yaml"
    edit(units, "  人才开发科: {kind: 局机关科室}", "  人才开发科: {kind: 区派驻机构}")
    edit(units, "  社会保障服务中心: {kind: 局属单位}\n", "  社会保障服务中心: {kind: 局属单位}\n  劳动保障监察大队: {kind: 局属单位}\n")
    document = json.loads(run("diff", "--format", "json", cwd=repo).stdout)
    assert document["tasks"] == []  # no task was edited: the effects are listed under the units
    entries = {(u["kind"], u["name"]): u for u in document["units"]}
    moved = entries[("unit", "人才开发科")]
    assert moved["change"] == "changed"
    assert moved["fields"] == {"kind": ["局机关科室", "区派驻机构"], "groups": [["局机关各科室"], []]}
    assert len(moved["tasks_affected"]) == 26  # the 3 tasks that name it directly keep it
    added = entries[("unit", "劳动保障监察大队")]
    assert added["change"] == "added"
    assert added["fields"]["groups"] == [None, ["局属各单位"]]
    assert added["tasks_affected"] == entries[("group", "局属各单位")]["tasks_affected"]
    assert len(added["tasks_affected"]) == 26
    offices = entries[("group", "局机关各科室")]
    assert offices["fields"] == {"members": [["局办公室", "就业培训科", "人才开发科"], ["局办公室", "就业培训科"]]}
    assert offices["tasks_affected"] == moved["tasks_affected"]
    text = run("diff", cwd=repo).stdout
    entry = "  ~ 修改单位：人才开发科\n      类别：局机关科室 → 区派驻机构\n      所属单位组：局机关各科室 → —\n"
    assert entry + "      26 项任务的责任单位随之改变：" in text


def test_unreadable_side_is_reported_not_fatal(tmp_path: Path) -> None:
    repo = typical_pr(tmp_path)
    (repo / "data" / "tasks.yaml").write_text("plan: [unclosed\n", encoding="utf-8")
    result = run("diff", "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["plans"] == [{"id": "2022", "change": "unreadable", "path": "data/tasks.yaml", "fields": {}, "side": "head"}]
    assert document["tasks"] == []  # nothing invented: no 32 "removed" tasks
    assert document["units"][0]["change"] == "renamed"  # the rest of the diff is still there
    (problem,) = document["problems"]
    assert (problem["side"], problem["path"], problem["code"]) == ("head", "data/tasks.yaml", "yaml-syntax")
    github = run("diff", "--format", "github", cwd=repo).stdout
    assert "::error file=data/tasks.yaml,line=" in github


def test_outside_git_and_unknown_revision_are_clear_errors(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(SHIPPED_DATA, plain / "data")
    outside = run("diff", cwd=plain)
    assert outside.returncode == 3
    assert outside.stdout == ""
    assert outside.stderr.startswith("gkplan: 错误：数据目录")
    assert "不在 git 仓库中" in outside.stderr
    assert len(outside.stderr.splitlines()) == 1
    repo = typical_pr(tmp_path)
    unknown = run("diff", "没有这个分支", cwd=repo)
    assert unknown.returncode == 2
    assert "「没有这个分支」不是这个仓库中的提交" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    bad_head = run("diff", "--head", "--format", cwd=repo)
    assert bad_head.returncode == 2


def test_hostile_text_stays_text_in_every_format(tmp_path: Path) -> None:
    repo = typical_pr(tmp_path)
    # (an escape such as \\e is refused by the reader since issue 14: that file would not be compared at all)
    hostile = '"[bold red]假[/] <script>alert(1)</script> @everyone **粗** [31m 换\\n行%0A::error::x"'
    edit(repo / "data" / "tasks.yaml", "    name: 加强队伍建设\n", f"    name: {hostile}\n")
    for fmt in ("text", "md", "github"):
        result = run("diff", "--format", fmt, cwd=repo)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout
        lines = result.stdout.splitlines()
        assert not any(line.startswith("::error::x") or line.startswith("行") for line in lines)
        if fmt == "md":
            assert "<script>" not in result.stdout
            assert "@everyone" not in result.stdout
            assert "&lt;script&gt;" in result.stdout
            assert "\\*\\*粗\\*\\*" in result.stdout
        if fmt == "github":
            assert all(line.startswith("::notice ") or line.startswith("::error ") for line in lines)
            assert "%250A" in result.stdout  # the data's own "%0A" cannot become a new line
    from gkplan.plandiff import PlanDiff, TaskDiff
    from gkplan.render.diff_formats import print_text
    from gkplan.render.grid import Output

    buffer = io.StringIO()
    diff = PlanDiff("a" * 40, "worktree", "main", "工作区", tasks=(TaskDiff("1", "added", "[bold]x[/bold]\x1b[2J", "t.yaml", 3),))
    print_text(Output(buffer, terminal=True, color=True, width=80), diff)
    shown = buffer.getvalue()
    assert "[bold]x[/bold]␛[2J" in shown  # rich printed the data as text, escape shown (textsafe.visible), never sent
    assert "\x1b[2J" not in shown
    assert "\x1b[" in shown


def test_ci_examples_post_one_diff_comment_and_update_it(tmp_path: Path) -> None:
    """The GitLab job's comment script, run against a notes API on 127.0.0.1: posts once, then updates that note."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import yaml

    github = yaml.safe_load((REPO / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    job = github["jobs"]["diff"]
    assert job["permissions"]["pull-requests"] == "write"
    assert "<!-- gkplan-diff -->" in job["steps"][-1]["run"]
    assert any("--format md" in step.get("run", "") for step in job["steps"])
    gitlab = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    script = gitlab["gkplan-diff"]["script"]
    assert any("--format md > gkplan-diff.md" in line for line in script)
    (poster,) = [line for line in script if "<<'PY'" in line]
    code = poster.split("<<'PY'\n", 1)[1].rsplit("PY", 1)[0]

    notes: list[dict[str, object]] = [{"id": 7, "body": "别人的评论"}]
    seen: list[str] = []

    class Notes(BaseHTTPRequestHandler):
        def _reply(self, value: object) -> None:
            body = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            seen.append(f"GET {self.path}")
            self._reply(notes)

        def _body(self) -> dict[str, object]:
            assert self.headers["PRIVATE-TOKEN"] == "secret"
            return dict(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

        def do_POST(self) -> None:
            seen.append(f"POST {self.path}")
            notes.append({"id": 8, **self._body()})
            self._reply(notes[-1])

        def do_PUT(self) -> None:
            seen.append(f"PUT {self.path}")
            note = next(n for n in notes if self.path.endswith(f"/{n['id']}"))
            note.update(self._body())
            self._reply(note)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Notes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_address[1]}/api/v4",
        "CI_PROJECT_ID": "12",
        "CI_MERGE_REQUEST_IID": "3",
        "GKPLAN_BOT_TOKEN": "secret",
    }
    try:
        for round_ in ("第一次", "第二次"):
            (tmp_path / "gkplan-diff.md").write_text(f"<!-- gkplan-diff -->\n**gkplan diff** {round_}\n", encoding="utf-8")
            subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=30)
    finally:
        server.shutdown()
    assert [n["body"] for n in notes] == ["别人的评论", "<!-- gkplan-diff -->\n**gkplan diff** 第二次\n"]
    assert [s.split("?")[0] for s in seen] == [
        "GET /api/v4/projects/12/merge_requests/3/notes",
        "POST /api/v4/projects/12/merge_requests/3/notes",
        "GET /api/v4/projects/12/merge_requests/3/notes",
        "PUT /api/v4/projects/12/merge_requests/3/notes/8",
    ]


def test_terminal_gets_colour_and_the_same_words(tmp_path: Path) -> None:
    """In a real pseudo-terminal (100 columns, COLUMNS unset): coloured, and the words are those of the plain output."""
    import fcntl
    import pty
    import struct
    import termios

    repo = typical_pr(tmp_path)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen([str(GKPLAN), "diff"], cwd=repo, env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=60) == 0
    os.close(master)
    shown = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in shown
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown).replace("\r\n", "\n")
    assert plain == run("diff", cwd=repo).stdout


def test_progress_follows_a_renamed_unit(tmp_path: Path) -> None:
    """Progress recorded under the old name is the renamed unit's: a rename alone changes no progress."""
    repo = tmp_path / "plans"
    shutil.copytree(REPO / "examples" / "2022-progress" / "data", repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "进展")
    edit(repo / "data" / "units.yaml", "  高服中心: {kind: 局属单位,", "  高校毕业生服务中心: {kind: 局属单位, aliases: [高服中心],")
    document = json.loads(run("diff", "--format", "json", cwd=repo).stdout)
    assert document["tasks"] == []
    assert [(u["name"], u["change"]) for u in document["units"]] == [("高校毕业生服务中心", "renamed")]
    edit(repo / "data" / "tasks.yaml", "高服中心: {status: doing, date: 2022-09-29", "高服中心: {status: done, date: 2022-09-29")
    document = json.loads(run("diff", "--format", "json", cwd=repo).stdout)
    (task,) = document["tasks"]
    assert task["progress"] == [{"unit": "高校毕业生服务中心", "field": "status", "old": "doing", "new": "done"}]
    edit(repo / "data" / "units.yaml", "gfzx@rsj.example", "gfzx-office@rsj.example")
    (unit,) = json.loads(run("diff", "--format", "json", cwd=repo).stdout)["units"]
    assert unit["fields"]["email"] == [["gfzx@rsj.example"], ["gfzx-office@rsj.example"]]  # where remind mails it


@given(st.text(max_size=60), st.text(max_size=60))
def test_inline_diff_rebuilds_both_texts(old: str, new: str) -> None:
    """Without elision, the kept and removed pieces are the old text, the kept and added ones the new text."""
    from gkplan.plandiff import inline_diff

    segments = inline_diff(old, new, context=1000)
    assert "".join(s.text for s in segments if s.op in "=-") == old
    assert "".join(s.text for s in segments if s.op in "=+") == new
    short = inline_diff(old, new, context=3)
    assert all(len(s.text) <= 7 for s in short if s.op == "=")  # 3 around each change, whole when short
