"""The reminders as each platform wants them: group-robot bodies, e-mails, a plain preview.

Every unit's part is laid out once (``unit_lines``) as lines of segments; each
platform only escapes and marks the bold ones. Data text is untrusted (it comes
in pull requests), so every value is made one line, clipped, and escaped for the
platform: markdown characters become their full-width look-alikes (no links,
no headings, no ``<at>`` or ``<@…>`` mentions, no @all), HTML goes through
``html.escape``, 飞书 gets plain text elements. The unit name is bold so a group
chat can scan for its own.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gkplan.model import Channel, ChannelType
from gkplan.remind import Item, Reminders, UnitReminder
from gkplan.textsafe import visible

if TYPE_CHECKING:
    from gkplan.delivery import Outcome

# Size limits of one message. 企业微信: markdown content at most 4096 bytes (documented).
# 钉钉 documents no figure for markdown; the same 4096 keeps well inside what it accepts.
# 飞书: a request body at most 20 KB; 18,000 leaves room for the envelope and the signature.
LIMITS = {ChannelType.WECOM: 4096, ChannelType.DINGTALK: 4096, ChannelType.FEISHU: 18000}
CLIP = 200  # characters of one data value (a name, a note) in a message


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    bold: bool = False


Line = tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Mail:
    """One unit's e-mail; the channel adds From and Cc."""

    unit: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str


