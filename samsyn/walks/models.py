"""Safety walks (trygghetsvandringar): residents and organisations walk a route
together, note what makes places feel unsafe and what should be done; each
observation can become an owned physical-environment report or a proposed
intervention."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.interventions.models import Intervention
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category, Report


class WalkQuerySet(models.QuerySet["Walk"]):
    def visible_to(self, access: Access) -> WalkQuerySet:
        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)


class Walk(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="walks"
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("area"),
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    # GeoJSON LineString in WGS84 (lon, lat), drawn on the map.
    route = models.JSONField(_("route"), null=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations")
    )
    # Residents take part anonymously: only how many, never who.
    residents_count = models.PositiveIntegerField(_("number of residents"), default=0)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    objects = WalkQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def route_points(self) -> list[list[float]]:
        if not self.route or self.route.get("type") != "LineString":
            return []
        return [list(p) for p in self.route.get("coordinates", [])]


# The kinds of photo accepted and served: Pillow's format -> (content type, suffix).
PHOTO_TYPES: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


def photo_type(data: bytes) -> tuple[str, str] | None:
    """(content type, suffix) of an accepted image, read from its bytes (never
    from its name); None for anything else."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return PHOTO_TYPES.get(fmt or "")


def photo_path(instance: WalkObservation, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"walks/{instance.code}.{ext}"


class WalkObservation(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    walk = models.ForeignKey(
        Walk, on_delete=models.CASCADE, related_name="observations"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    lon = models.FloatField()
    lat = models.FloatField()
    x = models.FloatField(help_text=_("SWEREF 99 TM easting (m)"))
    y = models.FloatField(help_text=_("SWEREF 99 TM northing (m)"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    note = models.TextField(_("what we saw"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    suggested_action = models.TextField(_("what should be done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # Follow-ups made from it (each made once; see walks.actions).
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.category} ({self.walk})"
