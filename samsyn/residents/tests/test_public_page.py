"""The public residents' page: anonymous reports, spam protection, personal data."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client

from samsyn.residents import guard
from samsyn.residents.models import (
    ModerationEvent,
    RateBucket,
    ResidentReport,
    ResidentSettings,
)

URL = "/residents/north/report/"


@pytest.fixture
def page(north, west_area):
    page = ResidentSettings.objects.create(collaboration=north, enabled=True)
    page.categories.set(
        north.categories.filter(code__in=["littering", "unsafe_lighting"])
    )
    return page


def form(north, **overrides):
    data = {
        "token": guard.make_token(north, issued=time.time() - 10),
        "category": "littering",
        "lat": "59.27",
        "lon": "15.20",
        "text": "Lots of broken glass by the bench",
    }
    data.update(overrides)
    return data


def test_it_takes_an_anonymous_report_and_shows_a_reference(page, north, west_area):
    response = Client().post(URL, form(north))
    assert response.status_code == 200
    report = ResidentReport.objects.get()
    assert report.reference in response.content.decode()
    assert report.status == "pending"
    assert report.area == west_area
    assert report.category.code == "littering"
    assert ModerationEvent.objects.filter(report=report, status="pending").count() == 1


def test_it_shows_the_page_anonymously_with_the_chosen_categories(page, west_area):
    response = Client().get(f"{URL}?area={west_area.code}")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="littering"' in body
    assert 'value="gathering"' not in body
    assert f'value="{west_area.code}" selected' in body


def test_it_is_404_when_the_page_is_closed(north, west_area):
    ResidentSettings.objects.create(collaboration=north, enabled=False)
    assert Client().get(URL).status_code == 404
    assert Client().get("/residents/nowhere/report/").status_code == 404


def test_it_takes_an_area_from_the_list_without_a_map(page, north, west_area):
    data = form(north, lat="", lon="", area=str(west_area.code))
    assert Client().post(URL, data).status_code == 200
    assert ResidentReport.objects.get().area == west_area


def test_it_refuses_a_category_the_collaboration_did_not_choose(page, north):
    response = Client().post(URL, form(north, category="gathering"))
    assert response.status_code == 422
    assert not ResidentReport.objects.exists()


def test_it_refuses_the_sixth_report_from_one_address_within_the_hour(page, north):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        assert client.post(URL, form(north)).status_code == 200
    refused = client.post(URL, form(north))
    assert refused.status_code == 429
    assert ResidentReport.objects.count() == 5
    other = Client(REMOTE_ADDR="10.2.2.2").post(URL, form(north))
    assert other.status_code == 200
    assert ResidentReport.objects.count() == 6


def test_it_never_stores_the_raw_address(page, north):
    Client(REMOTE_ADDR="10.9.8.7").post(URL, form(north))
    keys = list(RateBucket.objects.values_list("key", flat=True))
    assert keys and not any("10.9.8.7" in k for k in keys)


def test_it_limits_the_whole_collaboration(page, north, settings):
    settings.SAMSYN_RESIDENTS_PER_COLLAB_HOUR = 2
    for i in range(2):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(URL, form(north))
    assert Client(REMOTE_ADDR="10.0.0.9").post(URL, form(north)).status_code == 429


def test_it_rejects_a_filled_honeypot(page, north):
    response = Client().post(URL, form(north, website="http://spam.example"))
    assert response.status_code == 400
    assert not ResidentReport.objects.exists()


def test_it_rejects_a_submit_faster_than_the_minimum(page, north):
    data = form(north, token=guard.make_token(north, issued=time.time()))
    response = Client().post(URL, data)
    assert response.status_code == 400
    assert "very fast" in response.content.decode()
    assert not ResidentReport.objects.exists()


def test_it_rejects_a_form_older_than_two_hours(page, north):
    data = form(north, token=guard.make_token(north, issued=time.time() - 3 * 3600))
    assert Client().post(URL, data).status_code == 400
    assert not ResidentReport.objects.exists()


def test_it_rejects_a_tampered_timestamp(page, north):
    token = guard.make_token(north, issued=time.time() - 10)
    payload = signing.b64_encode(b'{"c":1,"t":1}').decode()
    forged = payload + token[token.index(":") :]
    assert Client().post(URL, form(north, token=forged)).status_code == 400
    # Signed with another key: also refused.
    other = signing.dumps(
        {"c": north.pk, "t": time.time() - 10}, key="x" * 50, salt=guard.TOKEN_SALT
    )
    assert Client().post(URL, form(north, token=other)).status_code == 400
    assert not ResidentReport.objects.exists()


def test_it_refuses_a_token_from_another_collaboration(page, north, south):
    data = form(north, token=guard.make_token(south, issued=time.time() - 10))
    assert Client().post(URL, data).status_code == 400


def test_it_says_exactly_what_personal_data_to_remove(page, north):
    response = Client().post(URL, form(north, text="Ring mig på 070-123 45 67"))
    assert response.status_code == 422
    assert "070-123 45 67" in response.content.decode()
    assert not ResidentReport.objects.exists()


def test_it_caps_the_text_length(page, north):
    response = Client().post(URL, form(north, text="a" * 1001))
    assert response.status_code == 422


def test_it_makes_one_report_when_a_form_is_sent_twice(page, north):
    data = form(north)
    client = Client()
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert ResidentReport.objects.count() == 1
    ref = ResidentReport.objects.get().reference
    assert ref in first.content.decode() and ref in second.content.decode()


def test_it_refuses_a_point_outside_the_collaborations_areas(page, north):
    response = Client().post(URL, form(north, lat="59.33", lon="18.06"))
    assert response.status_code == 422


def test_it_says_where_a_chosen_point_is_in_words(page, north, west_area):
    from samsyn.areas.models import Place
    from samsyn.lib.geo import to_sweref

    x, y = to_sweref(15.20, 59.27)
    Place.objects.create(
        collaboration=north, name="Lekplatsen", lon=15.20, lat=59.27, x=x, y=y
    )
    client = Client(headers={"accept-language": "sv"})
    r = client.get("/residents/north/where/", {"lat": "59.27", "lon": "15.20"})
    assert r.json() == {"text": "Vid Lekplatsen (område Väster)", "area": "Väster"}
    assert client.get("/residents/north/where/", {"lat": "x"}).status_code == 400
    body = client.get(URL).content.decode()
    assert 'data-where-url="/residents/north/where/"' in body
    assert "Använd min position" in body


def test_where_is_closed_with_the_page(north, west_area):
    r = Client().get("/residents/north/where/", {"lat": "59.27", "lon": "15.20"})
    assert r.status_code == 404