def one_line(text: str, limit: int = CLIP) -> str:
    """Data text as one clipped line, by the display rule of every text output (textsafe.visible:
    line breaks and control characters shown, never sent); runs of blanks become one space."""
    clean = " ".join(visible(text.replace("\t", " ")).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def headline(reminders: Reminders) -> str:
    return f"催办｜{one_line(reminders.title)}，截至 {reminders.day.isoformat()}"


def unit_lines(reminder: UnitReminder, window: int) -> list[Line]:
    """One unit's block: its name and counts, then one line per task (late ones first)."""
    counts = f"：逾期 {len(reminder.overdue)} 项，{window} 天内到期 {len(reminder.due_soon)} 项"
    if reminder.blocked:
        counts += f"（其中受阻 {reminder.blocked} 项）"
    lines: list[Line] = [(Segment(one_line(reminder.unit, 50), bold=True), Segment(counts))]
    lines.extend((Segment(item_text(item)),) for item in (*reminder.overdue, *reminder.due_soon))
    return lines


def item_text(item: Item) -> str:
    """``- 第 2 项 名称｜时间节点 9月底前｜截止 2022-09-30｜逾期 8 天｜本单位 未开始``"""
    if item.days_left < 0:
        when = f"逾期 {item.days_late} 天"
    elif item.days_left == 0:
        when = "今天到期"
    else:
        when = f"还剩 {item.days_left} 天"
    status = f"本单位 {item.status.label}"
    if item.note:
        status += f"：{one_line(item.note)}"
    phrase = one_line(item.phrase) or "未填"
    return f"- 第 {item.key} 项 {one_line(item.name)}｜时间节点 {phrase}｜截止 {item.due.isoformat()}｜{when}｜{status}"


# --- markdown (企业微信, 钉钉) -------------------------------------------------------------

_MARKDOWN = str.maketrans(
    {
        "\\": "＼",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "|": "｜",
        "~": "～",
        "@": "＠",
        "&": "＆",
        "!": "！",
        "$": "＄",
    }
)


def escape_markdown(text: str) -> str:
    """Markdown control characters as their full-width look-alikes: shown, never interpreted."""
    return text.translate(_MARKDOWN)


def markdown_line(line: Line) -> str:
    return "".join(f"**{escape_markdown(s.text)}**" if s.bold else escape_markdown(s.text) for s in line)


def plain_line(line: Line) -> str:
    """Bold as 【…】, which already sets the name apart: the colon after it goes."""
    text = "".join(f"【{s.text}】" if s.bold else s.text for s in line)
    return text.replace("】：", "】", 1)


def split_blocks(blocks: list[list[Line]], room: int, size: Callable[[Line], int]) -> list[list[Line]]:
    """Lines packed into chunks of at most ``room`` (by ``size``), cut only between lines,
    and between units where a unit fits in one chunk. ``()`` marks a blank line between units."""
    chunks: list[list[Line]] = [[]]
    used = 0
    for block in blocks:
        block_size = sum(size(line) for line in block) + size(())
        if chunks[-1] and used + block_size > room and block_size <= room:
            chunks.append([])
            used = 0
        for line in [(), *block] if chunks[-1] else block:
            if chunks[-1] and used + size(line) > room:
                chunks.append([])
                used = 0
                if line == ():
                    continue
            chunks[-1].append(line)
            used += size(line)
    return [chunk for chunk in chunks if chunk]


def _numbered(title: str, index: int, total: int) -> str:
    return f"{title}（{index}/{total}）" if total > 1 else title


def markdown_messages(reminders: Reminders, limit: int) -> list[str]:
    """The group-chat text, split at line boundaries into pieces of at most ``limit`` bytes."""
    blocks = [unit_lines(unit, reminders.window) for unit in reminders.units]
    title = escape_markdown(headline(reminders))
    room = limit - len(f"**{_numbered(title, 99, 99)}**\n".encode())

    def size(line: Line) -> int:
        return len(markdown_line(line).encode()) + 1  # its newline

    chunks = split_blocks(blocks, room, size)
    return [
        f"**{_numbered(title, n, len(chunks))}**\n" + "\n".join(markdown_line(line) for line in chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]


def wecom_bodies(reminders: Reminders) -> list[dict[str, Any]]:
    return [{"msgtype": "markdown", "markdown": {"content": text}} for text in markdown_messages(reminders, LIMITS[ChannelType.WECOM])]


def dingtalk_bodies(reminders: Reminders) -> list[dict[str, Any]]:
    title = f"催办（截至 {reminders.day.isoformat()}）"  # the chat list's preview line
    texts = markdown_messages(reminders, LIMITS[ChannelType.DINGTALK])
    return [{"msgtype": "markdown", "markdown": {"title": title, "text": text}} for text in texts]


def feishu_bodies(reminders: Reminders) -> list[dict[str, Any]]:
    """飞书 rich text (``post``): text elements are shown as written, so nothing needs escaping."""
    blocks = [unit_lines(unit, reminders.window) for unit in reminders.units]
    chunks = split_blocks(blocks, LIMITS[ChannelType.FEISHU] - 512, lambda line: len(json.dumps(_paragraph(line)).encode()))
    title = headline(reminders)
    return [
        {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": _numbered(title, n, len(chunks)), "content": [_paragraph(line) for line in chunk]}}},
        }
        for n, chunk in enumerate(chunks, start=1)
    ]


def _paragraph(line: Line) -> list[dict[str, Any]]:
    if not line:
        return [{"tag": "text", "text": ""}]
    return [{"tag": "text", "text": s.text, **({"style": ["bold"]} if s.bold else {})} for s in line]


def webhook_bodies(kind: ChannelType, reminders: Reminders) -> list[dict[str, Any]]:
    builders = {ChannelType.WECOM: wecom_bodies, ChannelType.DINGTALK: dingtalk_bodies, ChannelType.FEISHU: feishu_bodies}
    return builders[kind](reminders)


# --- e-mail and the plain preview ----------------------------------------------------------


def mails(reminders: Reminders) -> list[Mail]:
    """One mail per unit that has an address; text and HTML say the same."""
    result = []
    for unit in reminders.units:
        if not unit.emails:
            continue
        name = one_line(unit.unit, 50)
        counts = f"逾期 {len(unit.overdue)} 项，{reminders.window} 天内到期 {len(unit.due_soon)} 项"
        subject = f"【催办】{name}：{counts}（截至 {reminders.day.isoformat()}）"
        lines = unit_lines(unit, reminders.window)
        intro = f"{name}：截至 {reminders.day.isoformat()}，本单位在「{one_line(reminders.title)}」中有以下任务需要办理。"
        outro = "完成后请登记进展（gkplan done 序号 --unit 本单位）；受阻的请写明原因。本邮件由 gkplan 自动发送。"
        text = "\n".join([intro, "", *(plain_line(line) for line in lines[1:]), "", outro]) + "\n"
        items = "".join(f"<li>{html.escape(line[0].text.removeprefix('- '))}</li>\n" for line in lines[1:])
        body = (
            '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"></head><body>\n'
            f"<p><strong>{html.escape(name)}</strong>：截至 {reminders.day.isoformat()}，"
            f"本单位在「{html.escape(one_line(reminders.title))}」中有以下任务需要办理。</p>\n"
            f"<ul>\n{items}</ul>\n<p>{html.escape(outro)}</p>\n</body></html>\n"
        )
        result.append(Mail(unit.unit, unit.emails, subject, text, body))
    return result


def preview(reminders: Reminders) -> str:
    """What each unit would be told, channel-neutral (``--dry-run`` without channels)."""
    out = [headline(reminders)]
    if not reminders.units:
        out.append(f"没有单位有逾期或 {reminders.window} 天内到期的任务，不发送催办。")
    for unit in reminders.units:
        out.append("")
        out.extend(plain_line(line) for line in unit_lines(unit, reminders.window))
    return "\n".join(out) + "\n"


def dry_run(reminders: Reminders, channels: tuple[Channel, ...], unset: frozenset[str] = frozenset()) -> str:
    """Exactly what each channel would send (``--dry-run``); without channels, the neutral preview."""
    if not channels:
        intro = "演练（--dry-run），不发送。settings.yaml 没有配置催办渠道（remind: channels:），下面是各单位将收到的内容。"
        return f"{intro}\n\n" + preview(reminders)
    out = [f"演练（--dry-run），不发送：{len(reminders.units)} 个单位有逾期或 {reminders.window} 天内到期的任务。"]
    for channel in channels:
        out.append("")
        notes = [f"环境变量 {name} 现在未设置，真正发送时这个渠道会失败" for name in channel.env_names() if name in unset]
        if channel.type is ChannelType.EMAIL:
            letters = mails(reminders)
            missing = [unit.unit for unit in reminders.units if not unit.emails]
            out.append(f"=== {channel.name}（{channel.type.label}）：{len(letters)} 封，经环境变量 {channel.smtp_env} 中的邮件服务器 ===")
            if missing:
                notes.append(f"units.yaml 中没有 email 的单位不发邮件：{'、'.join(one_line(m, 50) for m in missing)}")
            out.extend(f"（{note}）" for note in notes)
            for index, mail in enumerate(letters, start=1):
                out.append(f"--- {index}/{len(letters)} ---")
                out.append(f"From: {channel.sender}")
                out.append(f"To: {', '.join(mail.to)}")
                if channel.cc:
                    out.append(f"Cc: {', '.join(channel.cc)}")
                out.append(f"Subject: {mail.subject}")
                out.append("")
                out.append(mail.text.rstrip("\n"))
                out.append("（另附同样内容的 HTML 版本）")
            continue
        bodies = webhook_bodies(channel.type, reminders) if reminders.units else []
        out.append(f"=== {channel.name}（{channel.type.label}）：{len(bodies)} 条，POST 到环境变量 {channel.webhook_env} 中的地址 ===")
        if channel.secret_env:
            where = "地址后加 timestamp 和 sign 参数" if channel.type is ChannelType.DINGTALK else "正文中加 timestamp 和 sign"
            notes.append(f"加签：发送时用环境变量 {channel.secret_env} 中的密钥计算，{where}")
        out.extend(f"（{note}）" for note in notes)
        for index, body in enumerate(bodies, start=1):
            out.append(f"--- {index}/{len(bodies)} ---")
            out.append(json.dumps(body, ensure_ascii=False, indent=2))
    return "\n".join(out) + "\n"


def outcome_lines(reminders: Reminders, outcomes: list[Outcome]) -> tuple[list[str], list[str]]:
    """What went out (for stdout) and what went wrong (for stderr), channel by channel."""
    done: list[str] = []
    problems: list[str] = []
    for outcome in outcomes:
        channel = outcome.channel
        label = f"{channel.name}（{channel.type.label}）"
        word = "封" if channel.type is ChannelType.EMAIL else "条"
        if outcome.sent or (outcome.ok and outcome.total):
            done.append(f"已发送：{label}{outcome.sent}/{outcome.total} {word}")
        problems.extend(f"错误：{label}：{error}" for error in outcome.errors)
        if channel.type is ChannelType.EMAIL:
            missing = [one_line(unit.unit, 50) for unit in reminders.units if not unit.emails]
            if missing:
                problems.append(f"警告：{label}：units.yaml 中没有 email 的单位未发邮件：{'、'.join(missing)}")
    failed = sum(not outcome.ok for outcome in outcomes)
    if failed:
        problems.append(f"{failed} 个渠道发送失败，其余 {len(outcomes) - failed} 个已发送")
    return done, problems
