"""Every change to interventions: register, status, effort, partners, notes, follow-up.

Each action checks the workflow, appends history and writes an audit entry. Rights
are checked by the views (Access); actions trust their caller.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.interventions import followup
from samsyn.interventions.models import (
    Evaluation,
    Intervention,
    InterventionEvent,
    InterventionNote,
    Partnership,
    PartnershipEvent,
)
from samsyn.lib.geo import to_sweref
from samsyn.lib.progress import Progress, null
from samsyn.organisations.models import Collaboration, Organisation, record

if TYPE_CHECKING:
    from samsyn.accounts.models import User

EvaluationError = followup.EvaluationError

M2M = ("categories", "areas", "places")


class TransitionNotAllowed(ValueError):
    """The status change is not allowed from the current status."""


def _set_point(iv: Intervention) -> None:
    if iv.lon is not None and iv.lat is not None:
        x, y = to_sweref(iv.lon, iv.lat)
        iv.x, iv.y = round(float(x), 1), round(float(y), 1)
    else:
        iv.lon = iv.lat = iv.x = iv.y = None


@transaction.atomic
def register_intervention(
    collaboration: Collaboration,
    data: dict[str, Any],
    *,
    by: User | None,
    partners: list[tuple[Organisation, str]] | None = None,
) -> Intervention:
    """Create an intervention (status proposed unless ``data['status']`` says decided
    or ongoing — the weekly meeting often records a measure already decided)."""
    values = {k: v for k, v in data.items() if k not in M2M and k != "status"}
    iv = Intervention(collaboration=collaboration, created_by=by, **values)
    if iv.lon is None and iv.lat is None and data.get("places"):
        # A single named place is the natural point of a place-based intervention.
        places = list(data["places"])
        if len(places) == 1:
            iv.lon, iv.lat = places[0].lon, places[0].lat
    _set_point(iv)
    iv.status = Intervention.Status.PROPOSED
    iv.save()
    for name in M2M:
        if data.get(name):
            getattr(iv, name).set(data[name])
    InterventionEvent.objects.create(
        intervention=iv,
        collaboration=collaboration,
        status=iv.status,
        changed_by=by,
        created=iv.created,
    )
    record(by, "intervention.registered", iv, data={"kind": iv.kind})
    wanted = data.get("status") or Intervention.Status.PROPOSED
    path = {
        Intervention.Status.DECIDED: [Intervention.Status.DECIDED],
        Intervention.Status.ONGOING: [
            Intervention.Status.DECIDED,
            Intervention.Status.ONGOING,
        ],
    }.get(wanted, [])
    for status in path:
        change_status(iv, status=status, by=by)
    for org, role in partners or []:
        ask_partner(iv, org, role=role, by=by)
    return iv


@transaction.atomic
def update_intervention(
    iv: Intervention, data: dict[str, Any], *, by: User
) -> Intervention:
    """Edit the register entry (coordinators): fields and the problem's links."""
    changed = []
    for k, v in data.items():
        if k in M2M or k == "status":
            continue
        if getattr(iv, k) != v:
            setattr(iv, k, v)
            changed.append(k)
    _set_point(iv)
    iv.save()
    for name in M2M:
        if name in data:
            getattr(iv, name).set(data[name])
    record(by, "intervention.updated", iv, data={"fields": sorted(changed)})
    return iv


@transaction.atomic
def change_status(
    iv: Intervention, *, status: str, by: User | None, note: str = ""
) -> Intervention:
    locked = Intervention.objects.select_for_update().get(pk=iv.pk)
    if status not in locked.allowed_transitions():
        raise TransitionNotAllowed(f"{locked.status} → {status}")
    old = locked.status
    iv.status = status
    Intervention.objects.filter(pk=iv.pk).update(status=status, updated=timezone.now())
    InterventionEvent.objects.create(
        intervention=iv,
        collaboration_id=iv.collaboration_id,
        status=status,
        note=note,
        changed_by=by,
    )
    record(by, "intervention.status_changed", iv, data={"from": old, "to": status})
    return iv


@transaction.atomic
def record_effort(
    iv: Intervention,
    *,
    by: User,
    spent_hours: Decimal | None,
    spent_cost: Decimal | None,
) -> Intervention:
    iv.spent_hours = spent_hours
    iv.spent_cost = spent_cost
    iv.save(update_fields=["spent_hours", "spent_cost", "updated"])
    record(
        by,
        "intervention.effort_recorded",
        iv,
        data={
            "spent_hours": None if spent_hours is None else str(spent_hours),
            "spent_cost": None if spent_cost is None else str(spent_cost),
        },
    )
    return iv


@transaction.atomic
def set_published(iv: Intervention, *, published: bool, by: User) -> Intervention:
    iv.published_to_residents = published
    iv.save(update_fields=["published_to_residents", "updated"])
    record(
        by, "intervention.published" if published else "intervention.unpublished", iv
    )
    return iv


