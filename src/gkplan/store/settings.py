"""``settings.yaml``: the office's report rules, read with the same safe reader as the plans.

The file is optional; each key is optional. A bad value is a located ``Problem``
(file, line, fix). ``gkplan check`` lists them with the other problems; a report
refuses to run on them (see ``cli.office_rules``), since a report drawn with the
default rules instead of the office's own would show the meeting the wrong lights.
Parsed settings go through the same content-keyed cache as plans, so a warm run
does not import the YAML parser for them either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gkplan.errors import Problem, Severity
from gkplan.settings import SCHEME_CHOICES, Scheme, Settings
from gkplan.store import cache
from gkplan.store.reader import Document, decode, display_path, parse_text, read_bytes

SETTINGS_FILE = "settings.yaml"
SETTINGS_FIELDS = ("warn_days", "lights", "stale_weeks", "remind_days")
_LIMITS = {"warn_days": 366, "stale_weeks": 52, "remind_days": 366}


def load_settings(root: Path, *, keep: dict[str, Document] | None = None) -> tuple[Settings, list[Problem]]:
    """The settings in ``root`` (defaults when there is no file) and the problems found.

    Raises ``DataError`` when the file cannot be read at all (bad encoding, YAML
    syntax). With ``keep`` (``gkplan check``) the parsed document is kept there.
    """
    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    shown = display_path(path)
    raw = read_bytes(path, shown)
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
        ),
        out.problems,
    )


def _number(data: dict[Any, Any], name: str, default: int, out: Any) -> int:
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
    from gkplan.store.compact import pack_problems

    values = (settings.warn_days, settings.scheme.value, settings.stale_weeks, settings.remind_days, settings.source)
    return (values, pack_problems(problems))


def _unpack(packed: tuple[Any, ...]) -> tuple[Settings, list[Problem]]:
    from gkplan.store.compact import unpack_problems

    (warn_days, scheme, stale_weeks, remind_days, source), problems = packed
    return Settings(warn_days, Scheme(scheme), stale_weeks, remind_days, source), unpack_problems(problems)
