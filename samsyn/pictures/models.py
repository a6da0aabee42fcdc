"""Situation pictures (lägesbilder): the weekly picture and the period analyses.

A picture freezes its figures when it is generated, so a later import or a late report
does not silently change what a meeting decided on. A new version is made only on
explicit request; earlier versions stay visible. Approval makes a version read-only.

Restricted reports and the picture: figures are generated from *all* reports the
generating coordinator may see (counts include restricted reports, so the numbers the
collaboration agrees on are honest), but every list of report codes, report points and
places that comes from a restricted report is kept in a separate `restricted` part of
the stored figures and is only shown to roles with VIEW_RESTRICTED (see
`SituationPicture.figures_for`). Roles without it see counts, never which restricted
report is behind them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.lib.documents import DocumentEvent, VersionedDocument
from samsyn.organisations.models import Collaboration

if TYPE_CHECKING:
    from samsyn.organisations.access import Access


class PictureQuerySet(models.QuerySet["SituationPicture"]):
    def visible_to(self, access: Access) -> PictureQuerySet:
        from samsyn.organisations.access import Cap

        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)

    def current(
        self, collaboration: Collaboration, kind: str, *, on: date | None = None
    ) -> SituationPicture | None:
        """The latest version of the whole-collaboration picture of the current period."""
        from samsyn.lib.weeks import period_for

        period = period_for(kind, on or timezone.localdate(), collaboration)
        return (
            self.filter(
                collaboration=collaboration,
                kind=kind,
                scope__isnull=True,
                period_start=period.start,
            )
            .order_by("-version")
            .first()
        )


class SituationPicture(VersionedDocument):
    """Code, version, status, figures and approval come from VersionedDocument."""

    class Kind(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        TERTIAL = "tertial", _("Tertial")
        YEAR = "year", _("Year")

    class Colour(models.TextChoices):
        GREEN = "green", _("Green")
        YELLOW = "yellow", _("Yellow")
        ORANGE = "orange", _("Orange")
        RED = "red", _("Red")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="pictures"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # None: the whole collaboration; otherwise a district or an area.
    scope = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pictures",
        verbose_name=_("area"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (exclusive)"))
    label = models.CharField(_("period"), max_length=16)
    # Report codes behind each figure, keyed by the figure's trace key; kept apart
    # from `figures` so the page does not load thousands of codes it does not show.
    trace = models.JSONField(_("report codes behind the figures"), default=dict)
    # The coordinator's choices, separate from the frozen figures: area code -> colour.
    area_colours = models.JSONField(_("area status colours"), default=dict, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="pictures/", blank=True)

    objects = PictureQuerySet.as_manager()

    @property
    def period_name(self) -> str:
        """ "vecka 49, 2026", "tertial 3, 2026": the period as people say it."""
        from samsyn.lib.weeks import parse_period, period_name

        try:
            return period_name(parse_period(self.kind, self.label))
        except ValueError:
            return self.label

    @property
    def last_day(self) -> date:
        """The period's last day (``period_end`` is the day after it)."""
        return self.period_end - timedelta(days=1)

    class Meta:
        verbose_name = _("situation picture")
        verbose_name_plural = _("situation pictures")
        ordering = ["-period_start", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "kind", "scope", "period_start", "version"],
                condition=Q(scope__isnull=False),
                name="picture_version_per_scope",
            ),
            models.UniqueConstraint(
                fields=["collaboration", "kind", "period_start", "version"],
                condition=Q(scope__isnull=True),
                name="picture_version_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["collaboration", "kind", "-period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"

    def figures_for(self, access: Access) -> dict[str, Any]:
        """The stored figures as the given member may see them.

        Restricted details (report codes, points and places from restricted reports) are
        merged in only for roles with VIEW_RESTRICTED.
        """
        from samsyn.pictures.figures import merge_restricted

        return merge_restricted(self.figures, access)


class PictureEvent(DocumentEvent):
    """Append-only history of a picture: generated, regenerated, edited, approved
    (actor, data, created: DocumentEvent)."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("Generated")
        REGENERATED = "regenerated", _("New version generated")
        EDITED = "edited", _("Edited")
        APPROVED = "approved", _("Approved")
        PDF = "pdf", _("PDF built")

    picture = models.ForeignKey(
        SituationPicture, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)

    def __str__(self) -> str:
        return f"{self.picture} {self.kind}"


class AreaAbility(models.Model):
    """The forum's "möjlighet att påverka" for one area in one picture version.

    Append-only: each assessment is a new row, the latest per area counts, and the
    earlier ones stay as the history. Carried over to a new version of the picture;
    read-only once the picture is approved (samsyn.pictures.actions).
    """

    class Level(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    picture = models.ForeignKey(
        SituationPicture, on_delete=models.CASCADE, related_name="abilities"
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    level = models.CharField(
        _("ability to influence"), max_length=10, choices=Level.choices
    )
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ability to influence")
        verbose_name_plural = _("abilities to influence")
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["picture", "area", "-created"])]

    def __str__(self) -> str:
        return f"{self.picture} {self.area_id} {self.level}"


def current_abilities(picture: SituationPicture) -> dict[str, AreaAbility]:
    """Area ref -> the latest assessment in this picture version."""
    out: dict[str, AreaAbility] = {}
    for ab in picture.abilities.select_related("area", "set_by").order_by(
        "created", "id"
    ):
        out[ab.area.ref] = ab
    return out
