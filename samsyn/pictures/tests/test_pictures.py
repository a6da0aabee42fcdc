"""Situation pictures: freezing, versions, approval rights, personal data, scoping."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from samsyn.analysis.engine import local_midnight
from samsyn.lib.tests.pdfcheck import pdf_accessibility_problems
from samsyn.lib.weeks import parse_period, period_for, week_label
from samsyn.organisations.access import Access
from samsyn.pictures.actions import (
    AssessmentMissing,
    PersonalDataFound,
    PictureError,
    PictureReadOnly,
    approve_picture,
    generate_picture,
    save_assessment,
)
from samsyn.pictures.models import PictureEvent, SituationPicture
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db


def _week():
    return period_for("week", timezone.localdate() - timedelta(days=7))


def _in(period, hours=30):
    return local_midnight(period.start) + timedelta(hours=hours)


@pytest.fixture
def week_picture(north, north_org, west_area, east_area, alice):
    period = _week()
    for h in (10, 20, 30):
        make_report(north_org, occurred_at=_in(period, h))
    make_report(north_org, category="unsafe_lighting", occurred_at=_in(period))
    return generate_picture(north, "week", period, by=alice)


def test_it_parses_and_labels_periods():
    assert parse_period("week", "2026-W47").start.isoformat() == "2026-11-16"
    assert parse_period("week", "2026-W47").end.isoformat() == "2026-11-23"
    assert parse_period("month", "2026-11").label == "2026-11"
    assert parse_period("tertial", "2026-T3").start.isoformat() == "2026-09-01"
    assert parse_period("quarter", "2026-Q4").end.isoformat() == "2027-01-01"
    assert parse_period("year", "2026").label == "2026"
    with pytest.raises(ValueError):
        parse_period("week", "2026-11")


def test_it_freezes_figures_when_generated(week_picture, north, north_org, alice):
    period = _week()
    assert week_picture.figures["summary"]["n_reports"] == 4
    make_report(north_org, occurred_at=_in(period, 40))
    again = generate_picture(north, "week", period, by=alice)
    assert again.pk == week_picture.pk
    again.refresh_from_db()
    assert again.figures["summary"]["n_reports"] == 4


def test_it_makes_a_new_version_only_on_request(week_picture, north, north_org, alice):
    period = _week()
    make_report(north_org, occurred_at=_in(period, 40))
    v2 = generate_picture(north, "week", period, by=alice, new_version=True)
    assert v2.version == 2
    assert v2.figures["summary"]["n_reports"] == 5
    week_picture.refresh_from_db()
    assert week_picture.figures["summary"]["n_reports"] == 4
    kinds = list(PictureEvent.objects.filter(picture=v2).values_list("kind", flat=True))
    assert kinds == ["regenerated"]


def test_it_traces_every_category_figure_to_its_reports(week_picture):
    row = next(
        r for r in week_picture.figures["categories"] if r["code"] == "gathering"
    )
    assert row["this"] == 3
    assert len(week_picture.trace[row["trace"]["this"]]["codes"]) == 3


def test_it_lets_only_coordinators_approve(week_picture, north, anna, alice):
    save_assessment(week_picture, "Lugn vecka i Väster.", by=alice)
    with pytest.raises(PictureError):
        approve_picture(week_picture, Access.for_user(anna, north), by=anna)
    approve_picture(week_picture, Access.for_user(alice, north), by=alice)
    week_picture.refresh_from_db()
    assert week_picture.is_approved
    assert week_picture.approved_by == alice


def test_it_refuses_edits_of_an_approved_picture(week_picture, north, alice, client):
    save_assessment(week_picture, "Lugn vecka i Väster.", by=alice)
    approve_picture(week_picture, Access.for_user(alice, north), by=alice)
    with pytest.raises(PictureReadOnly):
        save_assessment(week_picture, "Later text", by=alice)
    client.force_login(alice)
    client.post(f"/pictures/{week_picture.code}/assessment/", {"assessment": "x"})
    week_picture.refresh_from_db()
    assert week_picture.assessment == "Lugn vecka i Väster."


def test_it_refuses_personal_data_in_the_assessment(week_picture, alice, client):
    with pytest.raises(PersonalDataFound):
        save_assessment(week_picture, "Ring 070-123 45 67 om det", by=alice)
    client.force_login(alice)
    r = client.post(
        f"/pictures/{week_picture.code}/assessment/",
        {"assessment": "Mejla kalle@example.se"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert b"personal data" in r.content
    week_picture.refresh_from_db()
    assert week_picture.assessment == ""


def test_it_saves_the_assessment_with_a_plain_post(week_picture, alice, client):
    client.force_login(alice)
    r = client.post(
        f"/pictures/{week_picture.code}/assessment/",
        {"assessment": "Lugn vecka i Väster."},
    )
    assert r.status_code == 302
    week_picture.refresh_from_db()
    assert week_picture.assessment == "Lugn vecka i Väster."
    assert week_picture.events.filter(kind="edited").exists()


def test_it_approves_through_the_page_for_coordinators_only(
    week_picture, alice, bob, client
):
    save_assessment(week_picture, "Lugn vecka i Väster.", by=alice)
    client.force_login(bob)
    assert client.post(f"/pictures/{week_picture.code}/approve/").status_code == 404
    client.force_login(alice)
    assert client.post(f"/pictures/{week_picture.code}/approve/").status_code == 302
    week_picture.refresh_from_db()
    assert week_picture.is_approved


def test_it_builds_a_pdf_with_the_picture_text(week_picture, alice, client):
    save_assessment(week_picture, "Oro kring torget på kvällarna.", by=alice)
    client.force_login(alice)
    r = client.get(f"/pictures/{week_picture.code}/pdf/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert pdf_accessibility_problems(r.content) == []
    assert week_label(week_picture.period_start, with_year=True) in text
    assert "Oro kring torget" in text
    cat = week_picture.figures["categories"][0]["name"]
    assert cat in text
    week_picture.refresh_from_db()
    assert week_picture.pdf


def test_it_renders_the_page_in_a_bounded_number_of_queries(
    week_picture, alice, client, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(f"/pictures/{week_picture.code}/")
    with django_assert_max_num_queries(12):
        r = client.get(f"/pictures/{week_picture.code}/")
    assert r.status_code == 200
    assert b"<svg" in r.content
    assert b"What stands out" in r.content or b"sticker ut" in r.content


def test_it_hides_another_collaborations_picture(week_picture, carl, client):
    client.force_login(carl)
    assert client.get(f"/pictures/{week_picture.code}/").status_code == 404
    assert client.get(f"/pictures/{week_picture.code}/pdf/").status_code == 404
    assert client.get("/pictures/").status_code == 200
    assert str(week_picture.code).encode() not in client.get("/pictures/").content


def test_it_keeps_restricted_details_from_roles_without_the_right(
    north, north_police, north_org, west_area, alice, bob
):
    period = _week()
    r = make_report(north_police, occurred_at=_in(period), restricted=True)
    picture = generate_picture(north, "week", period, by=alice)
    assert picture.figures["summary"]["n_reports"] == 1
    assert [r.code.hex] != []
    seen_by_bob = picture.figures_for(Access.for_user(bob, north))
    assert seen_by_bob["map"]["points"] == []
    assert picture.figures_for(Access.for_user(alice, north))["map"]["points"]
    assert str(r.code) in picture.trace["all:this"]["restricted"]


def test_it_lists_pictures_in_the_api(week_picture, alice, carl):
    from samsyn.tests.support import api_client

    body = api_client(alice).get("/api/v1/pictures").json()
    assert [p["label"] for p in body] == [week_picture.label]
    one = api_client(alice).get(f"/api/v1/pictures/{week_picture.code}").json()
    assert one["figures"]["summary"]["n_reports"] == 4
    assert (
        api_client(carl).get(f"/api/v1/pictures/{week_picture.code}").status_code == 404
    )


def test_it_generates_period_analyses(north, north_org, west_area, east_area, alice):
    period = period_for("tertial", timezone.localdate(), north)
    make_report(north_org, occurred_at=local_midnight(period.start) + timedelta(days=3))
    picture = generate_picture(north, "tertial", period, by=alice)
    assert "priority" in picture.figures["analysis"]
    assert picture.figures["analysis"]["decisions"] == []
    year = generate_picture(north, "year", period_for("year", period.start), by=alice)
    assert year.figures["evaluation"]["available"] is False


def test_it_generates_from_the_command(north, north_org, west_area, capsys):
    call_command("generate_picture", "--collaboration", "north", "--week", "2026-W47")
    assert "2026-W47 version 1" in capsys.readouterr().out
    assert SituationPicture.objects.get().label == "2026-W47"


def test_it_lists_emerging_hotspots_by_the_engine_class_codes():
    # A class name the engine never produces would silently empty the list.
    from samsyn.analysis.stats.emerging import EhsaCategory
    from samsyn.pictures.figures import EMERGING_CLASSES

    assert EMERGING_CLASSES <= {EhsaCategory(v).code for v in range(-8, 9)}


def test_it_lists_the_interventions_under_way_in_the_period(north, north_org, alice):
    from datetime import date

    from samsyn.interventions.models import Intervention
    from samsyn.lib.weeks import period_for
    from samsyn.pictures.figures import _interventions

    def make(title, status, starts, ends):
        return Intervention.objects.create(
            collaboration=north, title=title, kind="situational", owner=north_org,
            starts_on=starts, ends_on=ends, status=status,
        )  # fmt: skip

    make("Belysning", "ongoing", date(2026, 11, 1), None)
    make("Dialog", "decided", date(2026, 11, 20), date(2026, 12, 20))
    make("Förslag", "proposed", date(2026, 11, 1), None)
    make("Avslutad", "done", date(2026, 9, 1), date(2026, 10, 1))
    week = period_for("week", date(2026, 11, 16))
    names = [i["name"] for i in _interventions(north, week)["items"]]
    assert names == ["Belysning", "Dialog"]


def test_the_page_gives_the_periods_last_day_and_the_local_time(week_picture, alice):
    from django.test import Client

    client = Client()
    client.force_login(alice)
    body = client.get(f"/pictures/{week_picture.code}/").content.decode()
    first, last = week_picture.period_start, week_picture.last_day
    assert (last - first).days == 6  # Monday to Sunday, not to the next Monday
    assert f"{first:%Y-%m-%d} – {last:%Y-%m-%d}" in body
    local = timezone.localtime(week_picture.created).strftime("%Y-%m-%d %H:%M")
    assert f"({local})" in body


def test_it_refuses_to_approve_a_picture_without_an_assessment(
    week_picture, north, alice, client
):
    with pytest.raises(AssessmentMissing):
        approve_picture(week_picture, Access.for_user(alice, north), by=alice)
    save_assessment(week_picture, "   ", by=alice)
    client.force_login(alice)
    r = client.post(f"/pictures/{week_picture.code}/approve/", follow=True)
    assert r.status_code == 200
    assert "assessment before approving" in r.content.decode()
    week_picture.refresh_from_db()
    assert not week_picture.is_approved
    assert week_picture.approved_by is None
    assert not week_picture.events.filter(kind="approved").exists()
