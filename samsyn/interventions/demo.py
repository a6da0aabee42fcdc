"""Demo interventions, including the planted displacement case of the demo data.

Call after the demo's reports are loaded:
``add_demo_interventions(collab)`` (reads var/demo-truths.json) or
``add_demo_interventions(collab, truths=result.data.truths, now=now)``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from samsyn.accounts.models import User
from samsyn.areas.models import Area, Place
from samsyn.interventions import actions
from samsyn.interventions.models import Intervention, Partnership
from samsyn.organisations.models import Collaboration, Membership, Organisation

K = Intervention.Kind
S = Intervention.Status


def _org(collab: Collaboration, kind: str) -> Organisation | None:
    return Organisation.objects.filter(collaboration=collab, kind=kind).first()


def _place(collab: Collaboration, name: str) -> Place | None:
    return Place.objects.filter(collaboration=collab, name=name).first()


def add_demo_interventions(
    collab: Collaboration,
    truths: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> list[Intervention]:
    """Create the planted displacement intervention (evaluated) and a few others.

    Idempotent: a collaboration that already has interventions gets no more.
    """
    existing = list(Intervention.objects.filter(collaboration=collab))
    if existing:
        return existing
    if truths is None:
        path = settings.BASE_DIR / "var" / "demo-truths.json"
        truths = json.loads(path.read_text(encoding="utf-8"))
    coordinator = (
        User.objects.filter(
            memberships__organisation__collaboration=collab,
            memberships__role=Membership.Role.COORDINATOR,
        )
        .order_by("pk")
        .first()
    )
    # The coordinator's own organisation (the municipality's EST office) owns most.
    kommun = (
        Organisation.objects.filter(
            collaboration=collab, memberships__user=coordinator
        ).first()
        if coordinator is not None
        else None
    ) or _org(collab, Organisation.Kind.MUNICIPALITY)
    police = _org(collab, Organisation.Kind.POLICE) or kommun
    housing = _org(collab, Organisation.Kind.HOUSING) or kommun
    if kommun is None:
        raise ValueError("The collaboration has no municipality organisation.")
    made: list[Intervention] = []

    # 1. The planted case: lighting and cameras at the underpass, which moved the
    #    problem to the playground 445 m away.
    d = truths["displacement"]
    spec, a = d["intervention"], d["place_a"]
    start = date.fromisoformat(spec["start"])
    place = _place(collab, a["name"])
    iv = actions.register_intervention(
        collab,
        {
            "title": spec["title"],
            "kind": spec["kind"],
            "problem": "Folksamlingar, skadegörelse och krossat glas i och runt "
            "gångtunneln på kvällarna.",
            "trigger_text": "Veckans lägesbild: ihållande hotspot",
            "goal": "Färre händelser vid gångtunneln utan att de flyttar någon annanstans.",
            "indicator": "Rapporter inom 100 m från gångtunneln och inom 600 m.",
            "owner": kommun,
            "starts_on": start,
            "ends_on": start + timedelta(weeks=26, days=-1),
            "lon": a["lon"],
            "lat": a["lat"],
            "target_radius_m": spec["target_radius_m"],
            "buffer_radius_m": spec["buffer_radius_m"],
            "places": [place] if place else [],
            "areas": list(Area.objects.filter(collaboration=collab, ref=a["deso"])),
            "planned_hours": Decimal("120"),
            "planned_cost": Decimal("450000"),
            "status": S.ONGOING,
        },
        by=coordinator,
        partners=[(police, "Patrullera gångtunneln fredag och lördag kväll")],
    )
    if housing != kommun:
        actions.ask_partner(
            iv, housing, role="Klipp buskarna längs gångvägen", by=coordinator
        )
    if coordinator is not None:
        for p in iv.partnerships.filter(status=Partnership.Status.ASKED)[:1]:
            actions.answer_partnership(p, accept=True, by=coordinator)
        actions.record_effort(
            iv, by=coordinator, spent_hours=Decimal("140"), spent_cost=Decimal("480000")
        )
    # Its period ends with the demo's data: mark it done and follow it up now.
    actions.change_status(iv, status=S.DONE, by=coordinator)
    try:
        actions.evaluate_intervention(iv, coordinator, now=now)
    except actions.EvaluationError:
        pass  # e.g. a demo too small for a control area; the page says so
    made.append(iv)

    # 2. Presence at the persistent hotspot at the travel centre, still running.
    hot = truths["persistent_hotspots"][0]
    hp = _place(collab, hot["name"])
    made.append(
        actions.register_intervention(
            collab,
            {
                "title": "Nattvandring och väktare vid Resecentrum",
                "kind": K.DIALOGUE,
                "goal": "Färre folksamlingar som skapar otrygghet på natten.",
                "owner": police,
                "starts_on": date(2026, 9, 7),
                "places": [hp] if hp else [],
                "status": S.ONGOING,
            },
            by=coordinator,
        )
    )
    # 3. An area-based social intervention, finished.
    vivalla = truths["persistent_hotspots"][2]
    made.append(
        actions.register_intervention(
            collab,
            {
                "title": "Fritidsgård med förlängda öppettider",
                "kind": K.SOCIAL,
                "goal": "Unga har någonstans att vara på kvällarna.",
                "owner": kommun,
                "starts_on": date(2026, 3, 2),
                "ends_on": date(2026, 6, 28),
                "areas": list(
                    Area.objects.filter(collaboration=collab, ref=vivalla["deso"])
                ),
                "spent_hours": Decimal("600"),
                "spent_cost": Decimal("310000"),
                "status": S.ONGOING,
            },
            by=coordinator,
        )
    )
    # 4. and 5. Decided and proposed ones from the weekly meeting.
    sp = _place(collab, truths["persistent_hotspots"][1]["name"])
    made.append(
        actions.register_intervention(
            collab,
            {
                "title": "Trafikkontroller mot buskörning vid Stortorget",
                "kind": K.ENFORCEMENT,
                "owner": police,
                "starts_on": date(2026, 11, 27),
                "ends_on": date(2026, 12, 20),
                "places": [sp] if sp else [],
                "status": S.DECIDED,
            },
            by=coordinator,
        )
    )
    em = truths["emerging_hotspot"]
    ep = _place(collab, em["name"])
    made.append(
        actions.register_intervention(
            collab,
            {
                "title": "Bättre belysning i parkeringshuset",
                "kind": K.SITUATIONAL,
                "owner": housing,
                "starts_on": date(2026, 12, 1),
                "places": [ep] if ep else [],
            },
            by=coordinator,
        )
    )
    # Follow-up of the finished ones, as the scheduled command would do.
    actions.evaluate_due(now=now)
    return made
