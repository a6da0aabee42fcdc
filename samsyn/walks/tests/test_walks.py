"""Safety walks: plan, observe, follow-ups (report with owner, proposed
intervention), and the walk report PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from samsyn.interventions.models import Intervention
from samsyn.lib.tests.pdfcheck import pdf_accessibility_problems
from samsyn.organisations.access import Access
from samsyn.reports.models import Report
from samsyn.walks.actions import (
    TRIGGER_TYPE,
    observation_to_intervention,
    observation_to_report,
)
from samsyn.walks.models import Walk, WalkObservation
from samsyn.walks.tests.helpers import make_observation


@pytest.fixture
def walk(north, west_area):
    return Walk.objects.create(
        collaboration=north,
        area=west_area,
        title="Evening walk in Väster",
        date=date(2026, 5, 4),
        route={
            "type": "LineString",
            "coordinates": [[15.195, 59.27], [15.205, 59.272]],
        },
        residents_count=7,
    )


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_plans_a_walk_from_typed_coordinates(
    alice, north_org, north_police, west_area
):
    response = login(alice).post(
        "/walks/new/",
        {
            "title": "Walk",
            "date": "2026-05-04",
            "area": west_area.pk,
            "route": "59.27, 15.195\n59.272, 15.205",
            "organisations": [north_org.pk, north_police.pk],
            "residents_count": 5,
        },
    )
    walk = Walk.objects.get()
    assert response.status_code == 302
    assert walk.route == {
        "type": "LineString",
        "coordinates": [[15.195, 59.27], [15.205, 59.272]],
    }
    assert set(walk.organisations.all()) == {north_org, north_police}


def test_it_refuses_a_one_point_route(alice, north_org):
    response = login(alice).post(
        "/walks/new/",
        {
            "title": "W",
            "date": "2026-05-04",
            "route": "59.27, 15.195",
            "residents_count": 0,
        },
    )
    assert response.status_code == 422
    assert not Walk.objects.exists()


def test_it_records_an_observation_with_a_photo(bob, walk):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    photo = SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")
    lighting = walk.collaboration.categories.get(code="unsafe_lighting")
    response = login(bob).post(
        f"/walks/{walk.code}/observe/",
        {
            "category": lighting.pk,
            "lat": "59.27",
            "lon": "15.20",
            "note": "Dark tunnel",
            "suggested_action": "More lamps",
            "photo": photo,
        },
    )
    assert response.status_code == 302
    obs = WalkObservation.objects.get()
    assert obs.created_by == bob and obs.photo
    assert login(bob).get(f"/walks/observations/{obs.code}/photo/").status_code == 200
    obs.photo.delete(save=False)


def test_it_refuses_personal_data_and_non_images(bob, walk):
    lighting = walk.collaboration.categories.get(code="unsafe_lighting")
    data = {"category": lighting.pk, "lat": "59.27", "lon": "15.20"}
    response = login(bob).post(
        f"/walks/{walk.code}/observe/", {**data, "note": "Mejla anna@example.se"}
    )
    assert response.status_code == 422
    assert "anna@example.se" in response.content.decode()
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = login(bob).post(f"/walks/{walk.code}/observe/", {**data, "photo": fake})
    assert response.status_code == 422
    assert not WalkObservation.objects.exists()


def test_an_observation_becomes_one_owned_report(alice, north_org, north_housing, walk):
    obs = make_observation(walk)
    access = Access.for_user(alice, walk.collaboration)
    report = observation_to_report(obs, access, owner=north_housing, by=alice)
    again = observation_to_report(obs, access, owner=north_housing, by=alice)
    assert again == report
    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert report.owner == north_housing
    assert report.status == Report.Status.ASSIGNED
    assert report.category.physical_environment
    assert "Repair the lamp" in report.description
    obs.refresh_from_db()
    assert obs.report == report


def test_the_follow_up_buttons_work_through_the_page(alice, north_housing, walk):
    obs = make_observation(walk)
    client = login(alice)
    url = f"/walks/observations/{obs.code}/report/"
    client.post(url, {"owner": north_housing.pk})
    client.post(url, {"owner": north_housing.pk})
    assert Report.objects.filter(owner=north_housing).count() == 1


def test_an_observation_becomes_a_proposed_intervention(alice, north_org, walk):
    obs = make_observation(walk)
    iv = observation_to_intervention(obs, owner=north_org, by=alice)
    assert observation_to_intervention(obs, owner=north_org, by=alice) == iv
    assert iv.status == Intervention.Status.PROPOSED
    assert (iv.trigger_type, iv.trigger_code) == (TRIGGER_TYPE, str(obs.code))
    assert iv.owner == north_org
    assert list(iv.areas.all()) == [walk.area]
    assert Intervention.objects.count() == 1


def test_the_walk_report_pdf_lists_participants_and_follow_ups(
    alice, north_org, north_housing, walk
):
    walk.organisations.set([north_org, north_housing])
    obs = make_observation(walk)
    make_observation(walk, note="Overgrown bushes", suggested_action="Cut back")
    access = Access.for_user(alice, walk.collaboration)
    observation_to_report(obs, access, owner=north_housing, by=alice)
    response = login(alice).get(f"/walks/{walk.code}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert pdf_accessibility_problems(response.content) == []
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    for expected in (
        "Evening walk in Väster",
        "North kommun",
        "North housing",
        "7 residents",
        "The lamp by the path is out",
        "Overgrown bushes",
        "owner: North housing",
        "No follow-up yet",
    ):
        assert expected in text, expected


def test_the_detail_page_draws_the_route(bob, walk):
    make_observation(walk)
    body = login(bob).get(f"/walks/{walk.code}/").content.decode()
    assert "<polyline" in body and "<circle" in body


def test_the_new_walk_form_groups_areas_and_says_what_is_wrong_in_swedish(
    alice, north_org, west_area
):
    client = Client(headers={"accept-language": "sv"})
    client.force_login(alice)
    page = client.get("/walks/new/").content.decode()
    assert "novalidate" in page  # the server's Swedish messages, not the browser's
    assert '<option value="" selected>Inget särskilt område</option>' in page
    assert '<optgroup label="Områden">' in page and "Väster</option>" in page
    assert 'type="date"' in page and 'inputmode="numeric"' in page
    response = client.post("/walks/new/", {"title": "", "residents_count": "-1"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "Kontrollera de markerade fälten nedan." in body
    assert "Detta fält måste fyllas i." in body
    assert "Ett namn som deltagarna känner igen" in body
