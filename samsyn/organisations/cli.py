"""Command-line helpers shared by management commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from samsyn.organisations.models import Collaboration


def collaborations_named(slug: str | None) -> list[Collaboration]:
    """The collaboration with this short name, or every one when none is given.

    Scheduled commands run for every collaboration by default, so one cron line
    serves a server with several; an unknown name is an error, not a silent no-op.
    """
    if not slug:
        return list(Collaboration.objects.order_by("slug"))
    found = list(Collaboration.objects.filter(slug=slug))
    if not found:
        raise CommandError(f"No collaboration {slug!r}.")
    return found
