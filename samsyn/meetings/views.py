"""Pages for forums, meetings (agenda, minutes, decisions) and the decisions list."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samsyn.meetings import actions
from samsyn.meetings.calendar import forum_calendar, meetings_calendar
from samsyn.meetings.forms import (
    DecisionFilterForm,
    DecisionForm,
    DecisionStatusForm,
    ForumForm,
    MinutesForm,
)
from samsyn.meetings.models import CalendarLink, Decision, Forum, Meeting
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access

PLAN_WEEKS = 13  # "Plan meetings" on the forum page fills the next quarter


def _access(request: HttpRequest) -> Access:
    access = get_access(request)
    if access.collaboration is None or not access.is_member:
        raise Http404
    return access


def _manager(request: HttpRequest) -> Access:
    access = get_access(request)
    if not access.can(Cap.MANAGE_MEETINGS):
        raise Http404
    return access


@login_required
def forums(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    rows = Forum.objects.visible_to(access).select_related("area")
    now = timezone.now()
    nxt = {
        m.forum_id: m
        for m in Meeting.objects.filter(forum__in=rows)
        .upcoming(now)
        .order_by("-starts_at")
    }
    return render(
        request,
        "meetings/forums.html",
        {
            "forums": [(f, nxt.get(f.pk)) for f in rows],
            "can_manage": access.can(Cap.MANAGE_MEETINGS),
            "calendar_link": _calendar_link(request, access),
        },
    )


def _calendar_link(request: HttpRequest, access: Access) -> CalendarLink | None:
    """The person's calendar link in this collaboration, with its full URL."""
    link = CalendarLink.objects.filter(
        user=access.user, collaboration=access.collaboration
    ).first()
    if link is not None:
        link.url = request.build_absolute_uri(  # type: ignore[attr-defined]
            reverse("meetings:calendar_feed", args=[link.token])
        )
    return link


