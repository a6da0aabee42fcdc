"""The reporting form confirms a position in words: the nearest named place and the area."""

from __future__ import annotations

from django.test import Client

from samsyn.areas.models import Place
from samsyn.lib.geo import to_sweref
from samsyn.tests.support import INSIDE_EAST, INSIDE_WEST


def _place(collab, name, lonlat, area):  # type: ignore[no-untyped-def]
    x, y = to_sweref(*lonlat)
    return Place.objects.create(
        collaboration=collab,
        name=name,
        lon=lonlat[0],
        lat=lonlat[1],
        x=x,
        y=y,
        area=area,
    )


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "sv"})
    client.force_login(user)
    return client


def test_it_names_the_nearest_place_and_the_area(north, west_area, east_area, bob):
    _place(north, "Gångtunneln", INSIDE_WEST, west_area)
    _place(north, "Torget", INSIDE_EAST, east_area)
    client = _client(bob)
    r = client.get("/reports/where/", {"lat": INSIDE_WEST[1], "lon": INSIDE_WEST[0]})
    assert r.status_code == 200
    assert r.json()["text"] == "Vid Gångtunneln (område Väster)"
    assert r.json()["area_ref"] == "W"
    # 0.003° of longitude east of the tunnel (about 170 m): a distance, rounded.
    r = client.get(
        "/reports/where/", {"lat": INSIDE_WEST[1], "lon": INSIDE_WEST[0] + 0.003}
    )
    assert r.json()["text"] == "150 m från Gångtunneln (område Väster)"


def test_far_from_places_it_names_the_area_only(north, west_area, bob):
    _place(north, "Gångtunneln", (INSIDE_WEST[0], INSIDE_WEST[1] + 0.02), west_area)
    r = _client(bob).get(
        "/reports/where/", {"lat": INSIDE_WEST[1], "lon": INSIDE_WEST[0]}
    )
    assert r.json() | {} == {
        "text": "I område Väster",
        "place": None,
        "distance_m": None,
        "area": "Väster",
        "area_ref": "W",
    }
    outside = _client(bob).get("/reports/where/", {"lat": 59.9, "lon": 17.6})
    assert outside.json()["text"] == "Utanför samverkans områden"


def test_it_refuses_bad_input_in_words(north, bob):
    r = _client(bob).get("/reports/where/", {"lat": "norr", "lon": "15"})
    assert r.status_code == 400
    assert r.json()["error"] == "Ange lat och lon som tal."
    assert _client(bob).get("/reports/where/", {"lat": 91, "lon": 0}).status_code == 400


def test_the_report_form_asks_for_it(north, west_area, bob):
    body = _client(bob).get("/reports/new/").content.decode()
    assert 'data-where-url="/reports/where/"' in body
