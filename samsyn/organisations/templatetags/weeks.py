"""Weeks and days in templates: ``{% load weeks %}``, then ``{{ day|week }}`` gives
"vecka 47" ("week 47" in English) and ``{{ day|week:"year" }}`` "vecka 47, 2026";
``{{ when|day:"D j M H:i" }}`` gives "tis 24 nov 09:00" ("Tue 24 Nov 09:00"):
Swedish writes month abbreviations in lower case, which Django's ``M`` does not.

The value may be a date, a datetime, a "2026-W47" key or a (year, week) pair; see
:mod:`samsyn.lib.weeks`. Anything else is shown as it is.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

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


@register.filter(expects_localtime=True)
def day(value: Any, arg: str = "j M Y") -> str:
    """A date or time with ``date``'s format letters, month abbreviations in the
    case of the reader's language. Like ``date``, an aware datetime is shown in
    local time (``expects_localtime``: the template engine converts it first)."""
    if value in (None, ""):
        return ""
    if (get_language() or "sv").startswith("sv"):
        arg = arg.replace("M", "b")
    return date_filter(value, arg)