@login_required
@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Create or rotate (``action=rotate``) or turn off (``action=revoke``) the
    person's secret calendar link."""
    access = _access(request)
    action = request.POST.get("action", "rotate")
    if action == "revoke":
        if actions.revoke_calendar_link(request.user, access.collaboration):
            messages.success(request, _("The calendar link was turned off."))
    elif action == "rotate":
        actions.rotate_calendar_link(request.user, access.collaboration)
        messages.success(
            request,
            _("A new calendar link was made. An earlier link no longer works."),
        )
    else:
        return HttpResponse(_("Unknown action."), status=422)
    nxt = request.POST.get("next", "")
    if nxt.startswith("/meetings/") and "//" not in nxt:
        return redirect(nxt)
    return redirect("meetings:forums")


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar behind a secret link: no session, the link is the credential.

    It shows the meetings of the forums its owner may see now (``?forum=CODE``
    for one of them). A forged, rotated or revoked link, an inactive owner or one
    who has left the collaboration: 404.
    """
    link = CalendarLink.from_token(token)
    if link is None:
        raise Http404
    access = Access.for_user(link.user, link.collaboration)
    if not access.is_member:
        raise Http404
    forums = Forum.objects.visible_to(access).order_by("name")
    wanted = request.GET.get("forum", "")
    if wanted:
        try:
            forums = forums.filter(code=uuid.UUID(wanted))
        except ValueError as exc:
            raise Http404 from exc
        if not forums:
            raise Http404
        name = forums[0].name
    else:
        forums = forums.filter(active=True)
        name = f"{link.collaboration.name}: {_('Meetings')}"
    actions.touch_calendar_link(link)
    body = meetings_calendar(forums, request.build_absolute_uri("/"), name).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def forum_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    access = _manager(request)
    forum = (
        get_object_or_404(Forum.objects.visible_to(access), code=code)
        if code
        else Forum(collaboration=access.collaboration)
    )
    form = ForumForm(
        request.POST or None, instance=forum, collaboration=access.collaboration
    )
    if request.method == "POST" and form.is_valid():
        forum = form.save(commit=False)
        actions.save_forum(
            forum,
            by=request.user,
            organisations=form.cleaned_data["organisations"],
            members=form.cleaned_data["members"],
        )
        return redirect("meetings:forum", code=forum.code)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "meetings/forum_form.html",
        {"form": form, "forum": forum},
        status=status,
    )


@login_required
def forum(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request)
    f = get_object_or_404(
        Forum.objects.visible_to(access).prefetch_related("organisations"), code=code
    )
    meetings = Meeting.objects.filter(forum=f)
    return render(
        request,
        "meetings/forum.html",
        {
            "forum": f,
            "upcoming": meetings.upcoming()[:10],
            "past": meetings.past()[:20],
            "can_manage": access.can(Cap.MANAGE_MEETINGS),
            "plan_weeks": PLAN_WEEKS,
            "calendar_link": _calendar_link(request, access),
        },
    )


@login_required
@require_POST
def forum_plan(request: HttpRequest, code: str) -> HttpResponse:
    access = _manager(request)
    f = get_object_or_404(Forum.objects.visible_to(access), code=code)
    until = timezone.localdate() + timedelta(weeks=PLAN_WEEKS)
    new = actions.plan_meetings(f, until, by=request.user)
    messages.success(
        request,
        ngettext("%(n)d meeting planned.", "%(n)d meetings planned.", len(new))
        % {"n": len(new)},
    )
    return redirect("meetings:forum", code=f.code)


@login_required
def forum_calendar_ics(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request)
    f = get_object_or_404(Forum.objects.visible_to(access), code=code)
    body = forum_calendar(f, request.build_absolute_uri("/")).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="forum-{f.code}.ics"'
    return response


def _meeting(request: HttpRequest, code: str, access: Access) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(access).select_related("forum", "collaboration"),
        code=code,
    )


def _meeting_context(
    meeting: Meeting,
    access: Access,
    *,
    decision_form: DecisionForm | None = None,
    minutes_form: MinutesForm | None = None,
) -> dict:
    can_manage = access.can(Cap.MANAGE_MEETINGS)
    collab = access.collaboration
    decisions = list(
        meeting.decisions.select_related("owner").prefetch_related("events")
    )
    if meeting.status == Meeting.Status.PLANNED:
        # Live for a coming meeting: a decision closed since the agenda was made
        # drops off, one made at an earlier meeting since then appears.
        carried = list(Decision.objects.carried_to(meeting).select_related("owner"))
    else:
        codes = [d["code"] for d in (meeting.agenda or {}).get("decisions", [])]
        carried = list(Decision.objects.filter(code__in=codes).select_related("owner"))
    for d in decisions + carried:
        d.closable = d.can_be_closed_by(access)  # type: ignore[attr-defined]
    return {
        "meeting": meeting,
        "forum": meeting.forum,
        "agenda": meeting.agenda_for(access),
        "carried": carried,
        "decisions": decisions,
        "attendees": meeting.attendees.all(),
        "attending_organisations": meeting.attending_organisations.all(),
        "can_manage": can_manage,
        "today": timezone.localdate(),
        "decision_form": decision_form
        or (DecisionForm(collaboration=collab) if can_manage else None),
        "minutes_form": minutes_form
        or (
            MinutesForm(
                collaboration=collab,
                initial={
                    "minutes": meeting.minutes,
                    "agenda_notes": meeting.agenda_notes,
                    "attendees": list(meeting.attendees.all()),
                    "organisations": list(meeting.attending_organisations.all()),
                },
            )
            if can_manage
            else None
        ),
        "statuses": Meeting.Status.choices,
        "back": f"/meetings/{meeting.code}/",
    }


@login_required
def meeting(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request)
    m = _meeting(request, code, access)
    return render(request, "meetings/meeting.html", _meeting_context(m, access))


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, code: str) -> HttpResponse:
    access = _manager(request)
    m = _meeting(request, code, access)
    actions.generate_agenda(m, by=request.user)
    messages.success(request, _("The agenda was generated."))
    return redirect("meetings:meeting", code=m.code)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, code: str) -> HttpResponse:
    access = _manager(request)
    m = _meeting(request, code, access)
    form = MinutesForm(request.POST, collaboration=access.collaboration)
    if not form.is_valid():
        ctx = _meeting_context(m, access, minutes_form=form)
        return render(request, "meetings/meeting.html", ctx, status=422)
    actions.record_minutes(
        m,
        by=request.user,
        minutes=form.cleaned_data["minutes"],
        agenda_notes=form.cleaned_data["agenda_notes"],
        attendees=list(form.cleaned_data["attendees"]),
        organisations=list(form.cleaned_data["organisations"]),
    )
    messages.success(request, _("The minutes were saved."))
    return redirect("meetings:meeting", code=m.code)


@login_required
@require_POST
def meeting_status(request: HttpRequest, code: str) -> HttpResponse:
    access = _manager(request)
    m = _meeting(request, code, access)
    status = request.POST.get("status", "")
    if status not in Meeting.Status.values:
        return HttpResponse(_("Unknown status."), status=422)
    if status == Meeting.Status.HELD and not m.agenda:
        actions.generate_agenda(m, by=request.user)
    actions.set_meeting_status(m, status, by=request.user)
    return redirect("meetings:meeting", code=m.code)


@login_required
@require_POST
def decision_add(request: HttpRequest, code: str) -> HttpResponse:
    access = _manager(request)
    m = _meeting(request, code, access)
    form = DecisionForm(request.POST, collaboration=access.collaboration)
    ok = form.is_valid()
    if ok:
        actions.add_decision(
            m,
            by=request.user,
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
            due=form.cleaned_data["due"],
        )
    if request.htmx:  # type: ignore[attr-defined]
        # Keep the chosen owner and due date: decisions often come in a row.
        fresh = DecisionForm(
            collaboration=access.collaboration,
            initial={
                "owner": form.cleaned_data.get("owner"),
                "due": form.cleaned_data.get("due"),
            },
        )
        ctx = _meeting_context(m, access, decision_form=fresh if ok else form)
        return render(
            request,
            "meetings/meeting.html#decisions",
            ctx,
            status=200 if ok else 422,
        )
    if not ok:
        ctx = _meeting_context(m, access, decision_form=form)
        return render(request, "meetings/meeting.html", ctx, status=422)
    messages.success(request, _("The decision was recorded."))
    return redirect(f"/meetings/{m.code}/#decisions")


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    form = DecisionFilterForm(request.GET or None, collaboration=access.collaboration)
    data = form.cleaned_data if form.is_valid() else {}
    qs = Decision.objects.visible_to(access).select_related("owner", "meeting__forum")
    status = data.get("status") or "open"
    if status == "overdue":
        qs = qs.overdue()
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("owner"):
        qs = qs.filter(owner__slug=data["owner"])
    if data.get("mine"):
        qs = qs.filter(owner_id__in=access.organisation_ids)
    rows = list(qs.order_by("due", "created")[:500])
    for d in rows:
        d.closable = d.can_be_closed_by(access)  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/decisions.html",
        {
            "form": form,
            "decisions": rows,
            "status": status,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def decision_status(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request)
    d = get_object_or_404(
        Decision.objects.visible_to(access).select_related("meeting"), code=code
    )
    if not d.can_be_closed_by(access):
        return HttpResponse(
            _("Only coordinators and the owner organisation may change this."),
            status=403,
        )
    form = DecisionStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            " ".join(str(e) for errs in form.errors.values() for e in errs), status=422
        )
    actions.change_decision_status(
        d, form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"]
    )
    messages.success(request, _("The decision was updated."))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/meetings/"):
        return redirect(nxt)
    return redirect("meetings:decisions")
