"""Residents' reports: what residents tell the collaboration through a public page.

They are kept apart from trained reporters' reports (``reports.Report``) everywhere:
residents report what worries them, when they happen to pass, without a checklist's
training, so their counts measure something different. Only reports a coordinator
has accepted count; the moderation history is append-only (``ModerationEvent``).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category, Report

# Letters and digits that cannot be mistaken for each other when read aloud or
# copied from a phone screen (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(7))


class ResidentSettings(models.Model):
    """Whether the public page is open and which categories residents choose from."""

    collaboration = models.OneToOneField(
        Collaboration, on_delete=models.CASCADE, related_name="resident_settings"
    )
    enabled = models.BooleanField(_("public page open"), default=False)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("categories")
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A few plain words at the top of the page."),
    )
    min_seconds = models.PositiveSmallIntegerField(
        _("minimum seconds before sending"),
        default=3,
        help_text=_("Faster submissions are treated as automated."),
    )

    class Meta:
        verbose_name = _("residents' page settings")

    def __str__(self) -> str:
        return f"{self.collaboration}"


class RateBucket(models.Model):
    """A counter per key (hashed IP or collaboration) and fixed time window.

    Kept in the database so that limits hold across processes without a cache
    server; old windows are pruned as new ones are taken.
    """

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratebucket_key_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H}: {self.count}"


class ResidentReportQuerySet(models.QuerySet["ResidentReport"]):
    def visible_to(self, access: Access) -> ResidentReportQuerySet:
        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        qs = self.filter(collaboration=access.collaboration)
        if not access.can(Cap.MODERATE_RESIDENTS):
            # Unmoderated text from the public is for the moderators only.
            qs = qs.filter(status=ResidentReport.Status.ACCEPTED)
        return qs

    def moderatable_by(self, access: Access) -> ResidentReportQuerySet:
        if access.collaboration is None or not access.can(Cap.MODERATE_RESIDENTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)

    def accepted(self) -> ResidentReportQuerySet:
        return self.filter(status=ResidentReport.Status.ACCEPTED)

    def pending(self) -> ResidentReportQuerySet:
        return self.filter(status=ResidentReport.Status.PENDING)


class ResidentReport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged with another report")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Short code shown to the resident so they can refer to the report later.
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="resident_reports"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="resident_reports",
        verbose_name=_("category"),
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    lon = models.FloatField()
    lat = models.FloatField()
    x = models.FloatField(help_text=_("SWEREF 99 TM easting (m)"))
    y = models.FloatField(help_text=_("SWEREF 99 TM northing (m)"))
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("what happened"), blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    merged_into_report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Digest of the signed form token: a resubmitted form (reload, double tap)
    # returns the first report instead of making a second one.
    form_digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ResidentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident's report")
        verbose_name_plural = _("residents' reports")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["collaboration", "status", "occurred_at"]),
            models.Index(
                fields=["collaboration", "created"],
                condition=Q(status="pending"),
                name="resident_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def as_feature(self) -> dict:
        return {
            "type": "Feature",
            "id": str(self.code),
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": {
                "kind": "resident_report",
                "reference": self.reference,
                "category": self.category.code,
                "category_name": self.category.name,
                "occurred_at": self.occurred_at.isoformat(),
                "area": str(self.area.code) if self.area_id else None,
            },
        }


class ModerationEvent(models.Model):
    """One step in a resident's report's moderation (append-only)."""

    report = models.ForeignKey(
        ResidentReport, on_delete=models.CASCADE, related_name="events"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=ResidentReport.Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    merged_into = models.CharField(max_length=64, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.status}"
