"""Safety walks: plan, record observations, finish, and turn observations into
owned follow-ups (a physical-environment report or a proposed intervention)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from samsyn.interventions.actions import register_intervention
from samsyn.interventions.models import Intervention
from samsyn.lib.geo import to_sweref
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Organisation, record
from samsyn.reports.actions import change_status, submit_report
from samsyn.reports.models import Report
from samsyn.walks.models import Walk, WalkObservation

if TYPE_CHECKING:
    from samsyn.accounts.models import User

TRIGGER_TYPE = "walks.walkobservation"


class CannotConvert(ValueError):
    """The observation cannot become that kind of follow-up."""


@transaction.atomic
def plan_walk(collaboration: Collaboration, data: dict[str, Any], *, by: User) -> Walk:
    orgs = data.pop("organisations", [])
    walk = Walk.objects.create(collaboration=collaboration, created_by=by, **data)
    walk.organisations.set(orgs)
    record(by, "walk.planned", walk, data={"date": walk.date.isoformat()})
    return walk


@transaction.atomic
def finish_walk(walk: Walk, *, by: User) -> Walk:
    if walk.status != Walk.Status.DONE:
        walk.status = Walk.Status.DONE
        walk.save(update_fields=["status"])
        record(by, "walk.done", walk)
    return walk


@transaction.atomic
def record_observation(
    walk: Walk, data: dict[str, Any], *, by: User
) -> WalkObservation:
    lon, lat = float(data["lon"]), float(data["lat"])
    x, y = to_sweref(lon, lat)
    obs = WalkObservation.objects.create(
        walk=walk,
        collaboration=walk.collaboration,
        lon=round(lon, 6),
        lat=round(lat, 6),
        x=round(float(x), 1),
        y=round(float(y), 1),
        category=data["category"],
        note=data.get("note") or "",
        photo=data.get("photo") or "",
        suggested_action=data.get("suggested_action") or "",
        created_by=by,
    )
    record(by, "walk.observation_recorded", obs, data={"walk": str(walk.code)})
    return obs


def _description(obs: WalkObservation) -> str:
    parts = [obs.note, obs.suggested_action and f"Åtgärd: {obs.suggested_action}"]
    parts.append(f"Trygghetsvandring: {obs.walk.title} ({obs.walk.date:%Y-%m-%d})")
    return "\n".join(p for p in parts if p)


@transaction.atomic
def observation_to_report(
    obs: WalkObservation, access: Access, *, owner: Organisation, by: User
) -> Report:
    """Make one physical-environment report with ``owner`` responsible.

    Idempotent by the observation: the second call returns the first report.
    """
    locked = WalkObservation.objects.select_for_update().get(pk=obs.pk)
    if locked.report_id is not None:
        return locked.report  # type: ignore[return-value]
    if not locked.category.physical_environment:
        raise CannotConvert("not a physical-environment category")
    organisations = access.reporting_organisations()
    if not organisations:
        raise CannotConvert("no organisation to report for")
    reporter_org = Organisation.objects.get(pk=organisations[0])
    result = submit_report(
        access,
        {
            "category_obj": locked.category,
            "organisation_obj": reporter_org,
            "occurred_at": locked.created,
            "lon": locked.lon,
            "lat": locked.lat,
            "description": _description(locked),
            "severity": 2,
        },
        by=by,
        idempotency_key=f"walkobs-{locked.code}",
    )
    report = result.report
    if report.owner_id != owner.pk:
        change_status(
            report,
            by=by,
            status=Report.Status.ASSIGNED,
            owner=owner,
            note=f"Trygghetsvandring {locked.walk.title}",
        )
    locked.report = report
    locked.save(update_fields=["report"])
    obs.report = report
    record(by, "walk.observation_reported", locked, data={"report": str(report.code)})
    return report


@transaction.atomic
def observation_to_intervention(
    obs: WalkObservation, *, owner: Organisation, by: User
) -> Intervention:
    """Register a proposed intervention linked back to the observation (once)."""
    locked = WalkObservation.objects.select_for_update().get(pk=obs.pk)
    if locked.intervention_id is not None:
        return locked.intervention  # type: ignore[return-value]
    existing = Intervention.objects.filter(
        collaboration=locked.collaboration,
        trigger_type=TRIGGER_TYPE,
        trigger_code=str(locked.code),
    ).first()
    walk = locked.walk
    iv = existing or register_intervention(
        locked.collaboration,
        {
            "title": (locked.suggested_action or str(locked.category))[:200],
            "kind": Intervention.Kind.SITUATIONAL,
            "problem": locked.note,
            "categories": [locked.category],
            "areas": [walk.area] if walk.area_id else [],
            "lon": locked.lon,
            "lat": locked.lat,
            "trigger_text": f"Trygghetsvandring: {walk.title} ({walk.date:%Y-%m-%d})"[
                :300
            ],
            "trigger_type": TRIGGER_TYPE,
            "trigger_code": str(locked.code),
            "owner": owner,
            "starts_on": timezone.localdate(),
        },
        by=by,
    )
    locked.intervention = iv
    locked.save(update_fields=["intervention"])
    obs.intervention = iv
    record(by, "walk.observation_proposed", locked, data={"intervention": str(iv.code)})
    return iv
