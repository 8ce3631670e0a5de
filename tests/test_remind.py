"""gkplan remind against real servers on 127.0.0.1: an HTTP server in a thread for the group
robots, aiosmtpd for e-mail. The real ``gkplan`` process runs with the environment variables
pointing at them; nothing leaves the machine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SMALL_UNITS, Runner

GKPLAN = Path(sys.executable).with_name("gkplan")

CHANNELS = """remind:
  channels:
    - name: 企业微信群
      type: wecom
      webhook_env: T_WECOM
    - name: 钉钉群
      type: dingtalk
      webhook_env: T_DING
      secret_env: T_DING_SECRET
    - name: 飞书群
      type: feishu
      webhook_env: T_FEISHU
      secret_env: T_FEISHU_SECRET
    - name: 邮件
      type: email
      smtp_env: T_SMTP
      from: gkplan@rsj.example
      cc: [bgs@rsj.example]
"""

UNITS = SMALL_UNITS.replace(
    "局办公室: {kind: 局机关科室, aliases: [办公室]}", "局办公室: {kind: 局机关科室, aliases: [办公室], email: bgs@rsj.example}"
)
UNITS = UNITS.replace("就业培训科: {kind: 局机关科室}", "就业培训科: {kind: 局机关科室, email: [jypx@rsj.example, kz@rsj.example]}")

HEAD = "plan:\n  title: 测试计划\n  year: 2022\nsections:\n  - code: 一\n    title: 基础工作\ntasks:\n"


def task(id_: int, name: str, units: list[str], deadline: str, progress: str = "") -> str:
    listed = "".join(f"      - {json.dumps(u, ensure_ascii=False)}\n" for u in units)
    text = f"  - id: {id_}\n    section: 一\n    name: {json.dumps(name, ensure_ascii=False)}\n    content: 内容。\n    units:\n{listed}"
    return text + f"    deadline: {deadline}\n" + progress


def plan(tmp_path: Path, tasks: str, *, settings: str = CHANNELS, units: str = UNITS) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    (root / "tasks.yaml").write_text(HEAD + tasks, encoding="utf-8")
    (root / "units.yaml").write_text(units, encoding="utf-8")
    (root / "settings.yaml").write_text(settings, encoding="utf-8")
    return root


BLOCKED = '    progress:\n      就业培训科: {status: blocked, date: "2022-09-20", note: 等待区里统一部署}\n'
STANDARD = (
    task(1, "加强历史公文转化公开", ["局机关各科室"], "9月底前", BLOCKED)
    + task(2, "推动政府开放活动常态化", ["就业促进中心"], "10月12日前")
    + task(3, "年底总结", ["局办公室"], "12月底前")
)


# --- the local servers ----------------------------------------------------------------------


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    raw: bytes


@dataclass
class Robot:
    """An HTTP server answering each path from a script: (status, JSON answer, seconds to wait)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, Any], float]]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            state.requests.append(Received(parts.path, query, json.loads(raw), raw))
            steps = state.script.get(parts.path) or [(200, {"errcode": 0, "errmsg": "ok"}, 0.0)]
            status, answer, wait = steps.pop(0) if len(steps) > 1 else steps[0]
            time.sleep(wait)
            data = json.dumps(answer, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    port: int
    envelopes: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.envelopes]  # type: ignore[misc]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real gkplan process, with only the variables given (no proxies: everything is local)."""
    base = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("T_")}
    base |= {"GKPLAN_REMIND_BACKOFF": "0.01", "GKPLAN_NO_CACHE": "1"} | (env or {})
    return subprocess.run(
        [str(GKPLAN), "remind", "--data", str(root), "--today", "2022-10-08", *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=60,
        check=False,
    )


def webhooks(robot: Robot) -> dict[str, str]:
    return {
        "T_WECOM": robot.url("/wecom"),
        "T_DING": robot.url("/ding?access_token=abc"),
        "T_DING_SECRET": "SECding",
        "T_FEISHU": robot.url("/feishu"),
        "T_FEISHU_SECRET": "feishu",
    }


# --- the four channels ----------------------------------------------------------------------


def test_wecom_gets_one_markdown_message_with_each_unit_in_bold(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "企业微信群", env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "已发送：企业微信群（企业微信）1/1 条\n"
    [request] = robot.requests
    assert request.body["msgtype"] == "markdown"
    content = request.body["markdown"]["content"]
    assert content.splitlines() == [
        "**催办｜测试计划，截至 2022-10-08**",
        "**局办公室**：逾期 1 项，7 天内到期 0 项",
        "- 第 1 项 加强历史公文转化公开｜时间节点 9月底前｜截止 2022-09-30｜逾期 8 天｜本单位 未开始",
        "",
        "**就业培训科**：逾期 1 项，7 天内到期 0 项（其中受阻 1 项）",
        "- 第 1 项 加强历史公文转化公开｜时间节点 9月底前｜截止 2022-09-30｜逾期 8 天｜本单位 受阻：等待区里统一部署",
        "",
        "**就业促进中心**：逾期 0 项，7 天内到期 1 项",
        "- 第 2 项 推动政府开放活动常态化｜时间节点 10月12日前｜截止 2022-10-12｜还剩 4 天｜本单位 未开始",
    ]


def test_dingtalk_signature_is_recomputable_from_the_query(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    before = int(time.time() * 1000)
    done = run(root, "--channel", "钉钉群", env=webhooks(robot) | {"T_DING_SECRET": "SECtest秘钥"})
    assert done.returncode == 0, done.stderr
    [request] = robot.requests
    assert request.query["access_token"] == "abc"  # the robot's own parameter survives
    stamp = int(request.query["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)
    expected = base64.b64encode(hmac.new(b"SECtest\xe7\xa7\x98\xe9\x92\xa5", f"{stamp}\nSECtest秘钥".encode(), hashlib.sha256).digest())
    assert request.query["sign"] == expected.decode()  # parse_qsl undid the URL encoding
    assert request.body["msgtype"] == "markdown"
    assert request.body["markdown"]["title"] == "催办（截至 2022-10-08）"
    assert "**就业培训科**" in request.body["markdown"]["text"]


def test_feishu_post_with_signature_in_the_body(tmp_path: Path, robot: Robot) -> None:
    robot.script["/feishu"] = [(200, {"code": 0, "msg": "success"}, 0.0)]
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "飞书群", env=webhooks(robot) | {"T_FEISHU_SECRET": "fs-secret"})
    assert done.returncode == 0, done.stderr
    [request] = robot.requests
    body = request.body
    stamp = int(body["timestamp"])
    assert abs(stamp - time.time()) < 60
    expected = base64.b64encode(hmac.new(f"{stamp}\nfs-secret".encode(), b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "催办｜测试计划，截至 2022-10-08"
    assert post["content"][0] == [
        {"tag": "text", "text": "局办公室", "style": ["bold"]},
        {"tag": "text", "text": "：逾期 1 项，7 天内到期 0 项"},
    ]


def test_email_one_message_per_unit_with_text_and_html(tmp_path: Path, mailbox: Mailbox) -> None:
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "邮件", env={"T_SMTP": f"smtp://127.0.0.1:{mailbox.port}"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "已发送：邮件（邮件）2/2 封\n"
    assert "就业促进中心" in done.stderr  # has something due but no address: said, not silently dropped
    assert [(sender, sorted(rcpts)) for sender, rcpts, _ in mailbox.envelopes] == [
        ("gkplan@rsj.example", ["bgs@rsj.example"]),
        ("gkplan@rsj.example", ["bgs@rsj.example", "jypx@rsj.example", "kz@rsj.example"]),
    ]
    first, second = mailbox.messages()
    assert first["Cc"] is None
    assert second["Subject"] == "【催办】就业培训科：逾期 1 项，7 天内到期 0 项（截至 2022-10-08）"
    assert "=?utf-8?" in mailbox.envelopes[1][2].decode("ascii").lower()  # encoded as RFC 2047 words
    assert second["To"] == "jypx@rsj.example, kz@rsj.example"
    assert second["Cc"] == "bgs@rsj.example"
    assert first["To"] == "bgs@rsj.example"
    plain = second.get_body(("plain",))
    rich = second.get_body(("html",))
    assert plain is not None
    assert rich is not None
    assert "本单位 受阻：等待区里统一部署" in plain.get_content()
    assert "<strong>就业培训科</strong>" in rich.get_content()
    assert "等待区里统一部署" in rich.get_content()


def test_email_credentials_need_tls_unless_the_url_allows_plain(tmp_path: Path, mailbox: Mailbox) -> None:
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "邮件", env={"T_SMTP": f"smtp://user:p%40ss@127.0.0.1:{mailbox.port}"})
    assert done.returncode == 1
    assert "STARTTLS" in done.stderr
    assert "p@ss" not in done.stderr
    assert "p%40ss" not in done.stderr
    assert mailbox.envelopes == []


# --- failures -------------------------------------------------------------------------------


def test_a_platform_error_is_reported_and_the_other_channels_still_go(tmp_path: Path, robot: Robot) -> None:
    robot.script["/wecom"] = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0.0)]
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "企业微信群", "--channel", "钉钉群", env=webhooks(robot))
    assert done.returncode == 1
    assert "企业微信群（企业微信）：errcode 93000：invalid webhook url" in done.stderr
    assert "钉钉群（钉钉）1/1 条" in done.stdout
    assert len(robot.at("/wecom")) == 1  # a platform's error is not retried
    assert len(robot.at("/ding")) == 1
    assert robot.url("") not in done.stderr  # never the URL (it holds the robot's key)


def test_a_5xx_is_retried_then_succeeds(tmp_path: Path, robot: Robot) -> None:
    robot.script["/wecom"] = [(500, {"error": "busy"}, 0.0), (200, {"errcode": 0, "errmsg": "ok"}, 0.0)]
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "企业微信群", env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    first, second = robot.at("/wecom")
    assert first.body == second.body


def test_a_4xx_is_not_retried(tmp_path: Path, robot: Robot) -> None:
    robot.script["/feishu"] = [(400, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}, 0.0)]
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "飞书群", env=webhooks(robot) | {"T_FEISHU_SECRET": "x"})
    assert done.returncode == 1
    assert "飞书群（飞书）：HTTP 400：code 19021：sign match fail" in done.stderr
    assert len(robot.at("/feishu")) == 1


def test_a_timeout_is_retried_a_bounded_number_of_times(tmp_path: Path, robot: Robot) -> None:
    robot.script["/wecom"] = [(200, {"errcode": 0}, 1.0)]
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "企业微信群", "--timeout", "0.2", env=webhooks(robot))
    assert done.returncode == 1
    assert "企业微信群（企业微信）：超时（0.2 秒内没有回应）（已尝试 3 次）" in done.stderr
    assert len(robot.at("/wecom")) == 3


