"""Routing: who owns which land, which rules send a report to which owner.

A physical-environment report (a broken lamp, glass on a playground) is sent to the
organisation that fixes it as the report is stored (``samsyn.routing.actions``). The
rules say, per collaboration: this category (or every physical category), here (an
owner's properties, an area, or anywhere) → that organisation, which promises to fix
within so many days. Properties are polygons stored as GeoJSON in WGS84, like areas
(docs/decisions/0002): no PostGIS.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category, Report, ReportStatusChange


class RoutingVersion(models.Model):
    """Bumped whenever a collaboration's rules or properties change, so the cached
    routing index (samsyn.routing.index) is rebuilt."""

    collaboration = models.OneToOneField(
        Collaboration, on_delete=models.CASCADE, related_name="routing_version"
    )
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.collaboration_id}: {self.version}"

    @staticmethod
    def bump(collaboration: Collaboration) -> None:
        row, created = RoutingVersion.objects.get_or_create(
            collaboration=collaboration, defaults={"version": 1}
        )
        if not created:
            RoutingVersion.objects.filter(pk=row.pk).update(version=F("version") + 1)


class PropertyQuerySet(models.QuerySet["Property"]):
    def in_collaboration(self, collaboration: Collaboration) -> PropertyQuerySet:
        return self.filter(collaboration=collaboration)


class Property(models.Model):
    """A piece of land an organisation is responsible for (an estate, a park)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="properties"
    )
    # RESTRICT: an organisation that owns properties cannot be deleted until they
    # are moved (deleting the whole collaboration still removes both).
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="properties",
        verbose_name=_("owner"),
    )
    ref = models.CharField(_("reference code"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200)
    geometry = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    created = models.DateTimeField(default=timezone.now)

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["owner__name", "name", "pk"]
        indexes = [models.Index(fields=["collaboration", "owner"])]

    def __str__(self) -> str:
        return self.name

    def as_feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": str(self.code),
            "geometry": self.geometry,
            "properties": {
                "code": str(self.code),
                "ref": self.ref,
                "name": self.name,
                "owner": self.owner.slug,
                "owner_name": self.owner.name,
            },
        }


class RuleQuerySet(models.QuerySet["RoutingRule"]):
    def in_collaboration(self, collaboration: Collaboration) -> RuleQuerySet:
        return self.filter(collaboration=collaboration)

    def active(self) -> RuleQuerySet:
        return self.filter(active=True)


class RoutingRule(models.Model):
    """Category × where → owner and promised days to fix.

    The most specific matching rule wins: an owner's properties, then an area, then a
    category anywhere, then the collaboration's default (every category, anywhere).
    Within the same place, a rule for one category beats one for every category.
    """

    class Where(models.TextChoices):
        PROPERTY = "property", _("On an owner's properties")
        AREA = "area", _("In an area")
        ANYWHERE = "anywhere", _("Anywhere")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: every physical-environment category."),
    )
    where = models.CharField(
        _("where"), max_length=10, choices=Where.choices, default=Where.ANYWHERE
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("area"),
    )
    property_owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("whose properties"),
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.RESTRICT,
        related_name="routing_rules",
        verbose_name=_("responsible organisation"),
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised days to fix"), default=14
    )
    active = models.BooleanField(_("active"), default=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_note = models.CharField(_("why it needs review"), max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["where", "category__name_sv", "pk"]

    def __str__(self) -> str:
        return f"{self.describe()} → {self.owner}"

    def specificity(self) -> tuple[int, int, int]:
        """Higher wins: place kind, then one category over all, then an area over
        its district."""
        rank = {self.Where.PROPERTY: 3, self.Where.AREA: 2, self.Where.ANYWHERE: 1}
        leaf = 1 if self.area is not None and self.area.level == Area.Level.AREA else 0
        return (rank[self.where], 1 if self.category_id else 0, leaf)

    def overlap_key(self) -> tuple[Any, ...]:
        """Two active rules with the same key match the same reports equally well."""
        return (
            self.where,
            self.category_id,
            self.area_id if self.where == self.Where.AREA else None,
            self.property_owner_id if self.where == self.Where.PROPERTY else None,
        )

    def describe(self) -> str:
        what = (
            self.category.name
            if self.category_id
            else gettext("every physical category")
        )
        if self.where == self.Where.PROPERTY and self.property_owner_id:
            where = gettext("on %(owner)s's properties") % {
                "owner": self.property_owner
            }
        elif self.where == self.Where.AREA and self.area_id:
            where = gettext("in %(area)s") % {"area": self.area}
        else:
            where = gettext("anywhere")
        return f"{what}, {where}"


class Assignment(models.Model):
    """How a report got its owner: by which rule, with which promise (one per
    routing; a report sent back and routed again by hand keeps the history in
    ReportStatusChange)."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="assignment"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    rule = models.ForeignKey(
        RoutingRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    owner = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    promised_days = models.PositiveSmallIntegerField(default=14)
    due_at = models.DateTimeField(db_index=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.CharField(max_length=500, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["collaboration", "owner", "due_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.owner_id}"

    @staticmethod
    def due(start: datetime, days: int) -> datetime:
        return start + timedelta(days=days)


def fix_photo_path(instance: FixPhoto, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"fixes/{instance.code}.{ext}"


class FixPhoto(models.Model):
    """The photo an owner adds when marking a report fixed or not fixable."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    change = models.OneToOneField(
        ReportStatusChange, on_delete=models.CASCADE, related_name="photo"
    )
    photo = models.ImageField(_("photo"), upload_to=fix_photo_path)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.code)


class ReporterNotice(models.Model):
    """An in-app notice to a report's own reporter: it was fixed, or closed.

    It names only the reporter's own report (its category, place and the owner's
    note), never anything else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="routing_notices",
    )
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="reporter_notices"
    )
    change = models.OneToOneField(
        ReportStatusChange, on_delete=models.CASCADE, related_name="reporter_notice"
    )
    status = models.CharField(max_length=20, choices=Report.Status.choices)
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.report_id} {self.status}"
