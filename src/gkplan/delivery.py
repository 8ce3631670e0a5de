"""Sending the reminders: HTTP POSTs to group robots, SMTP for e-mail. Standard library only.

Secrets arrive as arguments (``cli`` reads them from the environment) and never
appear in a message: an error names the channel, never its URL. Each channel's
outcome is collected, not raised, so one broken robot does not silence the others.
Retries: only a timeout or a 5xx answer is tried again (``Retry``), with a doubling
pause; a 4xx, a refused connection or a platform's error code will not change by waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gkplan.errors import UsageError
from gkplan.model import Channel, ChannelType
from gkplan.remind import Reminders
from gkplan.render.remind_text import Mail, one_line

DEFAULT_BACKOFF = 2.0


@dataclass(frozen=True, slots=True)
class Retry:
    attempts: int = 3  # tries in all, the first included
    backoff: float = DEFAULT_BACKOFF  # seconds before the second try; doubled before each next one
    timeout: float = 10.0  # seconds for one request (connect + answer)


@dataclass(slots=True)
class Outcome:
    """What happened on one channel: messages sent out of how many, and what went wrong."""

    channel: Channel
    total: int
    sent: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SendFailed(Exception):
    """One request failed; ``retry``: a timeout or a 5xx, worth another try."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class Clock:
    """The time for signatures and the pause between tries, passed in from ``cli``."""

    now: Callable[[], float]
    sleep: Callable[[float], None]


# --- signatures ----------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉: base64(HmacSHA256(key=secret, msg="timestamp\\nsecret")); the caller URL-encodes it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书: base64(HmacSHA256(key="timestamp\\nsecret", msg=b"")), sent in the body."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed(kind: ChannelType, url: str, body: dict[str, Any], secret: str, now: float) -> tuple[str, dict[str, Any]]:
    """The URL and body to send, with the platform's signature when there is a secret."""
    if not secret:
        return url, body
    if kind is ChannelType.DINGTALK:
        stamp = int(now * 1000)
        query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(secret, stamp)})
        return f"{url}{'&' if '?' in url else '?'}{query}", body
    if kind is ChannelType.FEISHU:
        stamp = int(now)
        return url, {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **body}
    return url, body


# --- webhooks ------------------------------------------------------------------------------


def check_webhook_url(url: str, variable: str) -> None:
    hint = "请填机器人设置页上复制的完整 webhook 地址"
    parts = urllib.parse.urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        raise UsageError(f"环境变量 {variable} 中的端口不是数字", hint=hint) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() or ord(c) < 32 for c in url.strip()):
        raise UsageError(f"环境变量 {variable} 不是 http(s) 地址", hint=hint)


def post_json(url: str, body: dict[str, Any], timeout: float) -> None:
    """POST one body; a platform's non-zero ``errcode``/``code`` counts as a failure too."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        detail = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
        message = f"HTTP {exc.code}" + (f"：{platform_error(detail) or one_line(detail, 300)}" if detail.strip() else "")
        raise SendFailed(message, retry=exc.code >= 500) from None
    except TimeoutError:
        raise SendFailed(f"超时（{timeout:g} 秒内没有回应）", retry=True) from None
    except (http.client.HTTPException, ValueError) as exc:  # a garbled answer, an unusable URL
        raise SendFailed(f"请求失败：{type(exc).__name__}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise SendFailed(f"超时（{timeout:g} 秒内没有回应）", retry=True) from None
        raise SendFailed(f"连接失败：{one_line(str(reason))}") from None
    except OSError as exc:
        raise SendFailed(f"连接失败：{one_line(str(exc))}") from None
    message = platform_error(text)
    if message:
        raise SendFailed(message)


def platform_error(text: str) -> str:
    """The error in a platform's JSON answer ("" = success): ``errcode``/``errmsg`` (企业微信, 钉钉),
    ``code``/``msg`` (飞书), or the older ``StatusCode``/``StatusMessage`` (飞书)."""
    try:
        answer = json.loads(text)
    except ValueError:
        return ""  # not JSON: a 2xx answer without a body we can read counts as delivered
    if not isinstance(answer, dict):
        return ""
    for code_key, message_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        code = answer.get(code_key)
        if code not in (None, 0, "0"):
            return f"{code_key} {one_line(str(code), 40)}：{one_line(str(answer.get(message_key, '')), 300)}"
    return ""


def attempt(action: Callable[[], None], retry: Retry, clock: Clock) -> None:
    """Run ``action``; on a retryable failure wait and try again, up to ``retry.attempts`` times."""
    for number in range(1, retry.attempts + 1):
        try:
            action()
            return
        except SendFailed as exc:
            if not exc.retry or number == retry.attempts:
                if number > 1:
                    raise SendFailed(f"{exc}（已尝试 {number} 次）") from None
                raise
            clock.sleep(retry.backoff * 2 ** (number - 1))


def send_webhook(channel: Channel, url: str, secret: str, bodies: Sequence[dict[str, Any]], retry: Retry, clock: Clock) -> Outcome:
    """Post the bodies in order; stop at the first that fails (the rest would fail the same way)."""
    outcome = Outcome(channel, len(bodies))
    for index, body in enumerate(bodies, start=1):

        def post(body: dict[str, Any] = body) -> None:
            target, content = signed(channel.type, url, body, secret, clock.now())  # signed per try: stamps expire
            post_json(target, content, retry.timeout)

        try:
            attempt(post, retry, clock)
        except SendFailed as exc:
            where = f"第 {index}/{len(bodies)} 条" if len(bodies) > 1 else ""
            outcome.errors.append(f"{where}{exc}")
            return outcome
        outcome.sent += 1
    return outcome


# --- e-mail --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    user: str = ""
    password: str = ""
    insecure: bool = False  # ?insecure=1: allow a password over a connection without TLS


def parse_smtp_url(url: str, variable: str) -> SmtpTarget:
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://…``; never echoes the URL."""
    parts = urllib.parse.urlsplit(url.strip())
    hint = "形如 smtp://用户名:密码@邮件服务器:587 或 smtps://用户名:密码@邮件服务器:465（用户名、密码中的 @ : / 请写成 %40 %3A %2F）"
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise UsageError(f"环境变量 {variable} 不是 smtp:// 或 smtps:// 地址", hint=hint)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        raise UsageError(f"环境变量 {variable} 中的端口不是数字", hint=hint) from None
    query = urllib.parse.parse_qs(parts.query)
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        implicit_tls=parts.scheme == "smtps",
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        insecure=query.get("insecure", ["0"])[-1] in ("1", "true", "yes"),
    )


