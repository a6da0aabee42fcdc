"""Pages: the owner's queue, one report in it, the rules, the reporter's notices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access, require_access
from samsyn.reports.actions import TransitionNotAllowed, change_status
from samsyn.reports.models import Report, ReportQuerySet
from samsyn.routing.actions import (
    NotYours,
    RuleError,
    attach_photo,
    decline_report,
    delete_rule,
    preview_rule,
    save_rule,
)
from samsyn.routing.forms import DeclineForm, DoneForm, RuleForm
from samsyn.routing.models import Assignment, FixPhoto, ReporterNotice, RoutingRule
from samsyn.walks.models import photo_type


def owner_org_ids(access: Access) -> list[int]:
    """The organisations whose queue this person works: every one they belong to
    with a role that may change the status of its reports."""
    return sorted(o for o in access.organisation_ids if access.can_change_status(o))


def queue_for(access: Access) -> ReportQuerySet:
    """Open reports assigned to the person's organisations, oldest first, through
    the one access gate (a restricted report shows only to those who may see it)."""
    return (
        Report.objects.visible_to(access)
        .filter(status=Report.Status.ASSIGNED, owner_id__in=owner_org_ids(access))
        .select_related("category", "area", "owner", "assignment")
        .order_by("created", "pk")
    )


def is_overdue(report: Report, now: Any) -> bool:
    assignment = getattr(report, "assignment", None)
    return assignment is not None and assignment.due_at < now


def _queue_access(request: HttpRequest) -> Access:
    access = get_access(request)
    if not access.can(Cap.VIEW_REPORTS) or not owner_org_ids(access):
        raise Http404
    return access


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    access = _queue_access(request)
    now = timezone.now()
    rows = list(queue_for(access)[:500])
    items = [{"report": r, "overdue": is_overdue(r, now)} for r in rows]
    points = [
        {
            "lat": r.lat,
            "lon": r.lon,
            "label": r.category.name,
            "overdue": i["overdue"],
            "url": f"/routing/queue/{r.code}/",
        }
        for r, i in zip(rows, items, strict=True)
    ]
    return render(
        request,
        "routing/queue.html",
        {
            "items": items,
            "points": points,
            "overdue": sum(1 for i in items if i["overdue"]),
            "map": _map_settings(),
        },
    )


def _map_settings() -> dict[str, str]:
    return {
        "tile_url": settings.SAMSYN_TILE_URL,
        "tile_attribution": settings.SAMSYN_TILE_ATTRIBUTION,
    }


def _queued(access: Access, code: str) -> Report:
    try:
        return queue_for(access).get(code=code)
    except (Report.DoesNotExist, ValueError, Exception) as exc:  # noqa: BLE001
        raise Http404 from exc


@login_required
def queue_item(request: HttpRequest, code: str) -> HttpResponse:
    access = _queue_access(request)
    report = _queued(access, code)
    done_form, decline_form = DoneForm(), DeclineForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            decline_form = DeclineForm(request.POST)
            if decline_form.is_valid():
                try:
                    decline_report(
                        report,
                        by=request.user,
                        reason=decline_form.cleaned_data["reason"],
                    )
                except NotYours as exc:
                    raise Http404 from exc
                messages.success(
                    request,
                    _("Sent back to the coordinators: %(category)s.")
                    % {"category": report.category.name},
                )
                return redirect("routing:queue")
        else:
            done_form = DoneForm(request.POST, request.FILES)
            if done_form.is_valid():
                data = done_form.cleaned_data
                try:
                    change = change_status(
                        report,
                        by=request.user,
                        status=data["status"],
                        note=data["note"],
                    )
                except TransitionNotAllowed as exc:
                    raise Http404 from exc
                if data.get("photo"):
                    attach_photo(change, data["photo"])
                messages.success(
                    request,
                    _("Marked %(status)s: %(category)s.")
                    % {
                        "status": report.get_status_display().lower(),
                        "category": report.category.name,
                    },
                )
                return redirect("routing:queue")
        status = 422
    return render(
        request,
        "routing/queue_item.html",
        {
            "report": report,
            "overdue": is_overdue(report, timezone.now()),
            "done_form": done_form,
            "decline_form": decline_form,
            "history": report.status_changes.select_related("owner", "changed_by"),
            "map": _map_settings(),
        },
        status=status,
    )


@login_required
def fix_photo(request: HttpRequest, code: str) -> HttpResponse:
    """A fix photo, to those who may see its report."""
    access = require_access(request, Cap.VIEW_REPORTS)
    try:
        photo = FixPhoto.objects.select_related("change__report").get(code=code)
    except (FixPhoto.DoesNotExist, ValueError, Exception) as exc:  # noqa: BLE001
        raise Http404 from exc
    report = photo.change.report
    if not Report.objects.visible_to(access).filter(pk=report.pk).exists():
        raise Http404
    with photo.photo.open("rb") as f:
        data = f.read()
    found = photo_type(data)
    if found is None:
        raise Http404
    response = HttpResponse(data, content_type=found[0])
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _rules_access(request: HttpRequest) -> Access:
    return require_access(request, Cap.CHANGE_STATUS_ANY)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    access = _rules_access(request)
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - require_access guarantees a member
    form = RuleForm(collaboration=collab)
    preview = None
    status = 200
    if request.method == "POST":
        form = RuleForm(request.POST, collaboration=collab)
        if form.is_valid():
            rule = form.save(commit=False)
            if request.POST.get("action") == "preview":
                preview = preview_rule(rule)
            else:
                try:
                    save_rule(rule, by=request.user)
                except RuleError as exc:
                    for problem in exc.problems:
                        form.add_error(None, problem)
                else:
                    messages.success(request, _("The rule was saved."))
                    return redirect("routing:rules")
        if not form.is_valid() or form.errors:
            status = 422
    returned = (
        Assignment.objects.filter(
            collaboration=collab,
            declined_at__isnull=False,
            report__status=Report.Status.REPORTED,
            report__in=Report.objects.visible_to(access),
        )
        .select_related("report__category", "rule", "declined_by")
        .order_by("-declined_at")[:50]
    )
    return render(
        request,
        "routing/rules.html",
        {
            "form": form,
            "preview": preview,
            "rules": RoutingRule.objects.in_collaboration(collab).select_related(
                "category", "area", "owner", "property_owner"
            ),
            "returned": returned,
        },
        status=status,
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, code: str) -> HttpResponse:
    access = _rules_access(request)
    rule = get_object_or_404(
        RoutingRule.objects.in_collaboration(access.collaboration), code=code
    )
    delete_rule(rule, by=request.user)
    messages.success(request, _("The rule was removed."))
    return redirect("routing:rules")


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The reporter's own notices: what they reported that was fixed or closed."""
    rows = list(
        ReporterNotice.objects.filter(user=request.user).select_related(
            "report__category", "report__area"
        )[:100]
    )
    unread = [n.pk for n in rows if n.read_at is None]
    if unread:
        ReporterNotice.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "routing/notices.html", {"notices": rows})
