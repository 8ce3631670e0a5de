"""The office's own report rules (``settings.yaml``) and the one place lights get their colours.

Pure: ``store.settings`` reads the file; everything that prints a light (terminal,
HTML, Excel) asks ``swatch(light, scheme)`` for its label and colours, so a
蓝黄红 office sees 蓝 everywhere a 红黄绿 office sees 绿.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gkplan.query import DEFAULT_WARN_DAYS, Light

DEFAULT_STALE_WEEKS = 0  # off: an office opts in, since it changes what 黄 means
DEFAULT_REMIND_DAYS = 7  # calendar reminder a week before a deadline; also gkplan remind's window


class Scheme(StrEnum):
    """How an office colours its lights; the first colour is "on track"."""

    RED_YELLOW_GREEN = "红黄绿"  # red = late, yellow = due soon, green = on track
    BLUE_YELLOW_RED = "蓝黄红"  # blue = on track, yellow = due soon, red = late

    @classmethod
    def parse(cls, text: str) -> Scheme | None:
        key = text.strip().lower().replace("_", "-").replace(" ", "")
        return _SCHEME_NAMES.get(key)


_SCHEME_NAMES = {
    "红黄绿": Scheme.RED_YELLOW_GREEN,
    "红绿灯": Scheme.RED_YELLOW_GREEN,
    "red-yellow-green": Scheme.RED_YELLOW_GREEN,
    "蓝黄红": Scheme.BLUE_YELLOW_RED,
    "blue-yellow-red": Scheme.BLUE_YELLOW_RED,
}
SCHEME_CHOICES = "红黄绿（默认）或 蓝黄红"


@dataclass(frozen=True, slots=True)
class Swatch:
    """How one light looks: its word, a rich style, a fill and a text colour (hex, no #)."""

    label: str
    style: str  # rich style on a terminal
    fill: str  # background of a cell or badge (HTML, Excel)
    ink: str  # text on that background
    bar: str  # a strong colour for charts


_GREY = Swatch("完成", "dim", "E7E9EC", "4A5058", "9AA3AD")
_NONE = Swatch("—", "", "FFFFFF", "4A5058", "C8CDD3")
_RED = Swatch("红", "bold red", "F8D0CD", "8A1510", "D9342B")
_YELLOW = Swatch("黄", "yellow", "FCEBB0", "6B4E00", "E6A700")

PALETTES: dict[Scheme, dict[Light, Swatch]] = {
    Scheme.RED_YELLOW_GREEN: {
        Light.RED: _RED,
        Light.YELLOW: _YELLOW,
        Light.GREEN: Swatch("绿", "green", "CFEBD4", "185C27", "2E9A48"),
        Light.DONE: _GREY,
        Light.NONE: _NONE,
    },
    Scheme.BLUE_YELLOW_RED: {
        Light.RED: _RED,
        Light.YELLOW: _YELLOW,
        Light.GREEN: Swatch("蓝", "blue", "CFE0F7", "173F73", "2F6FC0"),
        Light.DONE: _GREY,
        Light.NONE: _NONE,
    },
}


def swatch(light: Light, scheme: Scheme = Scheme.RED_YELLOW_GREEN) -> Swatch:
    return PALETTES[scheme][light]


class ChannelType(StrEnum):
    """Where ``gkplan remind`` sends: three group robots (webhooks) and e-mail."""

    WECOM = "wecom"  # 企业微信 / 政务微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 / 浙政钉 custom robot
    FEISHU = "feishu"  # 飞书 custom bot
    EMAIL = "email"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def webhook(self) -> bool:
        return self is not ChannelType.EMAIL


CHANNEL_LABELS = {
    ChannelType.WECOM: "企业微信",
    ChannelType.DINGTALK: "钉钉",
    ChannelType.FEISHU: "飞书",
    ChannelType.EMAIL: "邮件",
}


@dataclass(frozen=True, slots=True)
class Channel:
    """One ``remind: channels:`` entry. Secrets are never here: only the names of the
    environment variables that hold them (the webhook URL, the signing secret, the SMTP URL)."""

    name: str
    type: ChannelType
    webhook_env: str = ""  # group robots: the variable holding the webhook URL
    secret_env: str = ""  # 钉钉/飞书, optional: the variable holding the signing secret
    smtp_env: str = ""  # e-mail: the variable holding smtp://user:pass@host:port or smtps://…
    sender: str = ""  # e-mail: From (``from:`` in the file)
    cc: tuple[str, ...] = ()  # e-mail: the office, copied on every unit's mail

    def env_names(self) -> tuple[str, ...]:
        """The variables this channel reads, in the order they are needed."""
        return tuple(name for name in (self.webhook_env, self.secret_env, self.smtp_env) if name)


@dataclass(frozen=True, slots=True)
class Settings:
    """``settings.yaml``; every field has the default an office gets without the file.

    - ``warn_days``: a task due within this many days is yellow (``--warn-days`` overrides);
    - ``scheme``: the colours of the lights;
    - ``stale_weeks``: a continuing duty (全年) turns yellow when a responsible unit has
      recorded no progress for this many weeks (0 = off; ``--stale-weeks`` overrides);
    - ``remind_days``: the calendar reminder, days before a deadline (``--remind-days``);
      also how far ahead ``gkplan remind`` looks;
    - ``channels``: where ``gkplan remind`` sends (``remind: channels:``).
    """

    warn_days: int = DEFAULT_WARN_DAYS
    scheme: Scheme = Scheme.RED_YELLOW_GREEN
    stale_weeks: int = DEFAULT_STALE_WEEKS
    remind_days: int = DEFAULT_REMIND_DAYS
    source: str = ""  # the file it came from ("" = defaults)
    channels: tuple[Channel, ...] = ()

    def with_overrides(
        self,
        *,
        warn_days: int | None = None,
        stale_weeks: int | None = None,
        remind_days: int | None = None,
    ) -> Settings:
        """Command-line options win over the file."""
        return Settings(
            warn_days=self.warn_days if warn_days is None else warn_days,
            scheme=self.scheme,
            stale_weeks=self.stale_weeks if stale_weeks is None else stale_weeks,
            remind_days=self.remind_days if remind_days is None else remind_days,
            source=self.source,
            channels=self.channels,
        )
