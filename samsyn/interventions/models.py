"""Interventions (insatser): what the collaboration decided to do, with whom, and
whether it worked.

An `Intervention` answers a problem (categories, areas, places or a point) and carries
its goal, indicator, owner, partners, period and effort. Its status is a workflow
(proposed → decided → ongoing → done → evaluated, or cancelled) whose history is
append-only in `InterventionEvent`; the `status` column is the latest value, written
in the same transaction. Partners are asked (`Partnership`) and answer. Each follow-up
is an `Evaluation` row with its inputs and results frozen as JSON, so a later change
of reports or boundaries never rewrites what the collaboration was told.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.reports.models import Category

if TYPE_CHECKING:
    from datetime import date


class InterventionQuerySet(models.QuerySet["Intervention"]):
    def visible_to(self, access: Access) -> InterventionQuerySet:
        """The one door: everyone in the collaboration who reads reports reads these."""
        if access.collaboration is None or not access.can(Cap.VIEW_REPORTS):
            return self.none()
        return self.filter(collaboration=access.collaboration)

    def in_year(self, year: int) -> InterventionQuerySet:
        return self.filter(
            Q(starts_on__year__lte=year)
            & (Q(ends_on__isnull=True) | Q(ends_on__year__gte=year))
        )

    def due_for_evaluation(self, today: date) -> InterventionQuerySet:
        """Ended, not cancelled or merely proposed, and never evaluated."""
        return self.filter(
            ends_on__lt=today,
            status__in=[
                Intervention.Status.DECIDED,
                Intervention.Status.ONGOING,
                Intervention.Status.DONE,
            ],
            evaluations__isnull=True,
        )


class Intervention(models.Model):
    class Kind(models.TextChoices):
        SITUATIONAL = "situational", _("Situational / physical")
        SOCIAL = "social", _("Social / preventive")
        DIALOGUE = "dialogue", _("Dialogue / presence")
        ENFORCEMENT = "enforcement", _("Enforcement")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DECIDED = "decided", _("Decided")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        EVALUATED = "evaluated", _("Evaluated")
        CANCELLED = "cancelled", _("Cancelled")

    # Allowed status changes by hand. EVALUATED is reached by evaluating (an action),
    # never chosen from a list.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PROPOSED: (Status.DECIDED, Status.CANCELLED),
        Status.DECIDED: (Status.ONGOING, Status.CANCELLED),
        Status.ONGOING: (Status.DONE, Status.CANCELLED),
        Status.DONE: (Status.EVALUATED,),
        Status.EVALUATED: (),
        Status.CANCELLED: (),
    }

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="interventions"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    # The problem it answers.
    problem = models.TextField(_("problem"), blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="interventions", verbose_name=_("categories")
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="interventions", verbose_name=_("areas")
    )
    places = models.ManyToManyField(
        Place, blank=True, related_name="interventions", verbose_name=_("places")
    )
    # Optional point for place-based interventions (stored twice, as everywhere).
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    x = models.FloatField(
        null=True, blank=True, help_text=_("SWEREF 99 TM easting (m)")
    )
    y = models.FloatField(
        null=True, blank=True, help_text=_("SWEREF 99 TM northing (m)")
    )
    target_radius_m = models.PositiveIntegerField(_("target radius (m)"), default=100)
    buffer_radius_m = models.PositiveIntegerField(_("buffer radius (m)"), default=500)
    # What triggered it: free text, plus a generic link to e.g. a situation picture
    # or a meeting decision ("pictures.situationpicture", its code).
    trigger_text = models.CharField(_("trigger"), max_length=300, blank=True)
    trigger_type = models.CharField(max_length=64, blank=True)
    trigger_code = models.CharField(max_length=64, blank=True)
    goal = models.TextField(_("goal"), blank=True)
    indicator = models.TextField(_("indicator"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_interventions",
        verbose_name=_("owner organisation"),
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    planned_cost = models.DecimalField(
        _("planned cost (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    spent_hours = models.DecimalField(
        _("hours spent"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    spent_cost = models.DecimalField(
        _("cost spent (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    published_to_residents = models.BooleanField(
        _("published to residents"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["collaboration", "status"]),
            models.Index(fields=["collaboration", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="intervention_period_order",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True, lat__isnull=True)
                | Q(lon__isnull=False, lat__isnull=False),
                name="intervention_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_place_based(self) -> bool:
        return self.lon is not None and self.lat is not None

    def allowed_transitions(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.status, ())

    def manual_transitions(self) -> list[tuple[str, str]]:
        """(value, label) of the status buttons: every transition but 'evaluated'."""
        labels = dict(self.Status.choices)
        return [
            (s, str(labels[s]))
            for s in self.allowed_transitions()
            if s != self.Status.EVALUATED
        ]

    def can_evaluate(self) -> bool:
        return self.status in (
            self.Status.ONGOING,
            self.Status.DONE,
            self.Status.EVALUATED,
        )

    def can_update(self, access: Access) -> bool:
        """Coordinators update every intervention; the owner's org lead their own."""
        if (
            access.collaboration is None
            or access.collaboration.pk != self.collaboration_id
        ):
            return False
        if access.can(Cap.MANAGE_INTERVENTIONS):
            return True
        roles = access.roles_by_org.get(self.owner_id, frozenset())
        return Membership.Role.ORG_LEAD in roles

    def latest_evaluation(self) -> Evaluation | None:
        return self.evaluations.order_by("-created", "-id").first()


