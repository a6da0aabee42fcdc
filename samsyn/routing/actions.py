"""Routing's state changes: route a report as it is stored, send one back ("inte
vårt"), mark it fixed with a photo, save rules, tell the reporter.

``route_report`` is called from ``samsyn.reports.actions.submit_report``, the one
action that stores a report, so the web form, the offline outbox (which posts to the
API), the API, Open311, walks and patrols all route the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samsyn.organisations.models import Collaboration, Organisation, record
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.routing.index import Decision, index_for
from samsyn.routing.models import (
    Assignment,
    FixPhoto,
    ReporterNotice,
    RoutingRule,
)

if TYPE_CHECKING:
    from samsyn.accounts.models import User


def decide(report: Report) -> Decision | None:
    """The rule that routes this (unsaved or saved) physical report, or None."""
    if not report.category.physical_environment:
        return None
    return index_for(report.collaboration).decide(
        category_id=report.category_id,
        area_id=report.area_id,
        lon=report.lon,
        lat=report.lat,
    )


def route_report(
    report: Report,
    *,
    by: User | None,
    decision: Decision | None = None,
    audit: bool = True,
) -> Assignment | None:
    """Assign a just-stored physical report by the most specific rule.

    Call inside the transaction that stored it, after its first status row. The
    assignment is a second status row (so the owner is told by the existing
    assignment notice), an ``Assignment`` naming the rule and the promise, and an
    audit entry with the rule's code. ``submit_report`` decides before it saves
    (``decision``), so the report row is written once, already assigned, and puts
    the routing in its own ``report.submitted`` entry (``audit=False``): one audit
    entry per stored report.
    """
    if decision is None:
        decision = decide(report)
        if decision is None:
            return None
        report.status = Report.Status.ASSIGNED
        report.owner_id = decision.owner_id
        report.save(update_fields=["status", "owner", "updated"])
    rule = decision.rule
    ReportStatusChange.objects.create(
        report=report,
        collaboration_id=report.collaboration_id,
        status=Report.Status.ASSIGNED,
        owner_id=decision.owner_id,
        note=_routed_note(rule),
        changed_by=None,
    )
    assignment = Assignment.objects.create(
        report=report,
        collaboration_id=report.collaboration_id,
        rule=rule,
        owner_id=decision.owner_id,
        promised_days=decision.promised_days,
        due_at=Assignment.due(report.created, decision.promised_days),
    )
    if audit:
        record(by, "report.routed", report, data=audit_data(decision))
    return assignment


def audit_data(decision: Decision) -> dict[str, Any]:
    """What the audit keeps of a routing: the rule's code, the owner, the promise."""
    return {
        "rule": str(decision.rule.code),
        "owner": decision.rule.owner.slug,
        "promised_days": decision.promised_days,
    }


def _routed_note(rule: RoutingRule) -> str:
    """The history line, in the site's language (it is stored, not translated when
    shown)."""
    with translation.override(settings.LANGUAGE_CODE):
        return (_("Routed: %(rule)s") % {"rule": rule.describe()})[:500]


class NotYours(Exception):
    """Only the owner's members (or a coordinator) can send a report back."""


@transaction.atomic
def decline_report(report: Report, *, by: User, reason: str) -> ReportStatusChange:
    """ "Inte vårt": back to the coordinators' queue without an owner, the reason
    kept, and the rule that sent it flagged for review."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.ASSIGNED:
        raise NotYours(locked.status)
    previous = locked.owner
    locked.status = Report.Status.REPORTED
    locked.owner = None
    locked.save(update_fields=["status", "owner", "updated"])
    change = ReportStatusChange.objects.create(
        report=locked,
        collaboration=locked.collaboration,
        status=Report.Status.REPORTED,
        owner=None,
        note=(_("Not ours: %(reason)s") % {"reason": reason})[:500],
        changed_by=by,
    )
    assignment = Assignment.objects.filter(report=locked).select_related("rule").first()
    rule_code = None
    if assignment is not None:
        assignment.declined_at = timezone.now()
        assignment.declined_reason = reason[:500]
        assignment.declined_by = by
        assignment.save(update_fields=["declined_at", "declined_reason", "declined_by"])
        if assignment.rule is not None:
            rule = assignment.rule
            rule_code = str(rule.code)
            rule.needs_review = True
            rule.review_note = reason[:500]
            rule.save(update_fields=["needs_review", "review_note", "updated"])
    record(
        by,
        "report.declined",
        locked,
        data={
            "owner": previous.slug if previous else None,
            "reason": reason[:500],
            "rule": rule_code,
        },
    )
    report.status, report.owner = locked.status, None
    return change


# --- the fix photo: same checks as walk photos, and metadata stripped -----------------


def stripped_photo(upload: Any) -> ContentFile:
    """The uploaded image re-encoded without its metadata (EXIF: place, device,
    time). The form has already checked that it is JPEG, PNG or WebP."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        fmt = image.format or "JPEG"
        # Turn it upright as the camera meant, then copy only the pixels.
        upright = ImageOps.exif_transpose(image)
        clean = Image.new(upright.mode, upright.size)
        clean.putdata(list(upright.getdata()))
        out = io.BytesIO()
        if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format=fmt)
    suffix = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(fmt, "jpg")
    return ContentFile(out.getvalue(), name=f"photo.{suffix}")


def attach_photo(change: ReportStatusChange, upload: Any) -> FixPhoto:
    photo = FixPhoto(change=change)
    clean = stripped_photo(upload)
    photo.photo.save(clean.name, clean, save=False)
    photo.save()
    return photo


# --- rules ---------------------------------------------------------------------------


