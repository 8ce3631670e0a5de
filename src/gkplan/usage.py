"""The command line's edges in Chinese: command aliases, usage errors, option placeholders in help.

Typer (and its click) speak English in boxes; a clerk typing ``gkplan 逾期`` or
``--within 一个月`` should get one Chinese line that says what to type instead.
Only ``cli.main`` uses this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Chinese names a clerk would type, one per command that has an obvious one (README: 中文命令名).
ALIASES: dict[str, str] = {
    "清单": "list",
    "列表": "list",
    "逾期": "overdue",
    "到期": "due",
    "查看": "show",
    "单位": "units",
    "汇总": "summary",
    "开始": "start",
    "完成": "done",
    "受阻": "block",
    "重开": "reopen",
    "核销": "verify",
    "说明": "note",
    "导入": "import",
    "检查": "check",
    "报告": "report",
    "日历": "ics",
    "回头看": "review",
    "催办": "remind",
    "差异": "diff",
}

# What each option's value is, shown in help instead of Typer's <str>, <int range>, <list[str]>.
PLACEHOLDERS: dict[str, str] = {
    "--unit": "单位",
    "--status": "状态",
    "--section": "章节",
    "--search": "文字",
    "--due-before": "日期",
    "--due-after": "日期",
    "--data": "目录",
    "--plan": "计划",
    "--today": "日期",
    "--warn-days": "天数",
    "--within": "天数",
    "--date": "日期",
    "--note": "说明",
    "--by": "登记人",
    "--year": "年份",
    "--title": "标题",
    "--output": "文件",
    "--since": "日期或版本",
    "--stale-weeks": "周数",
    "--remind-days": "天数",
    "--channel": "渠道",
    "--timeout": "秒数",
}
FROM_PLACEHOLDER = {"date": "日期", "import": "文件", "init": "文件"}  # --from means a day for ``date``, a table elsewhere


def expand_alias(args: list[str]) -> list[str]:
    """``gkplan 逾期 …`` is ``gkplan overdue …``."""
    if args and args[0] in ALIASES:
        return [ALIASES[args[0]], *args[1:]]
    return args


def chinese_help(command: Any) -> None:
    """Help in Chinese: panel titles, the help option, and option placeholders (``quiet_types``)."""
    from typer import Context, rich_utils

    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    for sub in (command, *getattr(command, "commands", {}).values()):
        helper = sub.get_help_option(Context(sub, help_option_names=["-h", "--help"]))
        if helper is not None:
            helper.help = "显示本帮助并退出"
            helper.metavar = ""
    quiet_types(command)


def quiet_types(command: Any) -> None:
    """Give every option a Chinese placeholder (flags none), so help shows no ``<str>``/``<bool>``."""
    for name, sub in getattr(command, "commands", {}).items():
        quiet_types(sub)
        for param in sub.params:
            long = next((opt for opt in getattr(param, "opts", ()) if opt.startswith("--")), "")
            if getattr(param, "param_type_name", "") == "argument":  # ID, TEXT: the name says it; no <str> beside it
                param.display_type_rich = lambda ctx: None
            elif getattr(param, "is_flag", False):
                param.metavar = ""
            elif param.metavar is None and long == "--from":
                param.metavar = FROM_PLACEHOLDER.get(name, "文件")
            elif param.metavar is None and long in PLACEHOLDERS:
                param.metavar = PLACEHOLDERS[long]
            elif param.metavar is None and long in ("--format", "--fmt"):
                choices = _choices(param)
                param.metavar = "|".join(str(getattr(c, "value", c)) for c in choices) or "格式"
    for param in getattr(command, "params", ()):
        if getattr(param, "is_flag", False):
            param.metavar = ""


def _option(exc: Any) -> str:
    param = getattr(exc, "param", None)
    opts: Sequence[str] = getattr(param, "opts", ()) or ()
    long = next((o for o in opts if o.startswith("--")), "")
    if long:
        return long
    return getattr(param, "metavar", None) or getattr(param, "name", "") or ""


def _value(args: Sequence[str], option: str, aliases: Sequence[str]) -> str | None:
    """The value typed for ``option`` (``--x v`` or ``--x=v``), to quote it back."""
    for index, arg in enumerate(args):
        for name in (option, *aliases):
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


def command_suggestions(typed: str, commands: Sequence[str]) -> list[str]:
    """Closest commands to a mistyped one; a Chinese alias is shown with its command (逾期=overdue)."""
    names = [*commands, *ALIASES]
    import difflib  # only for a mistyped command: not worth its import on every run

    close = difflib.get_close_matches(typed, names, n=3, cutoff=0.5)
    if not close:
        close = [alias for alias in ALIASES if alias in typed or (typed and typed in alias)][:3]
    return [f"{c}（{ALIASES[c]}）" if c in ALIASES else c for c in close]


def usage_message(exc: Any, args: Sequence[str], commands: Sequence[str]) -> str:
    """One Chinese line for a Typer/click usage error (the caller prints it with ``gkplan:`` and exits 2)."""
    kind = type(exc).__name__
    text = str(getattr(exc, "message", "") or exc)
    where = args[0] if args and args[0] in commands else ""
    help_hint = f"gkplan {where} -h 查看用法" if where else "gkplan -h 列出全部命令"
    if kind == "NoSuchOption":
        option = getattr(exc, "option_name", "") or ""
        possible = list(getattr(exc, "possibilities", None) or [])
        suggestion = f"；您是否要找：{'、'.join(possible)}" if possible else ""
        return f"用法错误：没有选项 {option}{suggestion}；{help_hint}"
    if kind == "BadOptionUsage":
        option = getattr(exc, "option_name", "") or ""
        if "requires an argument" in text:
            return f"用法错误：选项 {option} 后面缺少值；{help_hint}"
        return f"用法错误：选项 {option} 用法不对；{help_hint}"
    if kind == "MissingParameter":
        param = getattr(exc, "param", None)
        name = getattr(param, "metavar", None) or _option(exc)
        meaning = getattr(param, "help", None) or ""
        what = "选项" if str(name).startswith("-") else "参数"
        return f"用法错误：缺少{what} {name}" + (f"（{meaning}）" if meaning else "") + f"；{help_hint}"
    if kind == "BadParameter":
        option = _option(exc)
        param = getattr(exc, "param", None)
        typed = _value(args, option, [o for o in getattr(param, "opts", ()) if o != option])
        shown = f"「{typed}」" if typed is not None else ""
        return f"用法错误：{option} 的值{shown}{_why(text, param)}；{help_hint}"
    if text.startswith("No such command"):
        typed = args[0] if args else ""
        close = command_suggestions(typed, commands)
        suggestion = f"；您是否要找：{'、'.join(close)}" if close else ""
        return f"用法错误：没有命令「{typed}」{suggestion}；{help_hint}"
    extra = re.search(r"\(([^()]*)\)\s*$", text) if text.startswith("Got unexpected extra") else None
    if extra:
        return f"用法错误：多余的参数：{extra.group(1)}（含空格的值请加引号）；{help_hint}"
    return f"用法错误：{text}；{help_hint}"


def _choices(param: Any) -> Sequence[Any]:
    """An option's choices: Typer 0.29 keeps them on ``type_descriptor``, click on ``type``."""
    return getattr(getattr(param, "type_descriptor", None), "choices", None) or getattr(getattr(param, "type", None), "choices", None) or ()


def _why(text: str, param: Any) -> str:
    choices = _choices(param)
    if choices:
        return "无效，可用：" + "、".join(str(getattr(c, "value", c)) for c in choices)
    if "valid integer" in text:
        return "不是整数，请写数字，如 30"
    bound = re.search(r"greater than or equal to (-?\d+)", text)
    if bound:
        return f"不能小于 {bound.group(1)}"
    bound = re.search(r"less than or equal to (-?\d+)", text)
    if bound:
        return f"不能大于 {bound.group(1)}"
    return f"无效（{text}）"