class InterventionEvent(models.Model):
    """Append-only status history of an intervention."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="events"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    status = models.CharField(max_length=20, choices=Intervention.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.intervention_id} → {self.status}"


class Partnership(models.Model):
    """An organisation asked to take part in an intervention (samverkanspart)."""

    class Status(models.TextChoices):
        ASKED = "asked", _("Asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="partnerships"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("what is asked"), max_length=300, blank=True)
    status = models.CharField(
        _("answer"), max_length=10, choices=Status.choices, default=Status.ASKED
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "organisation"],
                name="one_partnership_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.status})"

    def can_answer(self, access: Access) -> bool:
        """Members of the partner organisation answer (not its steering members)."""
        roles = access.roles_by_org.get(self.organisation_id, frozenset())
        return bool(roles - {Membership.Role.STEERING})


class PartnershipEvent(models.Model):
    """Append-only history of a partnership: asked, accepted, declined."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="events"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Partnership.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.partnership_id} → {self.status}"


def note_upload_to(instance: InterventionNote, filename: str) -> str:
    # A random name: the original file name may itself identify someone.
    suffix = Path(filename).suffix.lower()[:10]
    return f"interventions/{instance.collaboration_id}/{uuid.uuid4().hex}{suffix}"


class InterventionNote(models.Model):
    """A note or document on an intervention (minutes, a plan, a photo of the site)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="notes"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    text = models.TextField(_("note"), blank=True)
    file = models.FileField(_("file"), upload_to=note_upload_to, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.text[:50] or self.file_name


class Evaluation(models.Model):
    """One follow-up of an intervention, frozen: inputs, counts, figures, verdicts."""

    class Method(models.TextChoices):
        POINT = "point", _("Place-based (point and radii)")
        AREAS = "areas", _("Area-based (areas and their neighbours)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="evaluations"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    method = models.CharField(max_length=10, choices=Method.choices)
    # Verdict codes from samsyn.analysis.stats.evaluation (worked, no_measurable_change,
    # worse, too_few_events; displacement, diffusion_of_benefit, no_displacement,
    # undefined), kept as columns so the annual analysis can count them.
    effect = models.CharField(max_length=30)
    displacement = models.CharField(max_length=30)
    prevented = models.FloatField(null=True, blank=True)  # total net effect
    cost_per_prevented = models.FloatField(null=True, blank=True)
    inputs = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.intervention} {self.effect}/{self.displacement}"

    @property
    def counts(self) -> dict[str, Any]:
        return self.results.get("counts", {})


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
