"""Week numbers in templates: ``{% load weeks %}``, then ``{{ day|week }}`` gives
"vecka 47" ("week 47" in English) and ``{{ day|week:"year" }}`` "vecka 47, 2026".

The value may be a date, a datetime, a "2026-W47" key or a (year, week) pair; see
:mod:`samsyn.lib.weeks`. Anything else is shown as it is.
"""

from __future__ import annotations

from typing import Any

from django import template

from samsyn.lib.weeks import week_label

register = template.Library()


@register.filter
def week(value: Any, arg: str = "") -> Any:
    if value in (None, ""):
        return ""
    try:
        return week_label(value, with_year=arg == "year")
    except (TypeError, ValueError):
        return value
