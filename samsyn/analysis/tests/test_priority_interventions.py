"""The priority ranking reads open interventions from the register."""

from __future__ import annotations

from datetime import date

from samsyn.analysis import engine
from samsyn.analysis.tests.test_engine import MONDAY, at
from samsyn.areas.models import Place
from samsyn.interventions import actions as iv_actions
from samsyn.organisations.access import Access
from samsyn.tests.support import INSIDE_EAST, make_report


def _intervention(collab, owner, by, title, status, **links):
    iv = iv_actions.register_intervention(
        collab,
        {
            "title": title,
            "kind": "situational",
            "owner": owner,
            "starts_on": date(2026, 1, 5),
        },
        by=by,
    )
    iv.status = status
    iv.save()
    for a in links.get("areas", []):
        iv.areas.add(a)
    for p in links.get("places", []):
        iv.places.add(p)
    return iv


def test_it_counts_open_interventions_per_area(
    north_org, north_police, west_area, east_area, alice, sam
):  # type: ignore[no-untyped-def]
    collab = north_org.collaboration
    for w in range(1, 6):
        make_report(north_org, occurred_at=at(w), severity=4)
        make_report(north_police, occurred_at=at(w, 3))
    make_report(north_org, occurred_at=at(2), lonlat=INSIDE_EAST)
    kiosk = Place.objects.create(
        collaboration=collab,
        name="Kiosk",
        lon=INSIDE_EAST[0],
        lat=INSIDE_EAST[1],
        x=0,
        y=0,
        area=east_area,
    )
    _intervention(collab, north_org, alice, "Lights", "ongoing", areas=[west_area])
    _intervention(collab, north_org, alice, "Kiosk talk", "decided", places=[kiosk])
    _intervention(collab, north_org, alice, "Old", "done", areas=[west_area])
    _intervention(collab, north_org, alice, "Idea", "proposed", areas=[east_area])

    res = engine.priority(collab, at(6), MONDAY, Access.for_user(alice, collab))
    rows = {r["area"]: r for r in res["rows"]}
    assert rows["W"]["open_interventions"] == 1
    assert rows["E"]["open_interventions"] == 1
    comps = {c["component"]: c for c in rows["W"]["components"]}
    assert comps["open_interventions"]["raw"] == 1
    assert not any("no intervention register" in n for n in res["notes"])
    assert any("Open interventions" in n for n in res["notes"])


def test_it_counts_imported_police_crimes_and_says_when_there_are_none(
    north_org, west_area, east_area, alice
):  # type: ignore[no-untyped-def]
    from samsyn.police.models import ReportedCrime

    collab = north_org.collaboration
    for w in range(1, 6):
        make_report(north_org, occurred_at=at(w))
    access = Access.for_user(alice, collab)

    before = engine.priority(collab, at(6), MONDAY, access)
    assert all(r["police_crimes"] is None for r in before["rows"])
    assert any("missing" in n for n in before["notes"])

    serial = iter(range(100))

    def crime(area, when):  # type: ignore[no-untyped-def]
        return ReportedCrime(
            collaboration=collab,
            content_hash=f"c{next(serial)}",
            occurred_at=when,
            area=area,
            precision=ReportedCrime.Precision.POINT,
            lon=15.2,
            lat=59.27,
        )

    ReportedCrime.objects.bulk_create(
        [crime(west_area, at(w)) for w in (1, 2, 3)]
        + [crime(east_area, at(2))]
        + [crime(east_area, at(20))]  # before the period: not counted
        + [
            ReportedCrime(  # a municipality-level row has no area: not counted
                collaboration=collab,
                content_hash="municipality",
                occurred_at=at(2),
                precision=ReportedCrime.Precision.MUNICIPALITY,
            )
        ]
    )
    after = engine.priority(collab, at(6), MONDAY, access)
    rows = {r["area"]: r for r in after["rows"]}
    assert rows["W"]["police_crimes"] == 3
    assert rows["E"]["police_crimes"] == 1
    comps = {c["component"]: c for c in rows["W"]["components"]}
    assert comps["police_crimes"]["raw"] == 3
    assert not any("missing" in n for n in after["notes"])
