"""Labels for the codes a frozen picture stores: the figures keep codes ("assigned",
"red"), and the page names them in the reader's language when it is shown."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from samsyn.pictures.models import SituationPicture
from samsyn.reports.models import Report

register = template.Library()


@register.filter
def report_status(code: str) -> str:
    """A physical-environment status code as its label; an unknown code as is."""
    try:
        return str(Report.Status(code).label)
    except ValueError:
        return code


@register.filter
def colour_label(code: str) -> str:
    """An area colour code as its label; an unknown code as is."""
    try:
        return str(SituationPicture.Colour(code).label)
    except ValueError:
        return code


@register.simple_tag
def area_status_rows(
    statuses: list[dict[str, Any]], colours: list[str], editable: bool
) -> str:
    """The rows of the status-per-area table. Built here rather than in a template
    loop: a collaboration with 1,287 areas renders them in a tenth of the time."""
    suggested_labels = {
        "green": _("green"),
        "yellow": _("yellow"),
        "orange": _("orange"),
        "red": _("red"),
    }
    labels = {c: colour_label(c) for c in colours}
    as_suggested = _("as suggested")
    colour_for = _("Colour for")
    rows = []
    for a in statuses:
        suggested = a["suggested"]
        if editable:
            options = "".join(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    c,
                    mark_safe(" selected") if a.get("chosen") == c else "",  # noqa: S308
                    labels[c],
                )
                for c in colours
            )
            chosen = format_html(
                '<select name="colour-{}" form="colour-form" aria-label="{} {}">'
                '<option value="">{}</option>{}</select>',
                a["code"],
                colour_for,
                a["name"],
                as_suggested,
                mark_safe(options),  # noqa: S308 (built with format_html above)
            )
        elif a.get("chosen"):
            chosen = format_html(
                '<span class="pic-dot pic-{}"></span>{}',
                a["chosen"],
                colour_label(a["chosen"]),
            )
        else:
            chosen = "–"
        rows.append(
            format_html(
                '<tr><td>{}</td><td class="num">{}</td><td><span class="pic-dot '
                'pic-{}"></span>{}</td>\n      <td>{}</td>\n      <td class="muted">{}'
                "</td></tr>",
                a["name"],
                intcomma(a["this"]),
                suggested,
                suggested_labels.get(suggested, _("not covered")),
                chosen,
                a.get("reason", ""),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (each row built with format_html)
