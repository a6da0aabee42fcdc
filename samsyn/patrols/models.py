"""Mobile guards planning: settings, weekly plans, visits and what the guards did."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Place
from samsyn.lib.geo import to_wgs84
from samsyn.lib.weeks import localtime
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.patrols import wording

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def default_shifts() -> dict[str, list[str]]:
    """Afternoons and evenings every day (weekday 0 = Monday)."""
    return {str(d): ["15:00", "23:00"] for d in range(7)}


def is_guard(access: Access) -> bool:
    """A member of a guard company in this collaboration (any role)."""
    if access.collaboration is None or not access.organisation_ids:
        return False
    return Organisation.objects.filter(
        pk__in=access.organisation_ids, kind=Organisation.Kind.GUARD
    ).exists()


def guard_reporting_organisation(access: Access) -> Organisation | None:
    """The guard company a visit report is filed for (the first one allowed)."""
    ids = access.reporting_organisations()
    return (
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.GUARD)
        .order_by("pk")
        .first()
    )


class PatrolSettings(models.Model):
    """How a collaboration's guards work: teams, shift hours, visit length, speed."""

    collaboration = models.OneToOneField(
        Collaboration, on_delete=models.CASCADE, related_name="patrol_settings"
    )
    teams = models.PositiveSmallIntegerField(_("number of teams"), default=2)
    # {"0": ["15:00", "23:00"], ...}; a weekday missing or empty has no shift.
    # Shifts end the same day (a night shift is split at midnight).
    shifts = models.JSONField(_("shift windows"), default=default_shifts)
    visit_minutes = models.PositiveSmallIntegerField(
        _("visit length (minutes)"), default=30
    )
    speed_kmh = models.FloatField(_("travel speed (km/h)"), default=20.0)
    history_weeks = models.PositiveSmallIntegerField(_("weeks of history"), default=12)
    max_visits_per_place = models.PositiveSmallIntegerField(
        _("visits per place and week (max)"), default=3
    )
    hotspot_cells = models.PositiveSmallIntegerField(
        _("hotspot grid cells to consider"), default=10
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patrol settings")
        verbose_name_plural = _("patrol settings")

    def __str__(self) -> str:
        return f"{self.collaboration} patrol settings"

    @classmethod
    def for_collaboration(cls, collab: Collaboration) -> PatrolSettings:
        found = cls.objects.filter(collaboration=collab).first()
        return found or cls(collaboration=collab)

    def shift_for(self, weekday: int) -> tuple[time, time] | None:
        pair = (self.shifts or {}).get(str(weekday))
        if not pair or len(pair) != 2:
            return None
        start, end = (time.fromisoformat(p) for p in pair)
        return (start, end) if end > start else None


class PatrolPlanQuerySet(models.QuerySet["PatrolPlan"]):
    def visible_to(self, access: Access) -> PatrolPlanQuerySet:
        """Planners see drafts too; guards and every reader see published plans."""
        if access.collaboration is None:
            return self.none()
        qs = self.filter(collaboration=access.collaboration)
        if access.can(Cap.PLAN_PATROLS):
            return qs
        if access.can(Cap.VIEW_REPORTS) or is_guard(access):
            return qs.filter(status=PatrolPlan.Status.PUBLISHED)
        return self.none()


class PatrolPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="patrol_plans"
    )
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # What the plan was built from: the settings used and the top of the ranking,
    # so the plan can be explained later even after new reports arrive.
    inputs = models.JSONField(default=dict, blank=True)
    ranking = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PatrolPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-iso_year", "-iso_week", "-created"]
        indexes = [models.Index(fields=["collaboration", "iso_year", "iso_week"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_week__gte=1) & Q(iso_week__lte=53),
                name="patrolplan_week_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def week_label(self) -> str:
        return str(self)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "week": self.week_label,
            "status": self.status,
            "created": self.created.isoformat(),
            "published_at": self.published_at.isoformat()
            if self.published_at
            else None,
            "inputs": self.inputs,
            "visits": [v.as_dict() for v in self.visits.all()],
        }


class PatrolVisit(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        PatrolPlan, on_delete=models.CASCADE, related_name="visits"
    )
    team = models.PositiveSmallIntegerField(_("team"))
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    x = models.FloatField(help_text=_("SWEREF 99 TM easting (m)"))
    y = models.FloatField(help_text=_("SWEREF 99 TM northing (m)"))
    label = models.CharField(_("location"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    score = models.FloatField(default=0.0)
    components = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "starts_at", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="patrolvisit_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def display_label(self) -> str:
        """The location's name in the reader's language (squares are worded from
        their figures; named places and old visits use the stored label)."""
        return wording.location_label(
            {**self.components, "x": self.x, "y": self.y}, self.label
        )

    @property
    def display_reason(self) -> str:
        """Why the visit is planned, worded now from the stored figures."""
        return wording.reason(self.components, self.reason)

    @property
    def lonlat(self) -> tuple[float, float]:
        lon, lat = to_wgs84(self.x, self.y)
        return round(float(lon), 6), round(float(lat), 6)

    def as_dict(self) -> dict[str, Any]:
        report = getattr(self, "visit_report", None)
        return {
            "code": str(self.code),
            "team": self.team,
            "order": self.order,
            "location": self.label,
            "place": str(self.place.code) if self.place else None,
            "x": self.x,
            "y": self.y,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "score": round(self.score, 4),
            "components": self.components,
            "reason": self.reason,
            "outcome": report.outcome if report else None,
        }


class VisitReport(models.Model):
    """What the guards did at a visit (one per visit).

    "Presence" and "nothing to report" are stored only here, not as reports: they are
    not incidents, and counting them in the situation picture would make a patrolled
    place look worse. They are the evidence of presence (dose) that the evaluation of
    a guarding intervention needs. Dialogue and action also become a Report.
    """

    class Outcome(models.TextChoices):
        PRESENCE = "presence", _("Presence")
        DIALOGUE = "dialogue", _("Dialogue")
        ACTION = "action", _("Action taken")
        NOTHING = "nothing", _("Nothing to report")

    INCIDENT_OUTCOMES = (Outcome.DIALOGUE, Outcome.ACTION)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    visit = models.OneToOneField(
        PatrolVisit, on_delete=models.CASCADE, related_name="visit_report"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    people_count = models.PositiveIntegerField(
        _("number of people"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("done at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.visit} {self.outcome}"
