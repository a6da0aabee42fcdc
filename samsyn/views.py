"""Site-wide pages: the start page per role, collaboration switch, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import SESSION_KEY, get_access
from samsyn.reports.models import Report


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Reporters start on the report form; everyone else on the map of the week."""
    access = get_access(request)
    if not access.is_member:
        return render(request, "no_membership.html")
    roles = access.roles
    if roles and roles <= {"reporter"}:
        return redirect("reports:new")
    recent = (
        Report.objects.visible_to(access)
        .select_related("category", "area", "organisation")
        .order_by("-occurred_at")[:8]
    )
    return render(
        request,
        "home.html",
        {
            "recent": recent,
            "open_issues": Report.objects.visible_to(access).open_issues().count(),
            "can_analyse": access.can(Cap.VIEW_ANALYSIS),
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
