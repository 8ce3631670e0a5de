"""``settings.yaml``: the office's report rules, read with the same safe reader as the plans.

The file is optional; each key is optional. A bad value is a located ``Problem``
(file, line, fix). ``gkplan check`` lists them with the other problems; a report
refuses to run on them (see ``cli.office_rules``), since a report drawn with the
default rules instead of the office's own would show the meeting the wrong lights.
Parsed settings go through the same content-keyed cache as plans, so a warm run
does not import the YAML parser for them either.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gkplan.errors import Problem, Severity
from gkplan.model import SCHEME_CHOICES, Channel, ChannelType, Scheme, Settings, valid_email
from gkplan.store import cache
from gkplan.store.reader import Document, decode, parse_text

if TYPE_CHECKING:
    from gkplan.store.build import Collector

SETTINGS_FILE = "settings.yaml"
SETTINGS_FIELDS = ("warn_days", "lights", "stale_weeks", "remind_days", "remind")
REMIND_FIELDS = ("channels",)
CHANNEL_FIELDS = ("name", "type", "webhook_env", "secret_env", "smtp_env", "from", "cc")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Keys people write when they put the secret itself in the file: say why that is refused.
_SECRET_KEYS = {"webhook": "webhook_env", "url": "webhook_env", "secret": "secret_env", "smtp": "smtp_env", "smtp_url": "smtp_env"}
_LIMITS = {"warn_days": 366, "stale_weeks": 52, "remind_days": 366}


def settings_from_bytes(raw: bytes, shown: str, *, keep: dict[str, Document] | None = None) -> tuple[Settings, list[Problem]]:
    """The content of a ``settings.yaml`` (also an old version from git) -> settings and problems."""
    key = cache.cache_key("settings", shown, raw)
    if keep is None and (packed := cache.load("settings", key)) is not None:
        return _unpack(packed)
    text, has_bom = decode(raw, shown)
    document = parse_text(text, shown, has_bom=has_bom, newline="\r\n" if "\r\n" in text else "\n")
    if keep is not None:
        keep[document.path] = document
    settings, problems = build_settings(document.data, shown)
    problems = document.problems + problems
    if not any(p.severity is Severity.ERROR for p in problems):
        cache.save("settings", key, _pack(settings, problems))
    return settings, problems


def build_settings(data: Any, path: str) -> tuple[Settings, list[Problem]]:
    """Plain YAML data (from ``reader``) -> ``Settings``, collecting every problem."""
    from gkplan.store.build import Collector

    out = Collector(path)
    if data is None:  # an empty file, or only comments: all defaults
        return Settings(source=path), out.problems
    if not isinstance(data, dict):
        out.add(data, "", "wrong-type", "settings.yaml 顶层应是映射（warn_days: 14 这样一行一项）")
        return Settings(source=path), out.problems
    out.check_fields(data, SETTINGS_FIELDS, "settings.yaml ")
    defaults = Settings()
    numbers = {name: _number(data, name, getattr(defaults, name), out) for name in _LIMITS}
    scheme = defaults.scheme
    if data.get("lights") is not None:
        value = data["lights"]
        parsed = Scheme.parse(value) if isinstance(value, str) else None
        if parsed is None:
            out.add(data, "lights", "bad-setting", f"lights「{value}」不是可用的配色", f"可用：{SCHEME_CHOICES}")
        else:
            scheme = parsed
    return (
        Settings(
            warn_days=numbers["warn_days"],
            scheme=scheme,
            stale_weeks=numbers["stale_weeks"],
            remind_days=numbers["remind_days"],
            source=path,
            channels=_channels(data, out),
        ),
        out.problems,
    )


def _channels(data: dict[Any, Any], out: Any) -> tuple[Channel, ...]:
    """``remind: channels:`` -> channels; each bad entry is a located problem and is left out."""
    remind = data.get("remind")
    if remind is None:
        return ()
    if not isinstance(remind, dict):
        out.add(data, "remind", "wrong-type", "remind 应是映射", "例如 remind: 下一行写 channels:，见 README 催办一节")
        return ()
    out.check_fields(remind, REMIND_FIELDS, "settings.yaml remind ")
    raw = remind.get("channels")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        out.add(remind, "channels", "wrong-type", "remind.channels 应是列表：每个渠道一项，以 - name: 开头")
        return ()
    channels: list[Channel] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            out.add(remind, f"channels[{index}]", "wrong-type", f"remind.channels 第 {index + 1} 项应是映射（name:、type: …）")
            continue
        channel = _channel(entry, index, out)
        if channel is None:
            continue
        if channel.name in seen:
            out.add(entry, "name", "duplicate-channel", f"渠道名「{channel.name}」重复", "每个渠道的 name 不能相同（--channel 按它选择）")
            continue
        seen.add(channel.name)
        channels.append(channel)
    return tuple(channels)


def _channel(entry: dict[Any, Any], index: int, out: Any) -> Channel | None:
    from gkplan.store.build import email_addresses

    what = f"remind.channels 第 {index + 1} 项"
    for key, meant in _SECRET_KEYS.items():
        if key in entry:
            out.add(
                entry,
                key,
                "secret-in-file",
                f"{what}的「{key}」：地址和密钥不能写进仓库",
                f"请把它放进 CI 的密钥或环境变量，这里只写变量名：{meant}: GKPLAN_…",
            )
    out.check_fields(entry, (*CHANNEL_FIELDS, *_SECRET_KEYS), what)
    name = out.text(entry, "name", what, required=True)
    kind_text = out.text(entry, "type", what, required=True)
    kinds = ", ".join(t.value for t in ChannelType)
    try:
        kind = ChannelType(kind_text.lower()) if kind_text else None
    except ValueError:
        out.add(entry, "type", "bad-setting", f"{what}的 type「{kind_text}」不是可用的渠道", f"可用：{kinds}")
        kind = None
    env = {key: _env_name(entry, key, what, out) for key in ("webhook_env", "secret_env", "smtp_env")}
    sender = out.text(entry, "from", what)
    cc = email_addresses(entry, "cc", out, what)
    if kind is None or not name:
        return None
    ok = True
    needed = ("webhook_env",) if kind.webhook else ("smtp_env", "from")
    for key in needed:
        if key in entry:
            continue
        out.add(entry, "", "missing-field", f"{what}（{kind.label}）缺少「{key}」", _NEEDED_HINTS[key])
        ok = False
    unused = {"webhook_env", "secret_env", "cc", "from", "smtp_env"} - set(needed)
    if kind is ChannelType.DINGTALK or kind is ChannelType.FEISHU:
        unused.discard("secret_env")
    if kind is ChannelType.EMAIL:
        unused.discard("cc")
    for key in sorted(unused & set(entry)):
        out.add(entry, key, "unused-field", f"{what}（{kind.label}）用不到「{key}」", "请删去这一行，或检查 type 是否写对")
        ok = False
    if sender and not valid_email(sender):
        out.add(entry, "from", "bad-email", f"{what}的 from「{sender}」不是邮箱地址", "请只写地址本身，如 gkplan@rsj.example")
        ok = False
    if not ok or any(env[key] is None for key in env):
        return None
    return Channel(
        name=name,
        type=kind,
        webhook_env=env["webhook_env"] or "",
        secret_env=env["secret_env"] or "",
        smtp_env=env["smtp_env"] or "",
        sender=sender,
        cc=cc,
    )


_NEEDED_HINTS = {
    "webhook_env": "请写存放机器人 webhook 地址的环境变量名，如 webhook_env: GKPLAN_WECOM_WEBHOOK",
    "smtp_env": "请写存放 SMTP 地址的环境变量名，如 smtp_env: GKPLAN_SMTP_URL（值形如 smtp://用户:密码@主机:587）",
    "from": "请写发件人地址，如 from: gkplan@rsj.example",
}


def _env_name(entry: dict[Any, Any], key: str, what: str, out: Any) -> str | None:
    """The variable name under ``key`` ("" when absent); ``None`` when it is not a usable name."""
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, str) and _ENV_NAME.fullmatch(value.strip()):
        return value.strip()
    out.add(
        entry,
        key,
        "bad-setting",
        f"{what}的「{key}」应是环境变量名（字母、数字、下划线），现为「{value}」",
        f"例如 {key}: GKPLAN_WEBHOOK；地址和密钥本身放在 CI 的密钥里",
    )
    return None


def _number(data: dict[Any, Any], name: str, default: int, out: Collector) -> int:
    value = data.get(name)
    if value is None:
        return default
    limit = _LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        out.add(
            data,
            name,
            "bad-setting",
            f"{name} 应是 0 到 {limit} 的整数（现为「{value}」）",
            f"例如 {name}: {default}（不写则默认 {default}）",
        )
        return default
    return value


def _pack(settings: Settings, problems: list[Problem]) -> tuple[Any, ...]:
    from gkplan.store.cache_codec import pack_problems

    values = (settings.warn_days, settings.scheme.value, settings.stale_weeks, settings.remind_days, settings.source)
    channels = tuple((c.name, c.type.value, c.webhook_env, c.secret_env, c.smtp_env, c.sender, c.cc) for c in settings.channels)
    return (values, pack_problems(problems), channels)


def _unpack(packed: tuple[Any, ...]) -> tuple[Settings, list[Problem]]:
    from gkplan.store.cache_codec import unpack_problems

    (warn_days, scheme, stale_weeks, remind_days, source), problems, packed_channels = packed
    channels = tuple(Channel(name, ChannelType(kind), *rest) for name, kind, *rest in packed_channels)
    return Settings(warn_days, Scheme(scheme), stale_weeks, remind_days, source, channels), unpack_problems(problems)
