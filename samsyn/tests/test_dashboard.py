"""The start page per role: what each one sees first, through the access layer, and
at a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.integrations.models import Webhook
from samsyn.interventions import actions as iv_actions
from samsyn.lib.weeks import parse_period
from samsyn.meetings.actions import add_decision
from samsyn.meetings.models import Forum, Meeting
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.views import default_period_text
from samsyn.police.models import ImportBatch
from samsyn.residents.tests.helpers import make_resident_report
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def week(north, north_org, north_police, east_area, alice, bob, petra):  # type: ignore[no-untyped-def]
    """A week with something for every block: reports, a draft picture, a decision
    due, an intervention ending, a resident's report waiting, a failed import."""
    for _ in range(3):
        make_report(
            north_org, reporter=bob, category="unsafe_lighting", owner=north_org
        )
    make_report(north_police, reporter=petra, restricted=True)
    forum = Forum.objects.create(collaboration=north, name="EST weekly", kind="weekly")
    meeting = Meeting.objects.create(
        collaboration=north, forum=forum, starts_at=timezone.now() - timedelta(days=2)
    )
    add_decision(
        meeting,
        by=alice,
        text="Fix the lights on the school path",
        owner=north_police,
        due=timezone.localdate() - timedelta(days=1),
    )
    iv_actions.register_intervention(
        north,
        {
            "title": "Guards at the square",
            "kind": "situational",
            "owner": north_org,
            "starts_on": date.today() - timedelta(days=30),
            "ends_on": date.today() + timedelta(days=3),
            "status": "ongoing",
        },
        by=alice,
    )
    make_resident_report(north_org)
    ImportBatch.objects.create(
        collaboration=north,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.FAILED,
        file_name="brott-v47.csv",
        error="column missing",
    )
    label = default_period_text("week", north)
    picture = generate_picture(
        north, "week", parse_period("week", label), None, by=alice
    )
    return {"picture": picture, "label": label}


def test_a_reporter_goes_straight_to_the_form_after_signing_in(week, bob):
    c = client_for(bob)  # signing in marks the session
    first = c.get("/")
    assert first.status_code == 302 and first["Location"] == "/reports/new/"
    assert c.get("/").status_code == 200  # afterwards "Start" is the start page


def test_a_reporter_gets_the_report_button_and_their_reports(
    week, bob, django_assert_max_num_queries
):
    c = client_for(bob)
    c.get("/")  # the sign-in's trip to the form
    with django_assert_max_num_queries(8):
        r = c.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="dash-report"' in html and 'href="/reports/new/"' in html
    mine = r.context["blocks"]["reporter"]["mine"]
    assert len(mine) == 3 and all(m.reporter_id == bob.pk for m in mine)
    assert "badge-reported" in html  # the status of each physical report
    # Nothing of the coordinator's week and no one else's list.
    assert set(r.context["blocks"]) == {"reporter"}
    assert 'id="dash-picture"' not in html and not r.context["recent"]


def test_a_coordinator_who_signs_in_starts_on_the_start_page(week, alice):
    assert client_for(alice).get("/").status_code == 200


def test_a_coordinator_sees_this_week(week, alice, django_assert_max_num_queries):
    c = client_for(alice)
    with django_assert_max_num_queries(26):
        r = c.get("/")
    b = r.context["blocks"]["coordinator"]
    assert b["picture"].pk == week["picture"].pk
    assert b["picture_label"] == week["label"]
    assert b["moderation"] == 1
    assert [d.text for d in b["decisions"]] == ["Fix the lights on the school path"]
    assert [iv.title for iv in b["interventions"]] == ["Guards at the square"]
    assert [i.file_name for i in b["imports"]] == ["brott-v47.csv"]
    html = r.content.decode()
    assert "Review and approve" in html
    assert "dash-overdue" in html  # the decision was due yesterday
    assert "brott-v47.csv" in html


def test_a_coordinator_without_a_picture_gets_the_generate_button(north_org, alice):
    html = client_for(alice).get("/").content.decode()
    assert 'id="dash-generate"' in html


def test_check_in_coverage_names_who_has_not_checked_in(
    week, north, north_org, west_area, alice
):
    from samsyn.coverage.actions import set_coverage

    set_coverage(north_org, [west_area], by=alice)
    b = client_for(alice).get("/").context["blocks"]["coordinator"]["coverage"]
    assert b["expected"] == 1 and b["checked"] == 0
    assert [o["slug"] for o in b["missing"]] == [north_org.slug]


def test_an_analyst_sees_the_latest_deviations_and_links(
    week, anna, django_assert_max_num_queries
):
    c = client_for(anna)
    with django_assert_max_num_queries(13):
        r = c.get("/")
    assert set(r.context["blocks"]) == {"analyst"}
    b = r.context["blocks"]["analyst"]
    assert b["picture"].pk == week["picture"].pk
    html = r.content.decode()
    for link in ("/pictures/", "/interventions/annual/", "/api/v1/docs"):
        assert f'href="{link}"' in html


def test_steering_sees_the_approved_picture_and_the_annual_report(
    week, sam, alice, django_assert_max_num_queries
):
    from samsyn.organisations.access import Access
    from samsyn.pictures.actions import approve_picture, save_assessment

    access = Access.for_user(alice, week["picture"].collaboration)
    save_assessment(week["picture"], "Lugn vecka.", by=alice)
    approve_picture(week["picture"], access, by=alice)
    c = client_for(sam)
    with django_assert_max_num_queries(14):
        r = c.get("/")
    b = r.context["blocks"]["steering"]
    assert b["approved"].pk == week["picture"].pk
    assert b["annual"] is None
    assert "No annual report yet." in r.content.decode()


def test_an_admin_sees_members_audit_imports_and_webhooks(
    week, north, adam, django_assert_max_num_queries
):
    Webhook.objects.create(collaboration=north, name="Drift", url="https://x.example/")
    c = client_for(adam)
    with django_assert_max_num_queries(17):
        r = c.get("/")
    b = r.context["blocks"]["admin"]
    assert b["members"] >= 4
    assert b["hooks"] == {"active": 1, "paused": 0}
    assert [i.file_name for i in b["imports"]] == ["brott-v47.csv"]
    html = r.content.decode()
    assert 'href="/integrations/webhooks/"' in html
    assert 'href="/accounts/audit/"' in html


def test_nothing_of_another_collaboration_appears(week, carl):
    r = client_for(carl).get("/")
    b = r.context["blocks"]["coordinator"]
    assert b["picture"] is None and b["moderation"] == 0
    assert not b["decisions"] and not b["interventions"] and not b["imports"]
    assert "brott-v47.csv" not in r.content.decode()
