"""A "fördjupad analys": the structured problem analysis of a recurring deviation.

When the same area and category are flagged in 3 of the last 6 periods
(samsyn.problems.recurrence), Samsyn proposes an analysis. Started by a
coordinator, it freezes its figures (the place, when, who is affected, who is
responsible for the place) with the report codes behind each figure, the way a
situation picture does, and holds the forum's own text. Interventions are made
from it and linked to it; what has been tried, and their follow-ups, are read
live from the intervention register.

Restricted reports: ``figures`` counts every report the starting coordinator could
see; ``figures_open`` the same without restricted reports. Roles without
VIEW_RESTRICTED are shown ``figures_open`` and never the codes of restricted
reports (``trace`` keeps them apart, as in a situation picture).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category

if TYPE_CHECKING:
    from samsyn.organisations.access import Access

TEXT_FIELDS = ("place_text", "time_text", "affected_text", "owner_text", "tried_text")
TEXT_FIELDS_ALL = (*TEXT_FIELDS, "conclusion")


class ProblemAnalysisQuerySet(models.QuerySet["ProblemAnalysis"]):
    def visible_to(self, access: Access) -> ProblemAnalysisQuerySet:
        """Everyone in the collaboration who reads reports reads these."""
        from samsyn.organisations.access import Cap

        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)


class ProblemAnalysis(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="problem_analyses"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    period_kind = models.CharField(_("period type"), max_length=10)
    period_label = models.CharField(_("period"), max_length=16)
    # The labels of the six periods looked at, and those the pair was flagged in.
    periods = models.JSONField(default=list)
    flagged = models.JSONField(default=list)
    since = models.DateField()
    until = models.DateField()  # exclusive
    picture = models.ForeignKey(
        "pictures.SituationPicture",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    figures = models.JSONField(default=dict)
    figures_open = models.JSONField(default=dict)
    trace = models.JSONField(default=dict)
    place_text = models.TextField(_("The place"), blank=True)
    time_text = models.TextField(_("When it happens"), blank=True)
    affected_text = models.TextField(_("Who is affected"), blank=True)
    owner_text = models.TextField(_("Who is responsible for the place"), blank=True)
    tried_text = models.TextField(
        _("What has been tried, and with what result"), blank=True
    )
    conclusion = models.TextField(_("The forum's conclusion"), blank=True)
    interventions = models.ManyToManyField(
        "interventions.Intervention", blank=True, related_name="problem_analyses"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = ProblemAnalysisQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem analysis")
        verbose_name_plural = _("problem analyses")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "collaboration",
                    "area",
                    "category",
                    "period_kind",
                    "period_label",
                ],
                name="one_analysis_per_recurrence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.area} ({self.period_label})"

    def figures_for(self, access: Access) -> dict[str, Any]:
        from samsyn.organisations.access import Cap

        return self.figures if access.can(Cap.VIEW_RESTRICTED) else self.figures_open


def started_for(
    collaboration: Collaboration, kind: str, label: str
) -> dict[tuple[str, str], ProblemAnalysis]:
    """(area code, category code) -> the analysis started for a picture's period."""
    return {
        (str(a.area.code), a.category.code): a
        for a in ProblemAnalysis.objects.filter(
            collaboration=collaboration, period_kind=kind, period_label=label
        ).select_related("area", "category")
    }