@transaction.atomic
def ask_partner(
    iv: Intervention, organisation: Organisation, *, role: str, by: User | None
) -> Partnership:
    """Ask an organisation to take part (again, if it declined before)."""
    if organisation.collaboration_id != iv.collaboration_id:
        raise ValueError("The partner must belong to the same collaboration.")
    p, created = Partnership.objects.get_or_create(
        intervention=iv,
        organisation=organisation,
        defaults={"collaboration_id": iv.collaboration_id, "role": role},
    )
    if not created:
        p.role = role or p.role
        p.status = Partnership.Status.ASKED
        p.answered_by = None
        p.answered_at = None
        p.save(update_fields=["role", "status", "answered_by", "answered_at"])
    PartnershipEvent.objects.create(
        partnership=p,
        collaboration_id=iv.collaboration_id,
        status=Partnership.Status.ASKED,
        note=role,
        changed_by=by,
    )
    record(
        by, "intervention.partner_asked", iv, data={"organisation": organisation.slug}
    )
    return p


@transaction.atomic
def answer_partnership(
    p: Partnership, *, accept: bool, by: User, note: str = ""
) -> Partnership:
    status = Partnership.Status.ACCEPTED if accept else Partnership.Status.DECLINED
    p.status = status
    p.answered_by = by
    p.answered_at = timezone.now()
    p.save(update_fields=["status", "answered_by", "answered_at"])
    PartnershipEvent.objects.create(
        partnership=p,
        collaboration_id=p.collaboration_id,
        status=status,
        note=note,
        changed_by=by,
    )
    record(
        by,
        f"intervention.partner_{status}",
        p.intervention,
        data={"organisation": p.organisation.slug},
    )
    return p


@transaction.atomic
def add_note(
    iv: Intervention, *, by: User, text: str, file: UploadedFile | None = None
) -> InterventionNote:
    note = InterventionNote(
        intervention=iv, collaboration_id=iv.collaboration_id, text=text, author=by
    )
    if file is not None:
        note.file_name = (file.name or "")[:200]
        note.file.save(file.name or "file", file, save=False)
    note.save()
    record(by, "intervention.note_added", iv, data={"file": bool(file)})
    return note


@transaction.atomic
def evaluate_intervention(
    intervention: Intervention,
    by: User | None,
    control: str | None = None,
    *,
    now: datetime | None = None,
) -> Evaluation:
    """Evaluate with the analytics engine and store the frozen result.

    ``control``: None for automatic, or an area ref. A done intervention becomes
    evaluated; an ongoing one keeps its status (an interim result) and an evaluated
    one gets a newer evaluation beside the old ones. Raises EvaluationError.
    """
    iv = intervention
    if not iv.can_evaluate():
        raise EvaluationError(
            _("Only ongoing or finished interventions are evaluated.")
        )
    inputs, results = followup.compute(iv, control or "auto", now=now)
    ev = Evaluation.objects.create(
        intervention=iv,
        collaboration_id=iv.collaboration_id,
        method=inputs["method"],
        effect=results["effect"],
        displacement=results["displacement"],
        prevented=results.get("prevented"),
        cost_per_prevented=results.get("cost_per_prevented_event"),
        inputs=inputs,
        results=results,
        evaluated_by=by,
    )
    record(
        by,
        "intervention.evaluated",
        iv,
        data={"effect": ev.effect, "displacement": ev.displacement},
    )
    if iv.status == Intervention.Status.DONE:
        change_status(iv, status=Intervention.Status.EVALUATED, by=by)
    return ev


def evaluate_due(
    *, now: datetime | None = None, progress: Progress | None = None
) -> list[tuple[Intervention, str]]:
    """Evaluate every intervention whose period ended and that has no evaluation.

    Ongoing (or decided) ones are first marked done. Returns (intervention, outcome)
    pairs; an intervention that cannot be evaluated is reported and left alone, so
    the next run tries again.
    """
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    out: list[tuple[Intervention, str]] = []
    qs = Intervention.objects.due_for_evaluation(today).select_related("collaboration")
    due = list(qs.order_by("ends_on", "pk"))
    progress = progress or null()
    progress.stage("evaluating interventions", total=len(due))
    for iv in due:
        progress.advance()
        try:
            with transaction.atomic():
                if iv.status == Intervention.Status.DECIDED:
                    change_status(iv, status=Intervention.Status.ONGOING, by=None)
                if iv.status == Intervention.Status.ONGOING:
                    change_status(
                        iv,
                        status=Intervention.Status.DONE,
                        by=None,
                        note="Period ended.",
                    )
                ev = evaluate_intervention(iv, None, now=now)
            out.append((iv, f"{ev.effect}/{ev.displacement}"))
        except EvaluationError as exc:
            out.append((iv, f"not evaluated: {exc}"))
    return out
