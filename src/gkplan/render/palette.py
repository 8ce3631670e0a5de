"""The one place lights get their colours: word, terminal style, fill, ink and bar colour.

Everything that prints a light (terminal, HTML, Excel) asks ``swatch(light, scheme)``,
so a 蓝黄红 office sees 蓝 everywhere a 红黄绿 office sees 绿.
"""

from __future__ import annotations

from dataclasses import dataclass

from gkplan.model import Light, Scheme


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