class RuleError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def check_rule(rule: RoutingRule) -> list[str]:
    """What is wrong with a rule before it is saved (messages for people)."""
    problems: list[str] = []
    collab_id = rule.collaboration_id
    for org in (rule.owner, rule.property_owner if rule.property_owner_id else None):
        if org is not None and org.collaboration_id != collab_id:
            problems.append(
                _("%(org)s is not a member of this collaboration.") % {"org": org}
            )
    if rule.category_id and (
        rule.category.collaboration_id != collab_id
        or not rule.category.physical_environment
    ):
        problems.append(
            _("Only physical-environment categories of this collaboration are routed.")
        )
    if rule.where == RoutingRule.Where.AREA and (
        rule.area_id is None or rule.area.collaboration_id != collab_id
    ):
        problems.append(_("Choose an area of this collaboration."))
    if rule.where == RoutingRule.Where.PROPERTY and rule.property_owner_id is None:
        problems.append(_("Choose whose properties the rule covers."))
    if rule.where != RoutingRule.Where.AREA:
        rule.area = None
    if rule.where != RoutingRule.Where.PROPERTY:
        rule.property_owner = None
    if not problems and rule.active:
        others = RoutingRule.objects.in_collaboration(rule.collaboration).active()
        if rule.pk:
            others = others.exclude(pk=rule.pk)
        key = rule.overlap_key()
        for other in others.select_related("category", "area", "property_owner"):
            if other.overlap_key() == key:
                problems.append(
                    _(
                        "Another rule already covers the same reports equally "
                        "specifically: %(other)s → %(owner)s. Change or remove that "
                        "one first."
                    )
                    % {"other": other.describe(), "owner": other.owner}
                )
                break
    return problems


@transaction.atomic
def save_rule(rule: RoutingRule, *, by: User) -> RoutingRule:
    """Check and save a rule. Already assigned reports keep their owner."""
    problems = check_rule(rule)
    if problems:
        raise RuleError(problems)
    created = rule.pk is None
    if not created:
        # A saved rule is reviewed: the flag from an "inte vårt" is cleared.
        rule.needs_review = False
        rule.review_note = ""
    rule.save()
    record(
        by,
        "routing.rule_created" if created else "routing.rule_changed",
        rule,
        data={
            "where": rule.where,
            "category": rule.category.code if rule.category_id else None,
            "owner": rule.owner.slug,
            "promised_days": rule.promised_days,
        },
    )
    return rule


@transaction.atomic
def delete_rule(rule: RoutingRule, *, by: User) -> None:
    record(by, "routing.rule_deleted", rule, data={"rule": rule.describe()})
    rule.delete()


@dataclass
class Preview:
    total: int
    to_owner: int
    today: int
    days: int


def preview_rule(rule: RoutingRule, *, days: int = 90) -> Preview:
    """Of the physical reports of the last ``days`` days, how many this rule set
    (with ``rule`` added or changed) would send to its owner, and how many that owner
    has today. Nothing is written."""
    from samsyn.routing.index import RoutingIndex

    collab = rule.collaboration
    since = timezone.now() - timedelta(days=days)
    reports = list(
        Report.objects.filter(
            collaboration=collab,
            category__physical_environment=True,
            occurred_at__gte=since,
        ).values_list("category_id", "area_id", "lon", "lat", "owner_id")
    )
    index = RoutingIndex.build(collab)
    index.rules = [r for r in index.rules if r.pk is None or r.pk != rule.pk]
    if rule.active:
        index.rules.append(rule)
    index.prepare()
    if index.on_properties and index.tree is None:
        index = _with_properties(index, collab)
    to_owner = 0
    for category_id, area_id, lon, lat, _owner in reports:
        decision = index.decide(
            category_id=category_id, area_id=area_id, lon=lon, lat=lat
        )
        if decision is not None and decision.owner_id == rule.owner_id:
            to_owner += 1
    today = sum(1 for r in reports if r[4] == rule.owner_id)
    return Preview(total=len(reports), to_owner=to_owner, today=today, days=days)


def _with_properties(index: Any, collab: Collaboration) -> Any:
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from samsyn.routing.models import Property

    geoms, owners = [], []
    for owner_id, geometry in Property.objects.in_collaboration(collab).values_list(
        "owner_id", "geometry"
    ):
        geom = shape(geometry)
        shapely.prepare(geom)
        geoms.append(geom)
        owners.append(owner_id)
    index.property_owner_ids = np.asarray(owners, dtype=np.int64)
    index.tree = shapely.STRtree(geoms) if geoms else None
    return index


# --- the reporter hears back -----------------------------------------------------------


def notify_reporter(change: ReportStatusChange) -> ReporterNotice | None:
    """An in-app notice (and an e-mail if they want it) to the report's own
    reporter that it was fixed or closed. It names only their own report."""
    report = change.report
    user = report.reporter
    if user is None or not user.is_active:
        return None
    notice, created = ReporterNotice.objects.get_or_create(
        change=change,
        defaults={
            "user": user,
            "report": report,
            "status": change.status,
            "note": change.note,
        },
    )
    if not created:
        return notice
    from samsyn.notifications.actions import notify, site_url
    from samsyn.notifications.models import Kind

    notify(
        user,
        Kind.REPORT_FIXED,
        f"report_fixed:{report.code}:{change.pk}",
        {
            "report": report,
            "fixed": change.status == Report.Status.FIXED,
            "note": change.note,
            "url": site_url("/routing/notices/"),
        },
        collaboration=report.collaboration,
    )
    return notice


def owner_choices(collaboration: Collaboration) -> list[Organisation]:
    return list(Organisation.objects.filter(collaboration=collaboration, active=True))
