"""Events from the Police Authority's public events feed (polisen.se/api/events).

An event's time (`occurred_at`) is read from its title, where the police write when it
happened; the feed's `datetime` is only when it was published (`published_at`).

An event's position in the feed is the centroid of the place it is filed under (a county,
a municipality or a town), never where it happened. It is kept as `centroid_lat` /
`centroid_lon` so that nobody mistakes it for a point, and every event carries the level
it is known at (`precision`): county events are context shown apart from the
municipality's own figures, never counted as them. See docs/decisions/0006.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration
from samsyn.police import titles


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

    class TimeSource(models.TextChoices):
        TITLE = titles.SOURCE_TITLE, _("Day and time in the title")
        TITLE_DAY = titles.SOURCE_TITLE_DAY, _("Day in the title, no time")
        PUBLISHED = titles.SOURCE_PUBLISHED, _("Publication time (no date in title)")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="police_events"
    )
    external_id = models.PositiveBigIntegerField(_("police event id"))
    # When it happened, from the title ("15 augusti 23.09, ..."); every figure uses
    # this. The feed's own datetime is when it was published. See decision 0006.
    occurred_at = models.DateTimeField(_("time"))
    published_at = models.DateTimeField(_("published"))
    time_source = models.CharField(
        _("time from"),
        max_length=10,
        choices=TimeSource,
        default=TimeSource.TITLE,
        help_text=_(
            "The title's day and time; the title's day only; or, when the title has "
            "no date, the publication time."
        ),
    )
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


class ImportBatch(models.Model):
    """One import of a file (events feed or reported crimes): who, when, what came of it.

    A web upload first becomes a `preview` batch (a dry run, with the file kept in
    `payload`); confirming it runs the import as a task that moves it to `running` and
    then `done` or `failed`, updating `progress_done`/`progress_total` as it goes.
    """

    class Kind(models.TextChoices):
        EVENTS = "events", _("Police events feed")
        CRIMES = "crimes", _("Reported crimes")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="import_batches"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.RUNNING
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # [{"row": 12 or "#3" or an event id, "reason": "..."}]
    skipped = models.JSONField(_("skipped rows"), default=list, blank=True)
    # Options the import runs with (mapping snapshot, county, places).
    options = models.JSONField(default=dict, blank=True)
    # The dry run's first rows, shown before confirming.
    preview = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The uploaded file, kept between preview and run; emptied when the run ends.
    payload = models.BinaryField(default=b"", blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["collaboration", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ColumnMapping(models.Model):
    """Which column of a crime extract holds what; saved per collaboration by name."""

    class Crs(models.TextChoices):
        SWEREF99TM = "sweref99tm", _("SWEREF 99 TM (metres)")
        WGS84 = "wgs84", _("WGS84 (degrees)")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="column_mappings"
    )
    name = models.CharField(_("name"), max_length=100)
    time_column = models.CharField(
        _("date (and time) column"),
        max_length=100,
        help_text=_("The column with the date, or the date and time together."),
    )
    time_format = models.CharField(
        _("date format"),
        max_length=50,
        blank=True,
        help_text=_(
            "Like %Y-%m-%d %H:%M. Empty: recognised (2026-08-22 19:51, 20260822, "
            "22/08/2026 …)."
        ),
    )
    clock_column = models.CharField(
        _("separate time column"),
        max_length=100,
        blank=True,
        help_text=_("When the time of day is in a column of its own."),
    )
    case_column = models.CharField(_("case number column"), max_length=100, blank=True)
    code_column = models.CharField(_("crime code column"), max_length=100, blank=True)
    type_column = models.CharField(_("crime type column"), max_length=100, blank=True)
    x_column = models.CharField(_("x / longitude column"), max_length=100, blank=True)
    y_column = models.CharField(_("y / latitude column"), max_length=100, blank=True)
    crs = models.CharField(
        _("coordinate system"), max_length=12, choices=Crs, default=Crs.SWEREF99TM
    )
    # {"Skadegörelse": "vandalism", "1201": "vandalism"}: crime type text or code →
    # checklist category code.
    category_map = models.JSONField(
        _("crime type → category"), default=dict, blank=True
    )
    updated = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "name"], name="police_mapping_name_per_collab"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportedCrimeQuerySet(models.QuerySet["ReportedCrime"]):
    def in_collaboration(self, collaboration: Collaboration) -> ReportedCrimeQuerySet:
        return self.filter(collaboration=collaboration)

    def points(self) -> ReportedCrimeQuerySet:
        """Crimes with a position inside the collaboration's areas."""
        return self.filter(precision=ReportedCrime.Precision.POINT, outside=False)


class ReportedCrime(models.Model):
    """A reported crime (anmält brott) from the local police's extract.

    With coordinates it is a point (x/y SWEREF 99 TM and lon/lat WGS84, area assigned
    when written; `outside` when it lies in none of the collaboration's areas). Without
    coordinates it is known only at municipality level.
    """

    class Precision(models.TextChoices):
        POINT = "point", _("Point")
        MUNICIPALITY = "municipality", _("Municipality")

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="reported_crimes"
    )
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    crime_code = models.CharField(_("crime code"), max_length=20, blank=True)
    crime_type = models.CharField(_("crime type"), max_length=200, blank=True)
    category = models.ForeignKey(
        "reports.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: kept as the police's own category."),
    )
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("area"),
    )
    precision = models.CharField(_("precision"), max_length=20, choices=Precision)
    outside = models.BooleanField(
        _("outside the areas"),
        default=False,
        help_text=_("Has coordinates, but in none of the collaboration's areas."),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crimes",
    )

    objects = ReportedCrimeQuerySet.as_manager()

    class Meta:
        verbose_name = _("reported crime")
        verbose_name_plural = _("reported crimes")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "case_number"],
                condition=~models.Q(case_number=""),
                name="police_crime_case_per_collab",
            ),
            models.UniqueConstraint(
                fields=["collaboration", "content_hash"],
                condition=models.Q(case_number=""),
                name="police_crime_hash_per_collab",
            ),
        ]
        indexes = [models.Index(fields=["collaboration", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.case_number or self.crime_type} {self.occurred_at:%Y-%m-%d}"
