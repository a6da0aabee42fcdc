"""The administrator's onboarding page: from a new collaboration to a working EST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.organisations.access import Access, Cap
from samsyn.organisations.actions import add_standard_checklist
from samsyn.organisations.middleware import require_access
from samsyn.organisations.onboarding import onboarding_steps

# Only administrators see the page: people and areas are theirs to manage.
ONBOARDING_CAP = Cap.MANAGE_PEOPLE


def _admin_access(request: HttpRequest) -> Access:
    access = require_access(request, ONBOARDING_CAP)
    if access.collaboration is None:
        raise Http404
    return access


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    from samsyn.integrations.management.commands.doctor import (
        ERROR,
        WARN,
        check_collaboration,
    )

    access = _admin_access(request)
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - checked in _admin_access
    steps = onboarding_steps(collab)
    findings = check_collaboration(collab)
    file, slug = _("FILE"), collab.slug
    commands = {
        "municipality": f"samsyn create_collaboration {slug} … --municipality-code "
        "… --municipality-name …",
        "areas": f"samsyn import_boundaries {file} --collaboration {slug}",
        # The county is named as the feed names it, in Swedish ("Örebro län").
        "police": f"samsyn import_police_events {file} --collaboration {slug} "
        '--county "… län"',
    }
    return render(
        request,
        "organisations/onboarding.html",
        {
            "collaboration": collab,
            "commands": commands,
            "steps": steps,
            "done": sum(s.done for s in steps),
            "findings": findings,
            "warnings": sum(f.level == WARN for f in findings),
            "errors": sum(f.level == ERROR for f in findings),
        },
    )


@login_required
@require_POST
def onboarding_checklist(request: HttpRequest) -> HttpResponse:
    access = _admin_access(request)
    added = add_standard_checklist(access.collaboration, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("%(n)s standard categories added to the checklist.") % {"n": len(added)},
    )
    return redirect("organisations:onboarding")
