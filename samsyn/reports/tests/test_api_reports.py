"""/api/v1/reports and /api/v1/categories: creation, validation, auth, listing."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.accounts.models import ApiToken
from samsyn.areas.models import Area
from samsyn.reports.checklist import STANDARD_CHECKLIST
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.tests.support import (
    INSIDE_EAST,
    INSIDE_WEST,
    SQUARE_EAST,
    api_client,
    make_area,
    make_report,
)

VALID = {
    "category": "gathering",
    "lat": INSIDE_WEST[1],
    "lon": INSIDE_WEST[0],
    "people_count": 5,
    "severity": 2,
    "place_type": "public",
    "description": "Grupp vid busshållplatsen",
}


def post(client: Client, body: object, **headers: str):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        "/api/v1/reports", raw, content_type="application/json", headers=headers
    )


# --- creating --------------------------------------------------------------------


def test_it_creates_a_report_and_returns_a_feature(bob, west_area):
    response = post(api_client(bob), VALID)
    assert response.status_code == 201
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [INSIDE_WEST[0], INSIDE_WEST[1]],
    }
    report = Report.objects.get(code=feature["id"])
    assert report.reporter == bob
    assert report.source == Report.Source.API
    assert report.area == west_area
    assert feature["properties"]["area"] == str(west_area.code)
    assert feature["properties"]["category"] == "gathering"
    assert feature["properties"]["people_count"] == 5


def test_it_accepts_a_minimal_report(bob, west_area):
    response = post(api_client(bob), {"category": "fire", "lat": 59.27, "lon": 15.2})
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.severity == 1
    assert abs((timezone.now() - report.occurred_at).total_seconds()) < 60


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "no_such_category"}, "category"),
        ({"lat": None}, "lat"),
        ({"lat": "north"}, "lat"),
        ({"lat": 48.85, "lon": 2.35}, "lat"),  # Paris
        ({"severity": 9}, "severity"),
        ({"occurred_at": "2100-01-01T10:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"people_count": -1}, "people_count"),
        ({"description": "Han heter 0701234567"}, "description"),
        ({"description": "Mejla kalle@example.se"}, "description"),
        ({"category": 7}, "category"),
        ({"place_type": "castle"}, "place_type"),
    ],
)
def test_it_rejects_bad_fields_with_a_message_per_field(bob, change, field):
    body = {**VALID, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = post(api_client(bob), body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert Report.objects.count() == 0


def test_it_names_what_personal_data_it_found(bob):
    response = post(api_client(bob), {**VALID, "description": "ring 070-123 45 67"})
    assert "070-123 45 67" in response.json()["errors"]["description"][0]


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[1, 2, 3]",
        '"a string"',
        "null",
        "",
        '{"category": "fire", "lat": NaN, "lon": 15.2}',
        '{"category": "fire", "lat": 1e999, "lon": 15.2}',
        '{"category": "fire", "lat": 59.27, "lon": 15.2, "people_count": 1e40}',
        json.dumps({**VALID, "people_count": 10**30}),
        json.dumps({**VALID, "description": "x" * 5000}),
        json.dumps({**VALID, "occurred_at": "2026-13-45T99:00"}),
        json.dumps({**VALID, "place": "not-a-place"}),
        json.dumps({**VALID, "organisation": "someone-else"}),
    ],
)
def test_it_never_fails_with_a_500(bob, raw):
    response = post(api_client(bob), raw)
    assert 400 <= response.status_code < 500, response.content
    assert "detail" in response.json()
    assert Report.objects.count() == 0


# --- authentication and rights ---------------------------------------------------


def test_it_requires_authentication(bob):
    response = post(Client(), VALID)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert Client().get("/api/v1/reports").status_code == 401


def test_it_accepts_a_bearer_token(bob):
    _token, raw = ApiToken.issue(bob)
    response = post(Client(), VALID, Authorization=f"Bearer {raw}")
    assert response.status_code == 201
    assert ApiToken.objects.get().last_used is not None


@pytest.mark.parametrize("header", ["Bearer ssn_wrong", "Bearer ", "Basic Ym9iOnB3"])
def test_it_rejects_a_wrong_token(bob, header):
    ApiToken.issue(bob)
    response = post(Client(), VALID, Authorization=header)
    assert response.status_code == 401
    assert Report.objects.count() == 0


def test_it_rejects_a_revoked_token(bob):
    token, raw = ApiToken.issue(bob)
    token.revoked_at = timezone.now()
    token.save()
    assert post(Client(), VALID, Authorization=f"Bearer {raw}").status_code == 401


def test_it_lets_a_read_only_token_read_but_not_write(bob):
    client = api_client(bob, read_only=True)
    assert client.get("/api/v1/reports").status_code == 200
    assert post(client, VALID).status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("who", ["sam", "anna", "adam"])
def test_it_forbids_roles_that_do_not_report(request, who):
    user = request.getfixturevalue(who)
    response = post(api_client(user), VALID)
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_it_forbids_a_collaboration_you_are_not_in(bob, carl):
    response = post(api_client(bob), VALID, **{"X-Collaboration": "south"})
    assert response.status_code == 403
    listing = api_client(bob).get("/api/v1/reports", headers={"X-Collaboration": "x"})
    assert listing.status_code == 403
    assert Report.objects.count() == 0


def test_it_reports_into_the_collaboration_named_in_the_header(bob, south_org):
    from samsyn.organisations.models import Membership

    Membership.objects.create(user=bob, organisation=south_org, role="reporter")
    response = post(api_client(bob), VALID, **{"X-Collaboration": "south"})
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.collaboration.slug == "south"
    assert report.organisation == south_org


def test_it_logs_in_with_the_session_too(client, bob):
    client.force_login(bob)
    assert post(client, VALID).status_code == 201


# --- categories ------------------------------------------------------------------


def test_it_lists_the_seeded_checklist(bob):
    response = api_client(bob).get("/api/v1/categories")
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()]
    assert codes == [c.code for c in STANDARD_CHECKLIST]
    assert len(codes) == 20
    fire = next(c for c in response.json() if c["code"] == "fire")
    assert fire["name_sv"] == "Brand eller anlagd brand"
    assert fire["name_en"] == "Fire or arson"


# --- listing ---------------------------------------------------------------------


def assert_rfc7946(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    assert isinstance(collection["features"], list)
    assert "crs" not in collection  # RFC 7946 §4: WGS84 only, no crs member
    for f in collection["features"]:
        assert f["type"] == "Feature"
        assert isinstance(f["id"], (str, int))
        assert isinstance(f["properties"], dict)
        geometry = f["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert 9 < lon < 26 and 54 < lat < 70  # lon first, then lat (RFC 7946 §3.1.1)


def listing(client: Client, **params: str) -> dict:
    response = client.get("/api/v1/reports?" + urlencode(params))
    assert response.status_code == 200, response.content
    return response.json()


def ids(collection: dict) -> list[str]:
    return [f["id"] for f in collection["features"]]


def test_it_lists_reports_as_geojson_newest_first(alice, north_org):
    old = make_report(north_org, occurred_at=timezone.now() - timedelta(days=3))
    new = make_report(north_org, lonlat=INSIDE_EAST)
    collection = listing(api_client(alice))
    assert_rfc7946(collection)
    assert ids(collection) == [str(new.code), str(old.code)]
    assert collection["features"][0]["geometry"]["coordinates"] == list(INSIDE_EAST)
    assert collection["numberReturned"] == 2
    assert collection["links"] == []


def test_it_filters_by_bbox(alice, north_org):
    west = make_report(north_org, lonlat=INSIDE_WEST)
    make_report(north_org, lonlat=INSIDE_EAST)
    collection = listing(api_client(alice), bbox="15.19,59.26,15.21,59.28")
    assert ids(collection) == [str(west.code)]


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "15.3,59.2,15.1,59.3", "15,59,16,nan", ""]
)
def test_it_rejects_a_bad_bbox(alice, bbox):
    response = api_client(alice).get("/api/v1/reports", {"bbox": bbox or ","})
    assert response.status_code == 422
    assert "bbox" in response.json()["errors"]


def test_it_filters_by_period(alice, north_org):
    now = timezone.localtime()
    day = (now - timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    before = make_report(north_org, occurred_at=day - timedelta(days=1))
    inside = make_report(north_org, occurred_at=day)
    after = make_report(north_org, occurred_at=day + timedelta(days=1))
    client = api_client(alice)
    d = day.date().isoformat()
    assert ids(listing(client, since=d, until=d)) == [str(inside.code)]
    assert ids(listing(client, since=d)) == [str(after.code), str(inside.code)]
    assert ids(listing(client, until=d)) == [str(inside.code), str(before.code)]
    exact = listing(
        client, since=day.isoformat(), until=(day + timedelta(days=1)).isoformat()
    )
    assert ids(exact) == [str(inside.code)]  # until is exclusive


@pytest.mark.parametrize("value", ["last tuesday", "2026-13-45", "2026-02-30T10:00"])
@pytest.mark.parametrize("param", ["since", "until"])
def test_it_rejects_a_bad_date(alice, param, value):
    response = api_client(alice).get("/api/v1/reports", {param: value})
    assert response.status_code == 422
    assert param in response.json()["errors"]


def test_it_filters_by_categories(alice, north_org):
    fire = make_report(north_org, category="fire")
    drugs = make_report(
        north_org, category="drugs", occurred_at=timezone.now() - timedelta(hours=2)
    )
    make_report(north_org, category="gathering")
    client = api_client(alice)
    assert ids(listing(client, category="fire")) == [str(fire.code)]
    assert ids(listing(client, category="fire,drugs")) == [
        str(fire.code),
        str(drugs.code),
    ]


def test_it_filters_by_area_and_district_includes_its_areas(alice, north, north_org):
    district = make_area(
        north,
        ref="D",
        name="Distrikt",
        level=Area.Level.DISTRICT,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [15.19, 59.26],
                    [15.23, 59.26],
                    [15.23, 59.28],
                    [15.19, 59.28],
                    [15.19, 59.26],
                ]
            ],
        },
    )
    west = make_area(north, ref="W", name="Väster", parent=district)
    east = make_area(
        north, ref="E", name="Öster", geometry=SQUARE_EAST, parent=district
    )
    in_west = make_report(north_org, lonlat=INSIDE_WEST)
    in_east = make_report(
        north_org, lonlat=INSIDE_EAST, occurred_at=timezone.now() - timedelta(hours=2)
    )
    assert (in_west.area, in_east.area) == (west, east)
    client = api_client(alice)
    assert ids(listing(client, area=str(east.code))) == [str(in_east.code)]
    assert ids(listing(client, area=str(district.code))) == [
        str(in_west.code),
        str(in_east.code),
    ]


@pytest.mark.parametrize("area", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_it_rejects_an_unknown_area(alice, area):
    response = api_client(alice).get("/api/v1/reports", {"area": area})
    assert response.status_code == 422
    assert "area" in response.json()["errors"]


def test_it_rejects_another_collaborations_area(alice, carl, south):
    theirs = make_area(south, ref="S")
    response = api_client(alice).get("/api/v1/reports", {"area": str(theirs.code)})
    assert response.status_code == 422


@pytest.mark.parametrize("query", ["limit=abc", "cursor=%%%", "cursor=bm9wZQ=="])
def test_it_rejects_bad_paging_parameters(alice, query):
    response = api_client(alice).get(f"/api/v1/reports?{query}")
    assert response.status_code == 422


def test_it_pages_through_every_report_exactly_once(alice, north_org, settings):
    settings.SAMSYN_API_PAGE_SIZE = 3
    base = timezone.now() - timedelta(hours=5)
    # Pairs share a timestamp so the cursor has to break ties.
    made = [
        make_report(north_org, occurred_at=base - timedelta(minutes=i // 2))
        for i in range(11)
    ]
    expected = [
        str(r.code)
        for r in sorted(made, key=lambda r: (r.occurred_at, r.pk), reverse=True)
    ]
    client = api_client(alice)
    seen: list[str] = []
    url = "/api/v1/reports?category=gathering"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()
        assert page["numberReturned"] == len(page["features"]) <= 3
        seen += ids(page)
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = nxt[0] if nxt else ""
        if url:
            assert "category=gathering" in url  # filters carry over
        pages += 1
        assert pages <= 5
    assert seen == expected
    assert pages == 4


def test_it_caps_the_limit_at_the_page_size(alice, north_org, settings):
    settings.SAMSYN_API_PAGE_SIZE = 2
    for _ in range(3):
        make_report(north_org)
    client = api_client(alice)
    assert listing(client, limit="100")["numberReturned"] == 2
    assert listing(client, limit="1")["numberReturned"] == 1


def test_it_lists_with_a_constant_number_of_queries(
    alice, north_org, north_police, west_area, django_assert_max_num_queries
):
    client = api_client(alice)
    for _ in range(3):
        make_report(north_org)
    with django_assert_max_num_queries(8) as few:
        assert listing(client)["numberReturned"] == 3
    for _ in range(20):
        make_report(north_police, lonlat=INSIDE_EAST)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert listing(client)["numberReturned"] == 23


# --- one report and its status ---------------------------------------------------


def test_it_returns_one_report(bob, north_org):
    report = make_report(north_org, description="Trasig lampa")
    response = api_client(bob).get(f"/api/v1/reports/{report.code}")
    assert response.status_code == 200
    assert response.json()["properties"]["description"] == "Trasig lampa"
    assert api_client(bob).get("/api/v1/reports/not-a-uuid").status_code in (404, 422)
    missing = "/api/v1/reports/00000000-0000-0000-0000-000000000000"
    assert api_client(bob).get(missing).status_code == 404


def status_post(client: Client, report: Report, body: object):
    return client.post(
        f"/api/v1/reports/{report.code}/status",
        json.dumps(body),
        content_type="application/json",
    )


def test_it_changes_the_status_through_the_api(alice, north_org, north_housing):
    report = make_report(north_org, category="unsafe_lighting")
    response = status_post(
        api_client(alice), report, {"status": "assigned", "owner": "north-housing"}
    )
    assert response.status_code == 200
    assert response.json()["properties"]["status"] == "assigned"
    report.refresh_from_db()
    assert (report.status, report.owner) == ("assigned", north_housing)
    assert ReportStatusChange.objects.filter(report=report).count() == 1


def test_it_rejects_status_changes_it_does_not_allow(alice, north_org):
    report = make_report(north_org, category="unsafe_lighting")
    client = api_client(alice)
    assert status_post(client, report, {"status": "assigned"}).status_code == 422
    bad = status_post(client, report, {"status": "reported"})
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    assert status_post(client, report, ["fixed"]).status_code == 422
    plain = make_report(north_org, category="fire")
    assert status_post(client, plain, {"status": "fixed"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "reported"


def test_it_forbids_status_changes_by_others(sam, petra, north_org, north_housing):
    report = make_report(north_org, category="unsafe_lighting", owner=north_housing)
    for user in (sam, petra):
        assert (
            status_post(api_client(user), report, {"status": "fixed"}).status_code
            == 403
        )
    report.refresh_from_db()
    assert report.status == "reported"
    assert not ReportStatusChange.objects.exists()
