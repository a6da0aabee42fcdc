"""Perceived safety: resident survey results per area and year, and import mappings.

A survey measures how residents experience an area; reports measure what reporters
saw. The two are shown side by side and never mixed into one number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration


class SurveyMapping(models.Model):
    """How one kind of survey file is read: its columns, source, indicator and scale."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="survey_mappings"
    )
    name = models.CharField(_("name"), max_length=100)
    area_column = models.CharField(_("area code column"), max_length=100)
    year_column = models.CharField(_("year column"), max_length=100)
    value_column = models.CharField(_("value column"), max_length=100)
    respondents_column = models.CharField(
        _("respondents column"), max_length=100, blank=True
    )
    source = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("e.g. Polisens trygghetsmätning, kommunens enkät"),
    )
    indicator = models.CharField(
        _("indicator"), max_length=100, help_text=_("e.g. problem index")
    )
    scale_min = models.FloatField(_("lowest value"), default=0)
    scale_max = models.FloatField(_("highest value"), default=6)
    higher_is_worse = models.BooleanField(
        _("higher value means more insecurity"), default=True
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey mapping")
        verbose_name_plural = _("survey mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "name"], name="survey_mapping_name_per_collab"
            ),
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")),
                name="survey_mapping_scale_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyResult(models.Model):
    """One indicator value for one area and year from one survey source."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="survey_results"
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="survey_results"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=100)
    indicator = models.CharField(_("indicator"), max_length=100)
    value = models.FloatField(_("value"))
    scale_min = models.FloatField(default=0)
    scale_max = models.FloatField(default=6)
    higher_is_worse = models.BooleanField(default=True)
    respondents = models.PositiveIntegerField(_("respondents"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey result")
        verbose_name_plural = _("survey results")
        ordering = ["year", "source", "indicator"]
        constraints = [
            # Re-importing a file updates these rows instead of duplicating them.
            models.UniqueConstraint(
                fields=["area", "year", "source", "indicator"],
                name="survey_result_once_per_area_year_indicator",
            )
        ]
        indexes = [models.Index(fields=["collaboration", "year"])]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.indicator}={self.value}"


class SurveyImport(models.Model):
    """One applied import (the audit log has the details too)."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    mapping_name = models.CharField(max_length=100)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.created:%Y-%m-%d}"
