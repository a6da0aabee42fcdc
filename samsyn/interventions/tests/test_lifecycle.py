"""The workflow: register, status transitions and their append-only history, notes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samsyn.interventions import actions
from samsyn.interventions.models import Intervention, InterventionEvent
from samsyn.organisations.models import AuditEvent

S = Intervention.Status


def test_it_registers_a_proposed_intervention_with_history(make_iv, alice):
    iv = make_iv()
    assert iv.status == S.PROPOSED
    assert [e.status for e in iv.events.all()] == [S.PROPOSED]
    assert AuditEvent.objects.filter(action="intervention.registered").count() == 1


def test_it_walks_the_whole_lifecycle(make_iv, alice):
    iv = make_iv()
    for status in (S.DECIDED, S.ONGOING, S.DONE):
        actions.change_status(iv, status=status, by=alice)
    iv.refresh_from_db()
    assert iv.status == S.DONE
    assert [e.status for e in iv.events.all()] == [
        S.PROPOSED, S.DECIDED, S.ONGOING, S.DONE,
    ]  # fmt: skip
    assert iv.manual_transitions() == []  # evaluated only by evaluating


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], S.DONE),
        ([], S.EVALUATED),
        ([S.DECIDED], S.PROPOSED),
        ([S.CANCELLED], S.DECIDED),
        ([S.DECIDED, S.ONGOING, S.DONE], S.CANCELLED),
    ],
)
def test_it_refuses_transitions_out_of_order(make_iv, alice, path, bad):
    iv = make_iv()
    for status in path:
        actions.change_status(iv, status=status, by=alice)
    with pytest.raises(actions.TransitionNotAllowed):
        actions.change_status(iv, status=bad, by=alice)
    assert InterventionEvent.objects.filter(intervention=iv).count() == 1 + len(path)


def test_it_records_from_the_weekly_meeting_in_one_post(alice, north_org, west_area):
    client = Client()
    client.force_login(alice)
    r = client.post(
        "/interventions/quick/",
        {
            "title": "Dialogue with youths at the square",
            "kind": "dialogue",
            "area": west_area.pk,
            "owner": north_org.pk,
            "starts_on": "2026-11-23",
            "ends_on": "2026-11-29",
            "status": "decided",
        },
    )
    iv = Intervention.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/interventions/{iv.code}/"
    assert iv.status == S.DECIDED
    assert list(iv.areas.all()) == [west_area]
    assert [e.status for e in iv.events.all()] == [S.PROPOSED, S.DECIDED]


def test_it_shows_quick_capture_errors(alice, north_org):
    client = Client()
    client.force_login(alice)
    r = client.post(
        "/interventions/quick/",
        {"title": "Ring 070-123 45 67", "kind": "other", "owner": north_org.pk,
         "starts_on": "2026-11-23", "ends_on": "2026-11-01", "status": "decided"},
    )  # fmt: skip
    assert r.status_code == 422
    assert set(r.context["form"].errors) == {"title", "ends_on"}
    assert not Intervention.objects.exists()


def test_it_changes_status_by_buttons_and_lists_the_history(make_iv, alice):
    iv = make_iv()
    client = Client()
    client.force_login(alice)
    client.post(f"/interventions/{iv.code}/status/", {"status": "decided"})
    client.post(f"/interventions/{iv.code}/status/", {"status": "done"})  # refused
    iv.refresh_from_db()
    assert iv.status == S.DECIDED
    page = client.get(f"/interventions/{iv.code}/").content.decode()
    assert 'value="ongoing"' in page and 'value="cancelled"' in page
    assert 'value="done"' not in page


def test_it_keeps_notes_and_documents(make_iv, alice, media):
    iv = make_iv()
    client = Client()
    client.force_login(alice)
    upload = SimpleUploadedFile("plan 1.pdf", b"%PDF-1.4 plan", "application/pdf")
    client.post(f"/interventions/{iv.code}/notes/", {"text": "Plan", "file": upload})
    client.post(
        f"/interventions/{iv.code}/notes/", {"text": "Call 19121212-1212 tomorrow"}
    )
    note = iv.notes.get()
    assert note.file.name.startswith(f"interventions/{iv.collaboration_id}/")
    assert (media / note.file.name).exists()
    r = client.get(f"/interventions/{iv.code}/notes/{note.pk}/file/")
    assert r.content == b"%PDF-1.4 plan"
    assert "plan 1.pdf" in r["Content-Disposition"]


def test_it_filters_the_register(make_iv, alice, north_police, west_area):
    make_iv(title="A", kind="social", areas=[west_area])
    make_iv(title="B", owner=north_police)
    client = Client()
    client.force_login(alice)

    def titles(q: str) -> list[str]:
        page = client.get(f"/interventions/?{q}")
        return sorted(i.title for i in page.context["page"].object_list)

    assert titles("") == ["A", "B"]
    assert titles("kind=social") == ["A"]
    assert titles(f"owner={north_police.pk}") == ["B"]
    assert titles(f"area={west_area.pk}") == ["A"]
    assert titles("status=decided") == []


def test_it_serves_the_register_over_the_api(make_iv, alice):
    iv = make_iv(ends_on=date(2026, 6, 1))
    client = Client()
    client.force_login(alice)
    rows = client.get("/api/v1/interventions").json()
    assert [r["code"] for r in rows] == [str(iv.code)]
    one = client.get(f"/api/v1/interventions/{iv.code}").json()
    assert one["status"] == "proposed" and one["evaluation"] is None
