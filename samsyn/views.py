"""Site-wide pages: the start page per role, collaboration switch, health, the
accessibility statement."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from samsyn import dashboard
from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import SESSION_KEY, get_access
from samsyn.organisations.models import Membership
from samsyn.reports.models import Report


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: one block per role the member holds (samsyn/dashboard.py)."""
    access = get_access(request)
    if not access.is_member:
        return render(request, "no_membership.html")
    if dashboard.straight_to_form(request, dashboard.block_names(access)):
        return redirect("reports:new")
    blocks = dict(dashboard.blocks(access))
    recent: list[Report] = []
    open_issues = None
    if set(blocks) - {"reporter"}:
        reports = Report.objects.visible_to(access)
        recent = list(
            reports.select_related("category", "area", "organisation").order_by(
                "-occurred_at"
            )[:8]
        )
        open_issues = reports.open_issues().count()
    labels = dict(Membership.Role.choices)
    return render(
        request,
        "home.html",
        {
            "blocks": blocks,
            "recent": recent,
            "open_issues": open_issues,
            "role_labels": [str(labels.get(r, r)) for r in sorted(access.roles)],
            "can_analyse": access.can(Cap.VIEW_ANALYSIS),
            "can_approve": access.can(Cap.APPROVE_PICTURE),
        },
    )


@login_required
@require_POST
def switch_collaboration(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("collaboration", "")
    if request.user.collaborations().filter(slug=slug).exists():
        request.session[SESSION_KEY] = slug
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt or "/")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


# The supervisory authority's form for complaints about digital public services.
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
DIGG_URL = "https://www.digg.se"
# The names of DIGG's form and site, as DIGG writes them: proper names in Swedish,
# shown with lang="sv" on pages in any language (not messages to translate).
DIGG_FORM_NAME = "Anmäl brister i tillgänglighet"
DIGG_SITE_NAME = "digg.se"

# What is known not to comply, with the WCAG success criterion and why. The tests keep
# this true (samsyn/tests/test_accessibility_statement.py): no criterion listed here
# is one the automated tests hold at zero (samsyn.tests.support.TESTED_CRITERIA).
KNOWN_SHORTCOMINGS: list[tuple[str, Any]] = [
    (
        "2.1.1",
        _(
            "The points on the map of reports open their details with a pointing "
            "device only. With the keyboard, use the list beside the map, which has the "
            "same reports and a link to each."
        ),
    ),
    (
        "1.3.2",
        _(
            "PDF documents (situation pictures, annual reports, walk reports, feedback "
            "summaries) are tagged PDFs with headings, tables, language and title, "
            "checked automatically, but their reading order and the descriptions of "
            "charts and route maps have not been checked with a screen reader. Use the "
            "web page of the same document, which has been checked."
        ),
    ),
]


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tillgänglighetsredogörelse), public, in the
    structure the supervisory authority (DIGG) prescribes."""
    return render(
        request,
        "accessibility.html",
        {
            "contact": settings.SAMSYN_ACCESSIBILITY_CONTACT,
            # Automated axe-core and keyboard tests run on every change; this is
            # the date of the last full review by hand.
            "reviewed": settings.SAMSYN_ACCESSIBILITY_REVIEWED,
            "digg_url": DIGG_REPORT_URL,
            "digg_site": DIGG_URL,
            "digg_form_name": DIGG_FORM_NAME,
            "digg_site_name": DIGG_SITE_NAME,
            "shortcomings": KNOWN_SHORTCOMINGS,
        },
    )
