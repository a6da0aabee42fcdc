"""Feedback (återkoppling): what the collaboration tells residents, and how.

`PublicFeedbackSettings` holds one collaboration's choices for its public page:
whether it is on, how late the figures are (a delay, so that nothing on the page
points at an event someone may still remember by date), over how many weeks they
count, an introduction, which categories are shown and which sites may frame the
embeddable variant. The figures themselves are never stored: they are counted and
suppressed on each request (see figures.py and disclosure.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category


class PublicFeedbackSettings(models.Model):
    collaboration = models.OneToOneField(
        Collaboration, on_delete=models.CASCADE, related_name="public_feedback"
    )
    enabled = models.BooleanField(_("public page on"), default=False)
    delay_days = models.PositiveIntegerField(
        _("delay (days)"),
        default=14,
        help_text=_("Figures end at least this many days before today."),
    )
    period_weeks = models.PositiveIntegerField(
        _("period (weeks)"), default=12, help_text=_("How many whole weeks to count.")
    )
    intro = models.TextField(_("introduction"), blank=True)
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("categories shown"),
        help_text=_("None chosen: every active category."),
    )
    frame_ancestors = models.CharField(
        _("sites that may embed the page"),
        max_length=500,
        blank=True,
        help_text=_("Origins separated by spaces, e.g. https://www.kommun.se"),
    )
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("public feedback settings")
        verbose_name_plural = _("public feedback settings")

    def __str__(self) -> str:
        return f"{self.collaboration} ({'on' if self.enabled else 'off'})"

    def window(self, today: date | None = None) -> tuple[date, date]:
        """[start, end) of the counted period: whole ISO weeks (Monday to Monday)
        ending at least `delay_days` before today, so the window moves a week at a
        time and a report from the last `delay_days` never counts."""
        today = today or timezone.localdate()
        latest = today - timedelta(days=self.delay_days)
        end = latest - timedelta(days=latest.weekday())  # the Monday on/before
        start = end - timedelta(weeks=max(self.period_weeks, 1))
        return start, end

    def origins(self) -> list[str]:
        return [o for o in self.frame_ancestors.split() if o]
