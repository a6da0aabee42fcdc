"""Dates at the calendar's edges are refused with a message, never a 500: every
date parameter of the API and Open311, and a crawl of every page's filters.

The range is 1900-01-01..2100-12-31 (samsyn/lib/dates.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samsyn.lib.dates import (
    EARLIEST,
    LATEST,
    DateField,
    DateRangeError,
    parse_day,
    parse_when,
)
from samsyn.tests.support import api_client, make_report

EDGE_DAYS = ["9999-12-31", "0001-01-01", "0001-01-01T00:00:00+14:00", "1899-12-31"]
IMPOSSIBLE = ["2026-02-30", "2026-13-45"]
EDGE_WEEKS = ["9999-W52", "0001-W01", "1899-W52", "2101-W01"]
EDGE_YEARS = ["9999", "0001", "0", "-1", "99999999999999999999"]
ANALYSES = ["density", "hotspots", "near-repeat", "priority"]


def test_the_range_is_1900_to_2100() -> None:
    assert parse_day("1900-01-01") == EARLIEST
    assert parse_day("2100-12-31") == LATEST
    for text in ("1899-12-31", "2101-01-01", "9999-12-31", "0001-01-01"):
        with pytest.raises(DateRangeError):
            parse_day(text)
    with pytest.raises(DateRangeError):
        parse_when("0001-01-01T00:00:00+14:00")
    with pytest.raises(DateRangeError):
        parse_when("2100-12-31", end=True)  # the next midnight is in 2101: still
    assert parse_when("2100-12-30", end=True).date() == date(2100, 12, 31)
    for text in IMPOSSIBLE + ["", "tomorrow"]:
        with pytest.raises(ValueError, match="Not a date"):
            parse_day(text)
    form_field = DateField(required=False)
    with pytest.raises(Exception, match="1900-01-01"):
        form_field.clean("0001-01-01")


def _api_requests() -> list[str]:
    out = []
    for value in EDGE_DAYS + IMPOSSIBLE:
        v = quote(value)
        out += [f"/api/v1/reports?since={v}", f"/api/v1/reports?until={v}"]
        out += [
            f"/api/v1/residents/reports?since={v}",
            f"/api/v1/residents/reports?until={v}",
        ]
        out += [f"/api/v1/analysis/{name}?until={v}" for name in ANALYSES]
        out += [f"/api/v1/analysis/{name}?since={v}" for name in ANALYSES]
        out.append(f"/api/v1/analysis/emerging?until={v}")
    out += [f"/api/v1/analysis/weekly?week={w}" for w in EDGE_WEEKS]
    return out


@pytest.mark.parametrize("path", _api_requests())
@pytest.mark.django_db
def test_the_api_answers_422_for_a_date_outside_the_range(
    path: str, alice, north_org, west_area
) -> None:
    make_report(north_org)
    response = api_client(alice).get(path)
    assert response.status_code == 422, (path, response.content)
    body = response.json()
    assert body["errors"], body


@pytest.mark.parametrize("value", EDGE_DAYS + IMPOSSIBLE)
@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.django_db
def test_open311_answers_400_for_a_date_outside_the_range(
    settings, north_org, name: str, value: str
) -> None:
    settings.SAMSYN_OPEN311_PUBLIC = True
    query = urlencode({"jurisdiction_id": north_org.collaboration.slug, name: value})
    response = Client().get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400, response.content
    assert name in response.json()[0]["description"]


def _pages() -> list[str]:
    """Every page (GET, no arguments in the path) of the web site."""
    names: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if p.namespace in ("admin", "api"):
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    paths = []
    for name in sorted(set(names)):
        try:
            paths.append(reverse(name))
        except Exception:  # noqa: BLE001, S112 - a pattern with arguments
            continue
    return [p for p in paths if not p.startswith("/open311/")]


FILTER_NAMES = [
    "since",
    "until",
    "week",
    "period",
    "year",
    "date",
    "day",
    "month",
    "start",
    "end",
]


@pytest.mark.django_db
def test_no_page_answers_500_to_edge_dates_in_its_filters(
    alice, anna, north_org, west_area
) -> None:
    """A crawl: every page, as a coordinator and as an analyst, with every usual
    filter name set to each edge value at once."""
    make_report(north_org)
    pages = _pages()
    assert len(pages) > 30
    failures = []
    for user in (alice, anna):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for value in EDGE_DAYS + IMPOSSIBLE + EDGE_WEEKS + EDGE_YEARS:
            query = urlencode(dict.fromkeys(FILTER_NAMES, value))
            for page in pages:
                response = client.get(f"{page}?{query}")
                if response.status_code >= 500:
                    failures.append(f"{user.username} {page}?{query}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_reports_filter_names_the_field_and_the_range(alice, north_org) -> None:
    from samsyn.organisations.access import Access
    from samsyn.reports.forms import ReportFilterForm

    access = Access.for_user(alice, north_org.collaboration)
    form = ReportFilterForm({"since": "0001-01-01"}, access=access)
    assert not form.is_valid()
    assert form.errors["since"] == ["Give a date from 1900-01-01 to 2100-12-31."]
    client = Client()
    client.force_login(alice)
    assert client.get("/reports/?since=0001-01-01").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/feedback/summary/?period=9999-W52",
        "/feedback/summary/?period=0001-W01",
        "/feedback/summary/?period=9999-12",
        "/coverage/?week=0001-W01",
        "/coverage/?week=9999-W52",
    ],
)
@pytest.mark.django_db
def test_the_week_and_period_pages_refuse_edge_periods(
    alice, north_org, path: str
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get(path).status_code < 500
