"""Tenancy: the collaboration (tenant), its member organisations, people's roles, audit.

A `Collaboration` is one EST: a municipality's, or a police area's shared by several
municipalities. Every row that belongs to a collaboration carries it and every query is
scoped to it. An `Organisation` belongs to exactly one collaboration; a police area that
takes part in two municipalities' EST is two organisation rows, so that each
collaboration decides on its own what that member sees (see docs/decisions/0003).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Collaboration(models.Model):
    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter (4 per year)")
        TERTIAL = "tertial", _("Tertial (3 per year)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    municipality_code = models.CharField(
        _("municipality code"),
        max_length=4,
        blank=True,
        help_text=_("SCB code, e.g. 1880"),
    )
    municipality_name = models.CharField(_("municipality"), max_length=100, blank=True)
    period_kind = models.CharField(
        _("period analysis"),
        max_length=10,
        choices=PeriodKind.choices,
        default=PeriodKind.TERTIAL,
    )
    min_public_count = models.PositiveIntegerField(
        _("smallest publishable count"),
        default=5,
        help_text=_("Figures describing fewer events are suppressed on public pages."),
    )
    retention_days = models.PositiveIntegerField(
        _("free-text retention (days)"), default=730
    )
    # Bumped whenever areas change, so cached point→area indexes are rebuilt.
    areas_version = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        POLICE = "police", _("Police")
        HOUSING = "housing", _("Housing company")
        GUARD = "guard", _("Guard company")
        RESCUE = "rescue", _("Rescue service")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="organisations"
    )
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "slug"], name="organisation_slug_per_collab"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        COORDINATOR = "coordinator", _("Coordinator")
        ANALYST = "analyst", _("Analyst")
        ORG_LEAD = "org_lead", _("Organisation lead")
        STEERING = "steering", _("Steering group")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Append-only record of every state change and export (who, what, when, where)."""

    collaboration = models.ForeignKey(
        Collaboration, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_code = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["collaboration", "-created"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.target_code}"


def record(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    *,
    collaboration: Collaboration | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Write one audit entry. Call it from every action that changes state."""
    if collaboration is None and target is not None:
        collaboration = getattr(target, "collaboration", None)
        if collaboration is None and isinstance(target, Collaboration):
            collaboration = target
    return AuditEvent.objects.create(
        collaboration=collaboration,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_code=str(getattr(target, "code", getattr(target, "pk", "")) or ""),
        data=data or {},
        ip=ip,
    )
