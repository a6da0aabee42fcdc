"""Who may do what: coordinators, the owner's org lead, partners, everyone else."""

from __future__ import annotations

from django.test import Client

from samsyn.interventions import actions
from samsyn.interventions.models import Intervention, Partnership
from samsyn.organisations.models import Membership
from samsyn.tests.support import member

Role = Membership.Role


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_it_lets_the_owner_org_lead_update_status_and_effort(make_iv, north_org):
    lead = member(north_org, Role.ORG_LEAD, "lena")
    iv = make_iv()
    c = _client(lead)
    assert (
        c.post(f"/interventions/{iv.code}/status/", {"status": "decided"}).status_code
        == 302
    )
    c.post(
        f"/interventions/{iv.code}/effort/",
        {"spent_hours": "12.5", "spent_cost": "9000"},
    )
    iv.refresh_from_db()
    assert iv.status == "decided" and str(iv.spent_cost) == "9000"
    # ... but not edit the register entry, ask partners or evaluate.
    assert c.get(f"/interventions/{iv.code}/edit/").status_code == 404
    assert c.post(f"/interventions/{iv.code}/evaluate/").status_code == 404


def test_it_refuses_another_organisations_lead(make_iv, north_police):
    lead = member(north_police, Role.ORG_LEAD, "pelle")
    iv = make_iv()
    c = _client(lead)
    assert c.get(f"/interventions/{iv.code}/").status_code == 200
    assert (
        c.post(f"/interventions/{iv.code}/status/", {"status": "decided"}).status_code
        == 404
    )
    iv.refresh_from_db()
    assert iv.status == "proposed"


def test_it_lets_partners_accept_or_decline(
    make_iv, alice, petra, north_police, north_housing
):
    iv = make_iv()
    p = actions.ask_partner(iv, north_police, role="Patrol on Fridays", by=alice)
    url = f"/interventions/{iv.code}/partners/{p.code}/answer/"
    page = _client(petra).get(f"/interventions/{iv.code}/").content.decode()
    assert "Patrol on Fridays" in page and url in page
    assert _client(petra).post(url, {"answer": "declined"}).status_code == 302
    assert _client(petra).post(url, {"answer": "accepted"}).status_code == 302
    p.refresh_from_db()
    assert p.status == Partnership.Status.ACCEPTED and p.answered_by == petra
    assert [e.status for e in p.events.all()] == ["asked", "declined", "accepted"]
    # The coordinator asks, but does not answer for the police.
    assert _client(alice).post(url, {"answer": "declined"}).status_code == 404
    housing = member(north_housing, Role.REPORTER, "hugo")
    assert _client(housing).post(url, {"answer": "declined"}).status_code == 404


def test_it_lets_coordinators_ask_partners(make_iv, alice, north_police):
    iv = make_iv()
    r = _client(alice).post(
        f"/interventions/{iv.code}/partners/",
        {"organisation": north_police.pk, "role": "Patrols"},
    )
    assert r.status_code == 302
    assert iv.partnerships.get().organisation == north_police


def test_it_lets_every_member_read_and_only_coordinators_manage(
    make_iv, bob, sam, adam, anna
):
    iv = make_iv()
    for user in (bob, sam, adam, anna):
        c = _client(user)
        assert c.get("/interventions/").status_code == 200
        assert c.get(f"/interventions/{iv.code}/").status_code == 200
        assert c.get("/interventions/quick/").status_code == 404
        assert (
            c.post(
                f"/interventions/{iv.code}/status/", {"status": "decided"}
            ).status_code
            == 404
        )
    assert Intervention.objects.get().status == "proposed"


def test_it_hides_interventions_from_another_collaboration(make_iv, carl):
    iv = make_iv()
    c = _client(carl)
    assert c.get(f"/interventions/{iv.code}/").status_code == 404
    assert c.get(f"/api/v1/interventions/{iv.code}").status_code == 404
    assert c.get("/api/v1/interventions").json() == []
    assert c.get("/interventions/").context["page"].paginator.count == 0
    assert c.post(f"/interventions/{iv.code}/evaluate/").status_code == 404