def build_email(mail: Mail, sender: str, cc: tuple[str, ...], now: float) -> Any:
    """Text and HTML alternatives, UTF-8 throughout (the subject as RFC 2047 words)."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    copied = [address for address in cc if address.lower() not in {a.lower() for a in mail.to}]
    if copied:  # the office's own reminder is not copied to itself
        message["Cc"] = ", ".join(copied)
    message["Date"] = formatdate(now, localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text, charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


def send_mail(channel: Channel, target: SmtpTarget, mails: Sequence[Mail], retry: Retry, clock: Clock) -> Outcome:
    """One connection for all of a channel's mails; a refused recipient fails that mail only."""
    import smtplib
    import ssl

    outcome = Outcome(channel, len(mails))
    if not mails:
        return outcome
    holder: list[smtplib.SMTP] = []

    def connect() -> None:
        try:
            if target.implicit_tls:
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    target.host, target.port, timeout=retry.timeout, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(target.host, target.port, timeout=retry.timeout)
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                elif target.user and not target.insecure:
                    server.close()
                    raise SendFailed("邮件服务器不支持 STARTTLS，拒绝以明文发送密码（内网确需明文时在地址末尾加 ?insecure=1）")
            if target.user:
                server.login(target.user, target.password)
        except TimeoutError:
            raise SendFailed(f"连接邮件服务器超时（{retry.timeout:g} 秒）", retry=True) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(f"登录被拒绝：{exc.smtp_code} {_smtp_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise SendFailed(f"连接邮件服务器失败：{one_line(str(exc))}") from None
        holder.append(server)

    try:
        attempt(connect, retry, clock)
    except SendFailed as exc:
        outcome.errors.append(str(exc))
        return outcome
    server = holder[0]
    try:
        for mail in mails:
            message = build_email(mail, channel.sender, channel.cc, clock.now())
            try:
                refused = server.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                outcome.errors.append(f"{mail.unit}：收件人被拒绝：{'、'.join(sorted(exc.recipients))}")
                continue
            except (smtplib.SMTPException, OSError) as exc:
                outcome.errors.append(f"{mail.unit}：发送失败：{one_line(str(exc))}")
                if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
                    return outcome
                continue
            if refused:
                outcome.errors.append(f"{mail.unit}：部分收件人被拒绝：{'、'.join(sorted(refused))}")
            outcome.sent += 1
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()
    return outcome


def _smtp_text(value: bytes | str) -> str:
    return one_line(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))


def deliver(
    reminders: Reminders,
    channels: Sequence[Channel],
    secrets: dict[str, str | None],
    retry: Retry,
    clock: Clock,
) -> list[Outcome]:
    """Send on every channel in turn; a channel that fails (or lacks its variable) does not stop the next."""
    from gkplan.render.remind_text import mails, webhook_bodies

    outcomes = []
    for channel in channels:
        missing = [name for name in channel.env_names() if not (secrets.get(name) or "").strip()]
        if missing:
            outcomes.append(Outcome(channel, 0, errors=[f"环境变量 {'、'.join(missing)} 未设置（请在 CI 的密钥或运行环境中设置）"]))
            continue
        try:
            if channel.type is ChannelType.EMAIL:
                target = parse_smtp_url(secrets[channel.smtp_env] or "", channel.smtp_env)
                outcomes.append(send_mail(channel, target, mails(reminders), retry, clock))
                continue
            url = (secrets[channel.webhook_env] or "").strip()
            check_webhook_url(url, channel.webhook_env)
        except UsageError as exc:
            outcomes.append(Outcome(channel, 0, errors=[str(exc)]))
            continue
        secret = (secrets.get(channel.secret_env) or "").strip() if channel.secret_env else ""
        outcomes.append(send_webhook(channel, url, secret, webhook_bodies(channel.type, reminders), retry, clock))
    return outcomes
