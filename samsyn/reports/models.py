"""Reports: what a reporter saw, where and when, on the collaboration's checklist."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place, PlaceType
from samsyn.lib.weeks import localtime
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Organisation

if TYPE_CHECKING:
    from samsyn.accounts.models import User


class CategoryQuerySet(models.QuerySet["Category"]):
    def in_collaboration(self, collaboration: Collaboration) -> CategoryQuerySet:
        return self.filter(collaboration=collaboration)

    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)


class Category(models.Model):
    """One line of the collaboration's checklist (seeded from the standard EST list)."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=50)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    group = models.CharField(_("group"), max_length=50, blank=True)
    physical_environment = models.BooleanField(
        _("physical environment"),
        default=False,
        help_text=_("Something an owner organisation fixes; tracked until fixed."),
    )
    counts_people = models.BooleanField(_("counts people"), default=False)
    harm_weight = models.FloatField(_("harm weight"), default=1.0)
    default_owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default owner"),
        help_text=_("Organisation that fixes reports in this category."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "code"], name="category_code_per_collab"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return (
            self.name_en if (get_language() or "sv").startswith("en") else self.name_sv
        )


class Severity(models.IntegerChoices):
    LOW = 1, _("Low – noticeable but little effect on safety")
    MEDIUM = 2, _("Medium – makes people feel unsafe")
    HIGH = 3, _("High – clearly unsafe, needs action")
    SEVERE = 4, _("Severe – acute danger")


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, access: Access) -> ReportQuerySet:
        """The one door to reports: scoped to the collaboration and restriction rules.

        Restricted reports are seen only by their own organisation's members and by
        roles with VIEW_RESTRICTED (coordinators, analysts).
        """
        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        qs = self.filter(collaboration=access.collaboration)
        if not access.can(Cap.VIEW_RESTRICTED):
            qs = qs.filter(
                Q(restricted=False) | Q(organisation_id__in=access.organisation_ids)
            )
        return qs

    def in_period(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> ReportQuerySet:
        qs = self
        if since is not None:
            qs = qs.filter(occurred_at__gte=since)
        if until is not None:
            qs = qs.filter(occurred_at__lt=until)
        return qs

    def open_issues(self) -> ReportQuerySet:
        return self.filter(
            category__physical_environment=True,
            status__in=[Report.Status.REPORTED, Report.Status.ASSIGNED],
        )


class Report(models.Model):
    """What a reporter saw. The facts are immutable once sent; status is a history."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ASSIGNED = "assigned", _("Assigned")
        FIXED = "fixed", _("Fixed")
        CLOSED_NOT_FIXED = "closed_not_fixed", _("Closed, not fixed")

    # Allowed transitions of the physical-environment status.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.REPORTED: (Status.ASSIGNED, Status.FIXED, Status.CLOSED_NOT_FIXED),
        Status.ASSIGNED: (Status.FIXED, Status.CLOSED_NOT_FIXED, Status.REPORTED),
        Status.FIXED: (Status.REPORTED,),
        Status.CLOSED_NOT_FIXED: (Status.REPORTED,),
    }

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demo data")
        PATROL = "patrol", _("Guard patrol")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="reports"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("organisation"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports"
    )
    occurred_at = models.DateTimeField(_("when it happened"), db_index=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    x = models.FloatField(help_text=_("SWEREF 99 TM easting (m)"))
    y = models.FloatField(help_text=_("SWEREF 99 TM northing (m)"))
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    place_type = models.CharField(
        _("place type"), max_length=20, choices=PlaceType.choices, blank=True
    )
    people_count = models.PositiveIntegerField(
        _("number of people"), null=True, blank=True
    )
    severity = models.PositiveSmallIntegerField(
        _("effect on safety"), choices=Severity.choices, default=Severity.LOW
    )
    description = models.TextField(_("description"), blank=True)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only the own organisation, coordinators and analysts see it."),
    )
    # Physical-environment reports only: current status (the history is in
    # ReportStatusChange, append-only; this column is its latest value, kept in the
    # same transaction, so lists can filter on it).
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, blank=True
    )
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_reports",
        verbose_name=_("responsible organisation"),
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_fingerprint = models.CharField(max_length=16, blank=True)
    created = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # A retry with the same Idempotency-Key from the same person never makes
            # a second report (the database enforces it, also under concurrency).
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="report_idempotency_per_reporter",
            ),
            models.CheckConstraint(
                condition=Q(severity__gte=1) & Q(severity__lte=4),
                name="report_severity_range",
            ),
        ]
        indexes = [
            models.Index(fields=["collaboration", "occurred_at"]),
            models.Index(fields=["collaboration", "category", "occurred_at"]),
            models.Index(fields=["area", "occurred_at"]),
            models.Index(
                fields=["collaboration", "status"],
                condition=~Q(status=""),
                name="report_open_status_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {localtime(self.occurred_at):%Y-%m-%d %H:%M}"

    @property
    def is_physical(self) -> bool:
        return self.category.physical_environment

    def allowed_transitions(self) -> tuple[str, ...]:
        if not self.status:
            return ()
        return self.TRANSITIONS.get(self.status, ())

    def as_feature(self, *, lang_en: bool = False) -> dict[str, Any]:
        cat = self.category
        return {
            "type": "Feature",
            "id": str(self.code),
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": {
                "code": str(self.code),
                "category": cat.code,
                "category_name": cat.name_en if lang_en else cat.name_sv,
                "occurred_at": self.occurred_at.isoformat(),
                "received_at": self.created.isoformat(),
                "organisation": self.organisation.slug,
                "area": str(self.area.code) if self.area_id else None,
                "area_name": self.area.name if self.area_id else None,
                "place_type": self.place_type or None,
                "people_count": self.people_count,
                "severity": self.severity,
                "description": self.description,
                "restricted": self.restricted,
                "status": self.status or None,
            },
        }


class ReportStatusChange(models.Model):
    """Append-only history of a physical-environment report's status."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="status_changes"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    status = models.CharField(max_length=20, choices=Report.Status.choices)
    owner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.status}"


def default_occurred_at() -> datetime:
    return timezone.now().replace(second=0, microsecond=0)


def user_label(user: User | None) -> str:
    return user.get_username() if user is not None else ""


class DeletionLog(models.Model):
    """What was removed, when and by whom: one row per purge or user removal.

    It records counts and the cut-off, never the removed content itself.
    """

    class Kind(models.TextChoices):
        FREE_TEXT = "free_text", _("Free text and reporter of old reports")
        USER = "user", _("User account anonymised")

    collaboration = models.ForeignKey(
        Collaboration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deletion_logs",
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    count = models.PositiveIntegerField(_("how many"), default=0)
    cutoff = models.DateTimeField(_("older than"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("deletion log entry")
        verbose_name_plural = _("deletion log")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{localtime(self.created):%Y-%m-%d %H:%M} {self.kind} {self.count}"
