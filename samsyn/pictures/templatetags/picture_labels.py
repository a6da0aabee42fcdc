"""Labels for the codes a frozen picture stores: the figures keep codes ("assigned",
"red"), and the page names them in the reader's language when it is shown."""

from __future__ import annotations

from django import template

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
