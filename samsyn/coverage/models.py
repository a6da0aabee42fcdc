"""Weekly check-ins: which organisation looked at which area, and what it saw.

Zero reports from an area means "calm" only if someone looked. Each organisation
confirms its areas (`Coverage`) once a week with a `CheckIn`: either the checklist items
it saw, or an explicit "nothing to report". An area with no reports and no check-in is
"not covered", never "calm" (see `samsyn.coverage.summary`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration, Organisation

if TYPE_CHECKING:
    from samsyn.organisations.access import Access


class CoverageQuerySet(models.QuerySet["Coverage"]):
    def active(self) -> CoverageQuerySet:
        return self.filter(active=True, area__active=True, organisation__active=True)


class Coverage(models.Model):
    """An organisation is expected to check in this area every week."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="coverage"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="coverage")
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    objects = CoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("area coverage")
        verbose_name_plural = _("area coverage")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "area"], name="coverage_once_per_org_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.area}"


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def visible_to(self, access: Access) -> CheckInQuerySet:
        if access.collaboration is None or not access.is_member:
            return self.none()
        return self.filter(collaboration=access.collaboration)

    def current(self) -> CheckInQuerySet:
        return self.filter(is_current=True)

    def in_week(self, iso_year: int, iso_week: int) -> CheckInQuerySet:
        return self.filter(iso_year=iso_year, iso_week=iso_week)


class CheckIn(models.Model):
    """One organisation's confirmation for one area and ISO week.

    A correction is a new row; the previous one stays as history and only loses
    `is_current` (the one column ever changed on an existing row), so exactly one
    current check-in exists per (organisation, area, week) — the database enforces it.
    """

    class Status(models.TextChoices):
        ITEMS_SEEN = "items_seen", _("Items seen")
        NOTHING_TO_REPORT = "nothing_to_report", _("Nothing to report")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="checkins"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="checkins")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Codes of the checklist categories seen (empty for "nothing to report").
    categories = models.JSONField(_("items seen"), default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_current = models.BooleanField(default=True, editable=False)
    created = models.DateTimeField(default=timezone.now)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "area", "iso_year", "iso_week"],
                condition=Q(is_current=True),
                name="one_current_checkin_per_org_area_week",
            ),
            models.CheckConstraint(
                condition=Q(iso_week__gte=1) & Q(iso_week__lte=53),
                name="checkin_iso_week_range",
            ),
        ]
        indexes = [models.Index(fields=["collaboration", "iso_year", "iso_week"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.area} {self.iso_year}-W{self.iso_week:02d}"


class ReminderLog(models.Model):
    """A check-in reminder sent to one organisation for one week (sent once)."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+"
    )
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    recipients = models.PositiveIntegerField(default=0)
    deadline = models.DateTimeField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "iso_year", "iso_week"],
                name="one_checkin_reminder_per_org_week",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.iso_year}-W{self.iso_week:02d}"
