"""The annual situation picture and action plan (Lag 2023:196).

One document per collaboration and year, versioned like the situation pictures: the
figures are computed and frozen when a version is created, the texts and the action
plan are edited while it is a draft, and approval makes the version read-only. A new
version is made only on request; earlier versions stay as they were.

The figures are aggregate counts only (no report codes or points), so every member
who reads reports may read the document; place names come from reports that are not
restricted (see figures.py).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration, Organisation

if TYPE_CHECKING:
    from samsyn.organisations.access import Access


class AnnualReportQuerySet(models.QuerySet["AnnualReport"]):
    def visible_to(self, access: Access) -> AnnualReportQuerySet:
        from samsyn.organisations.access import Cap

        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)


class AnnualReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    # The texts a coordinator edits, in document order (field name -> form label).
    TEXT_FIELDS = (
        "situation_text",
        "analysis_text",
        "conclusion_text",
        "followup_text",
    )

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    situation_text = models.TextField(_("the situation: comments"), blank=True)
    analysis_text = models.TextField(_("the analysis"), blank=True)
    conclusion_text = models.TextField(_("conclusion"), blank=True)
    measures_needed = models.BooleanField(_("measures are needed"), default=False)
    followup_text = models.TextField(_("follow-up: comments"), blank=True)
    follow_up_on = models.DateField(_("follow-up of the plan"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="annual/", blank=True)
    # `updated` at the time the stored PDF was built; a stale PDF is rebuilt.
    pdf_built_for = models.DateTimeField(null=True, blank=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "year", "version"],
                name="annual_report_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AnnualReportEvent(models.Model):
    """Append-only history of an annual report."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        NEW_VERSION = "new_version", _("New version created")
        EDITED = "edited", _("Edited")
        ITEM_ADDED = "item_added", _("Action added")
        ITEM_CHANGED = "item_changed", _("Action changed")
        ITEM_REMOVED = "item_removed", _("Action removed")
        APPROVED = "approved", _("Approved")
        PDF = "pdf", _("PDF built")

    report = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.kind}"


class ActionPlanItem(models.Model):
    """One row of the action plan: a goal, a measure, who owns it, how it is followed."""

    report = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="items"
    )
    goal = models.CharField(_("goal"), max_length=300)
    measure = models.TextField(_("measure"))
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    intervention = models.ForeignKey(
        "interventions.Intervention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("intervention in the register"),
    )
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("action plan item")
        verbose_name_plural = _("action plan items")

    def __str__(self) -> str:
        return self.goal
