"""Events from the Police Authority's public events feed (polisen.se/api/events).

An event's position in the feed is the centroid of the place it is filed under (a county,
a municipality or a town), never where it happened. It is kept as `centroid_lat` /
`centroid_lon` so that nobody mistakes it for a point, and every event carries the level
it is known at (`precision`): county events are context shown apart from the
municipality's own figures, never counted as them. See docs/decisions/0006.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration


class PoliceEventQuerySet(models.QuerySet["PoliceEvent"]):
    def in_collaboration(self, collaboration: Collaboration) -> PoliceEventQuerySet:
        return self.filter(collaboration=collaboration)

    def countable(self) -> PoliceEventQuerySet:
        """Incidents only: no night summaries, press notices or updates."""
        return self.filter(is_summary=False)

    def municipality_level(self) -> PoliceEventQuerySet:
        """Events known to be in the collaboration's municipality (or a town in it)."""
        return self.filter(
            precision__in=[
                PoliceEvent.Precision.MUNICIPALITY,
                PoliceEvent.Precision.TOWN,
            ]
        )

    def county_context(self) -> PoliceEventQuerySet:
        """Events known only at county level: context, never the municipality's figures."""
        return self.filter(precision=PoliceEvent.Precision.COUNTY)


class PoliceEvent(models.Model):
    class Precision(models.TextChoices):
        COUNTY = "county", _("County")
        MUNICIPALITY = "municipality", _("Municipality")
        TOWN = "town", _("Town or place")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="police_events"
    )
    external_id = models.PositiveBigIntegerField(_("police event id"))
    occurred_at = models.DateTimeField(_("time"))
    name = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    type = models.CharField(_("event type"), max_length=100)
    location_name = models.CharField(
        _("location in the feed"),
        max_length=100,
        help_text=_("The feed's location.name: a county, a municipality or a town."),
    )
    place_name = models.CharField(
        _("place"),
        max_length=100,
        help_text=_(
            "The place the event is attributed to: location.name, or the place named "
            "last in the title when location.name is a county."
        ),
    )
    precision = models.CharField(_("precision"), max_length=20, choices=Precision)
    # The centroid of location.name, never the event's position: not to be drawn as a
    # point or binned into cells.
    centroid_lat = models.FloatField(_("centroid latitude"))
    centroid_lon = models.FloatField(_("centroid longitude"))
    is_summary = models.BooleanField(
        _("summary or notice"),
        default=False,
        help_text=_("Night summaries, press notices and updates are not incidents."),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(default=timezone.now, editable=False)

    objects = PoliceEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("police event")
        verbose_name_plural = _("police events")
        ordering = ["-occurred_at", "-external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "external_id"],
                name="police_event_id_per_collab",
            )
        ]
        indexes = [models.Index(fields=["collaboration", "occurred_at"])]

    def __str__(self) -> str:
        return self.name
