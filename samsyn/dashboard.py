"""The start page's blocks, one per role: what each role needs to see first.

Every block reads through the access layer (``visible_to``/``moderatable_by``) and
costs a handful of small queries; the start page test holds the total down. A user
with several roles gets several blocks, in the order of ``blocks()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from samsyn.organisations.access import Access, Cap, Role

RECENT_REPORTS = 5
SOON_DAYS = 7
# The first start page of a session: a reporter's first stop after signing in is the
# report form itself (reporting in 30 seconds); afterwards "Start" shows their page.
START_SEEN = "dashboard_start_seen"


def straight_to_form(request: Any, names: set[str]) -> bool:
    """True on the session's first visit to the start page, for someone whose only
    block is the reporter's. (Signing in cycles the session key but keeps its data;
    signing out empties it.)"""
    first = not request.session.get(START_SEEN)
    if first:
        request.session[START_SEEN] = True
    return first and names == {"reporter"}


def _reporter(access: Access) -> dict[str, Any]:
    from samsyn.reports.models import Report

    mine = list(
        Report.objects.visible_to(access)
        .filter(reporter=access.user)
        .select_related("category", "area", "owner")
        .order_by("-created")[:RECENT_REPORTS]
    )
    return {"mine": mine}


def _week_picture(access: Access) -> Any:
    from samsyn.pictures.models import SituationPicture
    from samsyn.pictures.views import default_period_text

    label = default_period_text("week", access.collaboration)
    picture = (
        SituationPicture.objects.visible_to(access)
        .filter(kind="week", scope__isnull=True, label=label)
        .only("code", "label", "version", "status", "updated", "approved_at")
        .order_by("-version")
        .first()
    )
    return label, picture


def _imports_needing_attention(access: Access) -> list[Any]:
    from samsyn.police.models import ImportBatch

    if not access.can(Cap.IMPORT_DATA):
        return []
    since = timezone.now() - timedelta(days=30)
    return list(
        ImportBatch.objects.filter(
            collaboration=access.collaboration,
            status__in=[ImportBatch.Status.PREVIEW, ImportBatch.Status.FAILED],
            created_at__gte=since,
        )
        .only("pk", "kind", "status", "file_name", "created_at", "error")
        .order_by("-created_at")[:5]
    )


def _coordinator(access: Access) -> dict[str, Any]:
    from samsyn.coverage.actions import next_deadline, reviewed_week
    from samsyn.coverage.summary import coverage_for_week
    from samsyn.interventions.models import Intervention
    from samsyn.meetings.models import Decision
    from samsyn.problems.views import open_proposals
    from samsyn.residents.models import ResidentReport

    collab = access.collaboration
    assert collab is not None  # noqa: S101 - members only
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    label, picture = _week_picture(access)
    iso_year, iso_week = reviewed_week(next_deadline(collab, timezone.now()))
    coverage = coverage_for_week(collab, iso_year, iso_week)
    missing = [o for o in coverage["organisations"] if o["missing"]]
    expected = sum(o["expected"] for o in coverage["organisations"])
    checked = sum(len(o["checked"]) for o in coverage["organisations"])
    decisions = list(
        Decision.objects.visible_to(access)
        .open()
        .filter(due__isnull=False, due__lte=soon)
        .select_related("owner", "meeting")
        .order_by("due", "pk")[:6]
    )
    ivs = Intervention.objects.visible_to(access)
    running = [Intervention.Status.DECIDED, Intervention.Status.ONGOING]
    ending = list(
        ivs.filter(status__in=running, ends_on__isnull=False, ends_on__lte=soon)
        .select_related("owner")
        .order_by("ends_on", "pk")[:6]
    )
    to_evaluate = ivs.due_for_evaluation(today).count()
    return {
        "picture_label": label,
        "picture": picture,
        "coverage": {
            "week": coverage["week"],
            "expected": expected,
            "checked": checked,
            "missing": missing,
        },
        "moderation": ResidentReport.objects.moderatable_by(access).pending().count(),
        "decisions": decisions,
        "interventions": ending,
        "to_evaluate": to_evaluate,
        "today": today,
        "imports": _imports_needing_attention(access),
        "problems": open_proposals(access),
    }


def _latest_picture(access: Access, *, approved: bool = False) -> Any:
    from samsyn.pictures.models import SituationPicture

    qs = SituationPicture.objects.visible_to(access).filter(scope__isnull=True)
    if approved:
        qs = qs.filter(status=SituationPicture.Status.APPROVED)
    return qs.order_by("-period_start", "-version").first()


def _analyst(access: Access) -> dict[str, Any]:
    picture = _latest_picture(access)
    deviations: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    hot_cells = 0
    if picture is not None:
        fig = picture.figures_for(access)
        deviations = sorted(
            fig.get("deviations", []), key=lambda d: -(d.get("ratio") or 0)
        )[:5]
        places = fig.get("top_places", [])[:5]
        hot_cells = len((fig.get("map") or {}).get("cells", []))
    return {
        "picture": picture,
        "deviations": deviations,
        "places": places,
        "hot_cells": hot_cells,
    }


def _steering(access: Access) -> dict[str, Any]:
    from samsyn.annual.models import AnnualReport

    annual = (
        AnnualReport.objects.visible_to(access)
        .defer("figures")
        .order_by("-year", "-version")
        .first()
    )
    return {"approved": _latest_picture(access, approved=True), "annual": annual}


def _admin(access: Access) -> dict[str, Any]:
    from samsyn.integrations.models import Webhook, WebhookDelivery
    from samsyn.organisations.models import AuditEvent, Membership

    collab = access.collaboration
    roles = dict(
        Membership.objects.filter(organisation__collaboration=collab, active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("role", "n")
    )
    labels = dict(Membership.Role.choices)
    counts = Webhook.objects.visible_to(access).aggregate(
        n_active=Count("id", filter=Q(active=True)),
        n_paused=Count("id", filter=Q(active=False)),
    )
    hooks = {"active": counts["n_active"], "paused": counts["n_paused"]}
    week_ago = timezone.now() - timedelta(days=7)
    failed = (
        WebhookDelivery.objects.visible_to(access)
        .filter(status=WebhookDelivery.Status.FAILED, created__gte=week_ago)
        .count()
    )
    audit = list(
        AuditEvent.objects.filter(collaboration=collab)
        .select_related("actor")
        .only("action", "created", "actor__username")
        .order_by("-created", "-id")[:5]
    )
    return {
        "roles": [(labels.get(r, r), n) for r, n in sorted(roles.items())],
        "members": sum(roles.values()),
        "hooks": hooks,
        "failed_deliveries": failed,
        "audit": audit,
        "imports": _imports_needing_attention(access),
    }


BUILDERS: dict[str, Any] = {
    "reporter": _reporter,
    "coordinator": _coordinator,
    "analyst": _analyst,
    "steering": _steering,
    "admin": _admin,
}


def block_names(access: Access) -> set[str]:
    """Which blocks this member gets (no queries)."""
    roles = access.roles
    names = set()
    if roles & {Role.REPORTER, Role.ORG_LEAD} and access.can(Cap.CREATE_REPORT):
        names.add("reporter")
    if Role.COORDINATOR in roles:
        names.add("coordinator")
    if Role.ANALYST in roles:
        names.add("analyst")
    if roles & {Role.STEERING, Role.ORG_LEAD}:
        names.add("steering")
    if Role.ADMIN in roles:
        names.add("admin")
    return names


def blocks(access: Access) -> list[tuple[str, dict[str, Any]]]:
    """The blocks for this member, as (name, context) in display order."""
    names = block_names(access)
    return [(name, build(access)) for name, build in BUILDERS.items() if name in names]
