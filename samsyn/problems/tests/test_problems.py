"""Problem analyses: started from a picture's proposal, traced, gated, and the
intervention made from one, followed up on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samsyn.interventions.models import Evaluation, Intervention
from samsyn.lib.weeks import local_midnight, period_for
from samsyn.organisations.models import AuditEvent
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.models import SituationPicture
from samsyn.problems import actions
from samsyn.problems.models import ProblemAnalysis
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    return period_for("week", timezone.localdate() - timedelta(days=7))


@pytest.fixture
def reports(north_org, north_police, west_area, east_area, week):
    start = local_midnight(week.start)
    out = [
        make_report(north_org, occurred_at=start + timedelta(days=1, hours=h))
        for h in (20, 21, 22)
    ]
    out.append(
        make_report(
            north_police,
            occurred_at=start + timedelta(days=5, hours=23),
            restricted=True,
        )
    )
    return out


@pytest.fixture
def picture(north, alice, week, reports, west_area):
    pic = generate_picture(north, "week", week, by=alice)
    pic.figures["recurring"] = [
        {
            "area": str(west_area.code),
            "area_ref": "W",
            "area_name": "Väster",
            "category": "gathering",
            "category_name": "Samlingar",
            "periods": [week.label],
            "flagged": [week.label],
        }
    ]
    SituationPicture.objects.filter(pk=pic.pk).update(figures=pic.figures)
    return pic


def _start(client, picture, area, category="gathering"):
    return client.post(
        "/problems/start/",
        {"picture": str(picture.code), "area": str(area.code), "category": category},
    )


def test_a_coordinator_starts_a_proposed_analysis(picture, west_area, alice, client):
    client.force_login(alice)
    r = _start(client, picture, west_area)
    analysis = ProblemAnalysis.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/problems/{analysis.code}/"
    assert analysis.figures["total"] == 4
    assert analysis.figures_open["total"] == 3
    # Every figure traces to its reports: Tuesday evening, three public ones.
    tuesday = analysis.figures["weekdays"][1]
    assert tuesday["count"] == 3
    assert len(analysis.trace[tuesday["trace"]]["codes"]) == 3
    assert AuditEvent.objects.filter(action="problem_analysis.started").exists()
    # Starting again opens the same analysis.
    _start(client, picture, west_area)
    assert ProblemAnalysis.objects.count() == 1


def test_only_a_proposed_pair_can_be_started(picture, east_area, alice, client):
    client.force_login(alice)
    r = _start(client, picture, east_area)
    assert r.status_code == 302 and r["Location"] == f"/pictures/{picture.code}/"
    assert not ProblemAnalysis.objects.exists()


def test_the_picture_shows_the_proposal(picture, alice, bob, client):
    client.force_login(alice)
    html = client.get(f"/pictures/{picture.code}/").content.decode()
    assert 'id="recurring"' in html and "/problems/start/" in html
    client.force_login(bob)
    html = client.get(f"/pictures/{picture.code}/").content.decode()
    assert 'id="recurring"' in html and "/problems/start/" not in html


def test_the_start_page_shows_the_proposal_to_coordinators(picture, alice, client):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'id="dash-problems"' in html and "Väster" in html


@pytest.fixture
def analysis(picture, west_area, alice, client):
    client.force_login(alice)
    _start(client, picture, west_area)
    client.logout()
    return ProblemAnalysis.objects.get()


def test_restricted_reports_pass_the_gate(analysis, reports, alice, bob, client):
    secret = str(reports[-1].code)
    client.force_login(bob)
    page = client.get(f"/problems/{analysis.code}/")
    assert page.context["fig"]["total"] == 3
    trace = client.get(f"/problems/{analysis.code}/trace/all/").content.decode()
    assert secret not in trace and str(reports[0].code) in trace
    client.force_login(alice)
    assert client.get(f"/problems/{analysis.code}/").context["fig"]["total"] == 4
    assert (
        secret in client.get(f"/problems/{analysis.code}/trace/all/").content.decode()
    )


def test_another_collaboration_gets_404(analysis, carl, client):
    client.force_login(carl)
    assert client.get(f"/problems/{analysis.code}/").status_code == 404
    assert client.get(f"/problems/{analysis.code}/trace/all/").status_code == 404


def test_the_forums_text_is_saved_and_personal_data_refused(analysis, alice, client):
    client.force_login(alice)
    url = f"/problems/{analysis.code}/"
    r = client.post(url, {"place_text": "Ring 070-123 45 67", "conclusion": "x"})
    assert r.status_code == 422
    analysis.refresh_from_db()
    assert analysis.place_text == "" and analysis.conclusion == ""
    client.post(url, {"place_text": "Gångtunneln", "conclusion": "Bättre ljus"})
    analysis.refresh_from_db()
    assert analysis.place_text == "Gångtunneln"
    assert analysis.conclusion == "Bättre ljus"


def test_a_reporter_cannot_edit_or_make_an_intervention(analysis, bob, client):
    client.force_login(bob)
    url = f"/problems/{analysis.code}/"
    assert client.post(url, {"conclusion": "x"}).status_code == 404
    assert client.get(url + "intervention/").status_code == 404


def test_an_intervention_is_made_from_the_analysis_and_followed_up_there(
    analysis, north_org, west_area, alice, client, now
):
    client.force_login(alice)
    url = f"/problems/{analysis.code}/intervention/"
    form = client.get(url).context["form"]
    assert form.initial["area"] == west_area.pk
    assert form.initial["category"] == analysis.category.pk
    assert "Väster" in form.initial["title"]
    r = client.post(
        url,
        {
            "title": "Belysning vid gångtunneln",
            "kind": "situational",
            "area": west_area.pk,
            "category": analysis.category.pk,
            "owner": north_org.pk,
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-01",
            "status": "decided",
            "problem": "Samlingar kvällstid",
        },
    )
    assert r.status_code == 302
    iv = Intervention.objects.get()
    assert iv.trigger_type == "problem_analysis"
    assert iv.trigger_code == str(analysis.code)
    assert list(analysis.interventions.all()) == [iv]
    back = client.get(f"/interventions/{iv.code}/").content.decode()
    assert f"/problems/{analysis.code}/" in back
    page = client.get(f"/problems/{analysis.code}/")
    tried = page.context["tried"]
    assert [t["iv"] for t in tried] == [iv] and tried[0]["from_here"]
    assert tried[0]["verdict"] is None
    Evaluation.objects.create(
        intervention=iv,
        collaboration=iv.collaboration,
        method="areas",
        effect="worked",
        displacement="no_displacement",
        results={"counts": {}},
    )
    tried = client.get(f"/problems/{analysis.code}/").context["tried"]
    assert tried[0]["verdict"]


def test_a_bad_intervention_form_writes_nothing(analysis, alice, client):
    client.force_login(alice)
    r = client.post(f"/problems/{analysis.code}/intervention/", {"title": ""})
    assert r.status_code == 422
    assert not Intervention.objects.exists()


def test_tried_lists_earlier_interventions_in_the_area_and_category(
    analysis, north_org, west_area
):
    iv = Intervention.objects.create(
        collaboration=analysis.collaboration,
        title="Tidigare väktarrond",
        kind="enforcement",
        status="done",
        owner=north_org,
        starts_on=timezone.localdate() - timedelta(days=90),
    )
    iv.areas.add(west_area)
    other = Intervention.objects.create(
        collaboration=analysis.collaboration,
        title="Annat problem",
        kind="other",
        owner=north_org,
        starts_on=timezone.localdate(),
    )
    other.areas.add(west_area)
    other.categories.add(
        analysis.collaboration.categories.exclude(pk=analysis.category_id).first()
    )
    assert actions.tried(analysis) == [iv]


def test_the_api_gives_the_analysis_through_the_gate(analysis, alice, bob, carl):
    from samsyn.tests.support import api_client

    url = f"/api/v1/problems/{analysis.code}"
    assert api_client(bob).get(url).json()["figures"]["total"] == 3
    body = api_client(alice).get(url).json()
    assert body["figures"]["total"] == 4 and body["area_name"] == "Väster"
    assert api_client(carl).get(url).status_code == 404
    listed = api_client(bob).get("/api/v1/problems").json()
    assert [a["code"] for a in listed] == [str(analysis.code)]