def test_an_unset_variable_is_named_and_the_rest_still_go(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    env = webhooks(robot)
    del env["T_WECOM"]
    done = run(root, "--channel", "企业微信群", "--channel", "飞书群", env=env)
    assert done.returncode == 1
    assert "企业微信群（企业微信）：环境变量 T_WECOM 未设置" in done.stderr
    assert len(robot.at("/feishu")) == 1


def test_long_content_is_split_at_line_boundaries_under_4096_bytes(tmp_path: Path, robot: Robot) -> None:
    names = [f"第{i}项很长的任务名称" + "政务公开" * 20 for i in range(1, 61)]
    tasks = "".join(task(i, name, ["局机关各科室"], "9月底前") for i, name in enumerate(names, start=1))
    root = plan(tmp_path, tasks)
    done = run(root, "--channel", "企业微信群", env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    contents = [r.body["markdown"]["content"] for r in robot.requests]
    assert len(contents) > 2
    assert all(len(c.encode()) <= 4096 for c in contents)
    assert contents[0].startswith(f"**催办｜测试计划，截至 2022-10-08（1/{len(contents)}）**\n")
    items = [line for c in contents for line in c.splitlines() if line.startswith("- ")]
    assert items == [f"- 第 {i} 项 {names[i - 1]}｜时间节点 9月底前｜截止 2022-09-30｜逾期 8 天｜本单位 未开始" for i in range(1, 61)] * 2


def test_hostile_text_cannot_add_lines_mentions_or_markup(tmp_path: Path, robot: Robot, mailbox: Mailbox) -> None:
    name = '**假** <@all> @所有人 [点我](http://evil.example) <at user_id="all">所有人</at>\n- 第 9 项 伪造的一行'
    note = "<script>alert(1)</script>\n# 标题"  # (a CR is refused by the reader since issue 14)
    progress = f"    progress:\n      局办公室: {{status: blocked, note: {json.dumps(note)}}}\n"
    root = plan(tmp_path, task(1, name, ["局办公室"], "9月底前", progress))
    done = run(root, env=webhooks(robot) | {"T_SMTP": f"smtp://127.0.0.1:{mailbox.port}"})
    assert done.returncode == 0, done.stderr
    wecom = robot.at("/wecom")[0].body["markdown"]["content"]
    assert len(wecom.splitlines()) == 3  # headline, unit, one item: the data's line break did not make a line
    for text in (wecom, robot.at("/ding")[0].body["markdown"]["text"]):
        for bad in ("<@", "<at", "[点我]", "](", "@所有人", "**假**", "<script", "\n#"):
            assert bad not in text
    feishu = json.dumps(robot.at("/feishu")[0].body, ensure_ascii=False)
    assert "\\n- 第 9 项" not in feishu
    assert all(el["tag"] == "text" for par in robot.at("/feishu")[0].body["content"]["post"]["zh_cn"]["content"] for el in par)
    [mail] = mailbox.messages()
    html_part = mail.get_body(("html",))
    assert html_part is not None
    assert "<script>" not in html_part.get_content()
    assert "&lt;script&gt;" in html_part.get_content()


# --- choosing what and when -----------------------------------------------------------------


def test_nothing_due_sends_nothing(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, task(1, "年底总结", ["局办公室"], "12月底前"))
    done = run(root, env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    assert "不发送催办" in done.stdout
    assert robot.requests == []


def test_unit_option_narrows_to_those_units(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    done = run(root, "--channel", "企业微信群", "--unit", "就业促进中心", env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    content = robot.requests[0].body["markdown"]["content"]
    assert "**就业促进中心**" in content
    assert "局办公室" not in content


def test_workdays_only_skips_holidays_and_runs_on_make_up_days(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    holiday = subprocess.run(
        [str(GKPLAN), "remind", "--data", str(root), "--today", "2022-10-03", "--workdays-only"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")} | webhooks(robot),
        check=False,
    )
    assert holiday.returncode == 0
    assert "2022-10-03 不是工作日" in holiday.stderr
    assert robot.requests == []
    workday = run(root, "--workdays-only", "--channel", "企业微信群", env=webhooks(robot))  # Sat 2022-10-08: 调休
    assert workday.returncode == 0, workday.stderr
    assert len(robot.requests) == 1


def test_dry_run_prints_the_bodies_and_sends_nothing(tmp_path: Path, robot: Robot) -> None:
    root = plan(tmp_path, STANDARD)
    done = run(root, "--dry-run", env=webhooks(robot))
    assert done.returncode == 0, done.stderr
    assert robot.requests == []
    assert "=== 企业微信群（企业微信）：1 条，POST 到环境变量 T_WECOM 中的地址 ===" in done.stdout
    assert "（加签：发送时用环境变量 T_DING_SECRET 中的密钥计算，地址后加 timestamp 和 sign 参数）" in done.stdout
    assert "（环境变量 T_SMTP 现在未设置，真正发送时这个渠道会失败）" in done.stdout
    assert "Subject: 【催办】就业培训科：逾期 1 项，7 天内到期 0 项（截至 2022-10-08）" in done.stdout
    sent = run(root, "--channel", "企业微信群", env=webhooks(robot))
    assert sent.returncode == 0
    body = json.dumps(robot.requests[0].body, ensure_ascii=False, indent=2)
    assert body in done.stdout  # exactly what was then sent


def test_unknown_channel_suggests(gkplan: Runner) -> None:
    result = gkplan("remind", "--channel", "微信群", "--today", "2022-10-08")
    assert result.exit_code == 4
    assert "没有名为「微信群」的催办渠道" in result.stderr


def test_shipped_plan_without_channels_previews_per_unit(gkplan: Runner) -> None:
    result = gkplan("remind", "--dry-run", "--today", "2022-10-08")
    assert result.exit_code == 0, result.stderr
    assert "settings.yaml 没有配置催办渠道" in result.stdout
    assert "【社会保障服务中心】逾期 2 项，7 天内到期 0 项" in result.stdout
    sent = gkplan("remind", "--today", "2022-10-08")
    assert sent.exit_code == 2
    assert "没有配置催办渠道" in sent.stderr


# --- check and the schema -------------------------------------------------------------------


def test_check_reports_bad_channels_and_addresses_with_lines(tmp_path: Path) -> None:
    settings = """remind:
  channels:
    - name: 群
      type: wecom
      webhook: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET
    - name: 群
      type: dingtalk
      webhook_env: 1BAD
    - name: 信
      type: email
      smtp_env: T_SMTP
    - name: 信鸽
      type: pigeon
"""
    units = UNITS.replace("email: bgs@rsj.example", "email: 局办公室 <bgs@rsj.example>")
    root = plan(tmp_path, STANDARD, settings=settings, units=units)
    done = subprocess.run([str(GKPLAN), "check", "--data", str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    out = done.stdout
    assert "settings.yaml:5:7: 错误 secret-in-file" in out
    assert "settings.yaml:3:7: 错误 missing-field: remind.channels 第 1 项（企业微信）缺少「webhook_env」" in out
    assert (
        "settings.yaml:8:7: 错误 bad-setting: remind.channels 第 2 项的「webhook_env」应是环境变量名（字母、数字、下划线），现为「1BAD」"
        in out
    )
    assert "settings.yaml:9:7: 错误 missing-field: remind.channels 第 3 项（邮件）缺少「from」" in out
    assert "settings.yaml:13:7: 错误 bad-setting: remind.channels 第 4 项的 type「pigeon」不是可用的渠道" in out
    assert "units.yaml:2:39: 错误 bad-email: 单位「局办公室」的「email」中「局办公室 <bgs@rsj.example>」不是邮箱地址" in out


def test_schemas_accept_the_example_and_refuse_a_secret_in_the_file() -> None:
    import jsonschema
    import yaml

    repo = Path(__file__).resolve().parents[1]
    schema = json.loads((repo / "schemas" / "settings.schema.json").read_text(encoding="utf-8"))
    example = yaml.safe_load((repo / "examples" / "2022-progress" / "data" / "settings.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(example, schema)
    bad = {"remind": {"channels": [{"name": "群", "type": "wecom", "webhook_env": "X", "webhook": "https://…"}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_duplicate_channel_names_are_refused(tmp_path: Path) -> None:
    settings = "remind:\n  channels:\n    - {name: 群, type: wecom, webhook_env: A}\n    - {name: 群, type: feishu, webhook_env: B}\n"
    root = plan(tmp_path, STANDARD, settings=settings)
    done = subprocess.run([str(GKPLAN), "check", "--data", str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "settings.yaml:4:" in done.stdout
    assert "duplicate-channel: 渠道名「群」重复" in done.stdout


def test_channels_and_addresses_survive_the_parse_cache(tmp_path: Path) -> None:
    root = plan(tmp_path, STANDARD)
    env = {"GKPLAN_CACHE_DIR": str(tmp_path / "cache")}
    base = {k: v for k, v in os.environ.items() if k != "GKPLAN_NO_CACHE"} | env
    runs = [
        subprocess.run(
            [str(GKPLAN), "remind", "--dry-run", "--data", str(root), "--today", "2022-10-08"],
            capture_output=True,
            text=True,
            env=base,
            check=False,
        )
        for _ in range(2)
    ]
    assert any((tmp_path / "cache" / "settings").iterdir())
    assert runs[0].returncode == runs[1].returncode == 0
    assert runs[0].stdout == runs[1].stdout
    assert "To: jypx@rsj.example, kz@rsj.example" in runs[1].stdout
    assert "=== 飞书群（飞书）：1 条" in runs[1].stdout


def test_ci_examples_run_remind_every_morning_on_workdays_only() -> None:
    import yaml

    ci = Path(__file__).resolve().parents[1] / "examples" / "ci"
    github = yaml.safe_load((ci / "remind-github-actions.yml").read_text(encoding="utf-8"))
    assert github[True]["schedule"] == [{"cron": "30 0 * * *"}]  # YAML 1.1 reads the key `on` as True
    steps = github["jobs"]["remind"]["steps"]
    run_step = next(step for step in steps if "gkplan remind" in step.get("run", ""))
    assert "--workdays-only" in run_step["run"]
    assert run_step["env"]["GKPLAN_SMTP_URL"] == "${{ secrets.GKPLAN_SMTP_URL }}"
    gitlab = yaml.safe_load((ci / "remind-gitlab-ci.yml").read_text(encoding="utf-8"))["gkplan-remind"]
    assert "schedule" in gitlab["rules"][0]["if"]
    assert "gkplan remind --workdays-only" in gitlab["script"]


def test_email_over_starttls_with_login(tmp_path: Path) -> None:
    """A server that offers STARTTLS (certificate from openssl, trusted through SSL_CERT_FILE) and
    requires a login: gkplan upgrades first, then logs in with the URL's percent-decoded password."""
    import shutil
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        capture_output=True,
        check=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []
    received: list[bytes] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss")

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.original_content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        root = plan(tmp_path, STANDARD)
        done = run(root, "--channel", "邮件", env={"T_SMTP": f"smtp://office:p%40ss@127.0.0.1:{port}", "SSL_CERT_FILE": str(cert)})
    finally:
        controller.stop()
    assert done.returncode == 0, done.stderr
    assert logins == [(b"office", b"p@ss")]
    assert len(received) == 2


def test_bad_or_dead_urls_fail_that_channel_cleanly(tmp_path: Path, robot: Robot) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    root = plan(tmp_path, STANDARD)
    env = webhooks(robot) | {"T_WECOM": "http://127.0.0.1:notaport/x", "T_DING": f"http://127.0.0.1:{dead}/ding"}
    done = run(root, "--channel", "企业微信群", "--channel", "钉钉群", "--channel", "飞书群", env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "企业微信群（企业微信）：环境变量 T_WECOM 中的端口不是数字" in done.stderr
    assert "钉钉群（钉钉）：连接失败" in done.stderr
    assert "已尝试" not in done.stderr  # a refused connection is not retried
    assert "飞书群（飞书）1/1 条" in done.stdout
