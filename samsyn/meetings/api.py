"""Meetings and decisions over JSON (read-only): what is asked of whom, by when."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from samsyn.api import FieldError, api_access
from samsyn.meetings.models import Decision, Meeting

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    code: str
    forum: str
    forum_code: str
    starts_at: datetime
    ends_at: datetime
    status: str
    decisions: int


class DecisionOut(Schema):
    code: str
    text: str
    owner: str
    owner_name: str
    due: date | None
    status: str
    overdue: bool
    meeting: str
    forum: str
    decided_on: date


@router.get("", response=list[MeetingOut])
def list_meetings(
    request: HttpRequest, status: str = "", upcoming: bool = False
) -> list[MeetingOut]:
    access = api_access(request)
    qs = (
        Meeting.objects.visible_to(access)
        .select_related("forum")
        .annotate(n_decisions=Count("decisions"))
    )
    if status:
        if status not in Meeting.Status.values:
            raise FieldError("status", _("Unknown status."))
        qs = qs.filter(status=status)
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now())
    return [
        MeetingOut(
            code=str(m.code),
            forum=m.forum.name,
            forum_code=str(m.forum.code),
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            status=m.status,
            decisions=m.n_decisions,  # type: ignore[attr-defined]
        )
        for m in qs.order_by("starts_at")[:500]
    ]


@router.get("/decisions", response=list[DecisionOut])
def list_decisions(
    request: HttpRequest, status: str = "", owner: str = ""
) -> list[DecisionOut]:
    """Decisions, e.g. ``?status=open`` or ``?status=overdue&owner=police``."""
    access = api_access(request)
    qs = Decision.objects.visible_to(access).select_related("owner", "meeting__forum")
    if status == "overdue":
        qs = qs.overdue()
    elif status:
        if status not in Decision.Status.values:
            raise FieldError("status", _("Unknown status."))
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner__slug=owner)
    today = timezone.localdate()
    return [
        DecisionOut(**{**d.as_dict(), "overdue": d.is_overdue(today)})
        for d in qs.order_by("due", "created")[:1000]
    ]
