"""Words for guard plans, made when a plan is shown, in the reader's language.

A visit stores its figures (``PatrolVisit.components``: history, trend, deviation,
decision, and for a hotspot square its kind, area and size); the reason ("history
0,32/wk · trend +0,11") and the square's name are worded from them at display
time. Visits stored before the figures were kept show their stored words.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import formats, numberformat
from django.utils.translation import gettext as _

from samsyn.areas.naming import near_label


def _number(value: float) -> str:
    """Two decimals, the locale's decimal mark (0,32 in Swedish)."""
    return formats.number_format(round(float(value), 2), 2)


def _km(metres: float) -> str:
    """A grid coordinate in km with two (truncated) decimals, no grouping."""
    m = int(metres)
    value = Decimal(m // 1000) + Decimal(m % 1000 // 10) / 100
    return numberformat.format(
        value, formats.get_format("DECIMAL_SEPARATOR"), decimal_pos=2, grouping=0
    )


def square_label(x: float, y: float, cell_m: float, area: str = "") -> str:
    """A hotspot square named by its size and km coordinates, in its area (used when
    the collaboration has no named places)."""
    square = _("%(size)s m square %(east)s/%(north)s") % {
        "size": int(cell_m),
        "east": _km(x),
        "north": _km(y),
    }
    if not area:
        return square
    # Translators: a hotspot square in a named area, e.g. "Centrum (250 m square …)".
    return _("%(area)s (%(square)s)") % {"area": area, "square": square}


def location_label(data: Mapping[str, Any], fallback: str) -> str:
    """The name of a visit's or ranking row's location; `fallback` when the
    stored figures do not say it is a square."""
    if data.get("kind") != "cell" or "x" not in data or "y" not in data:
        return fallback
    if data.get("near"):
        return near_label(
            str(data["near"]),
            float(data.get("near_m") or 0),
            str(data.get("area") or ""),
        )
    return square_label(
        float(data["x"]),
        float(data["y"]),
        float(data.get("cell_m") or 250),
        str(data.get("area") or ""),
    )


def reason(components: Mapping[str, Any], fallback: str) -> str:
    """Why a visit is planned, from its risk figures; `fallback` without them."""
    if "history" not in components:
        return fallback
    parts = [
        # Translators: harm-weighted reports per week at this place and hour.
        _("history %(rate)s/wk") % {"rate": _number(components["history"])}
    ]
    extra = (
        # Translators: extra risk from a recent rise at the place.
        ("trend", _("trend +%(value)s")),
        # Translators: extra risk from this week's deviation in the area.
        ("deviation", _("deviation +%(value)s")),
        # Translators: extra risk from an open meeting decision.
        ("decision", _("decision +%(value)s")),
    )
    for key, text in extra:
        value = float(components.get(key) or 0)
        if value > 0:
            parts.append(text % {"value": _number(value)})
    return " · ".join(parts)
