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

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.lib.documents import DocumentEvent, VersionedDocument
from samsyn.organisations.models import Collaboration, Organisation

if TYPE_CHECKING:
    from samsyn.organisations.access import Access


class AnnualReportQuerySet(models.QuerySet["AnnualReport"]):
    def visible_to(self, access: Access) -> AnnualReportQuerySet:
        from samsyn.organisations.access import Cap

        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)


class AnnualReport(VersionedDocument):
    """Code, version, status, figures and approval come from VersionedDocument."""

    # The texts a coordinator edits, in document order (field name -> form label).
    TEXT_FIELDS = (
        "situation_text",
        "analysis_text",
        "conclusion_text",
        "followup_text",
    )

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    situation_text = models.TextField(_("the situation: comments"), blank=True)
    analysis_text = models.TextField(_("the analysis"), blank=True)
    conclusion_text = models.TextField(_("conclusion"), blank=True)
    measures_needed = models.BooleanField(_("measures are needed"), default=False)
    followup_text = models.TextField(_("follow-up: comments"), blank=True)
    follow_up_on = models.DateField(_("follow-up of the plan"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="annual/", blank=True)

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


class AnnualReportEvent(DocumentEvent):
    """Append-only history of an annual report (actor, data, created: DocumentEvent)."""

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
