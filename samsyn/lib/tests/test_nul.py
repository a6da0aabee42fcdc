"""A NUL character in a parameter is refused with 400 before any view runs (on
PostgreSQL it would otherwise be a server error)."""

from __future__ import annotations

import pytest
from django.test import Client

from samsyn.tests.support import api_client


@pytest.mark.django_db
def test_a_nul_in_an_api_query_parameter_is_a_400(alice) -> None:  # type: ignore[no-untyped-def]
    res = api_client(alice).get("/api/v1/interventions", {"status": "ö\x00"})
    assert res.status_code == 400
    assert "NUL" in res.json()["detail"]


@pytest.mark.django_db
def test_a_nul_in_an_open311_form_post_is_a_400_and_stores_nothing(north) -> None:  # type: ignore[no-untyped-def]
    from samsyn.reports.models import Report

    before = Report.objects.count()
    res = Client().post(
        "/open311/v2/requests.json",
        {"service_code": "x", "description": "lamp\x00out", "lat": "59.27"},
    )
    assert res.status_code == 400
    assert Report.objects.count() == before


@pytest.mark.django_db
def test_a_nul_in_a_page_parameter_is_a_plain_400() -> None:
    res = Client().get("/accounts/login/", {"next": "/\x00"})
    assert res.status_code == 400
    assert res["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_ordinary_parameters_pass(alice) -> None:  # type: ignore[no-untyped-def]
    res = api_client(alice).get("/api/v1/interventions", {"status": "ongoing"})
    assert res.status_code == 200
