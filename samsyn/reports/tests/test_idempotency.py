"""Reports are accepted exactly once per Idempotency-Key, also under concurrent retries."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from samsyn.accounts.models import ApiToken
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.tests.support import INSIDE_WEST, api_client

BODY = {
    "category": "unsafe_lighting",
    "lat": INSIDE_WEST[1],
    "lon": INSIDE_WEST[0],
    "severity": 2,
    "description": "Lampan vid gångtunneln är trasig",
}


def post(client: Client, body: dict, key: str):
    return client.post(
        "/api/v1/reports",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_it_returns_the_first_report_for_a_repeated_key(bob):
    client = api_client(bob)
    first = post(client, BODY, "key-1")
    again = post(client, BODY, "key-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1
    assert ReportStatusChange.objects.count() == 1


def test_it_makes_a_new_report_for_a_new_key(bob):
    client = api_client(bob)
    assert post(client, BODY, "key-1").status_code == 201
    assert post(client, BODY, "key-2").status_code == 201
    assert Report.objects.count() == 2


def test_it_keeps_keys_apart_per_reporter(bob, alice):
    a = post(api_client(bob), BODY, "shared")
    b = post(api_client(alice), BODY, "shared")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Något helt annat"},
        {"category": "littering"},
        {"lat": 59.2701},
        {"severity": 3},
        {"restricted": True},
        {"place_type": "semi_public"},
    ],
)
def test_it_rejects_a_key_reused_for_different_content(bob, change):
    client = api_client(bob)
    first = post(client, BODY, "key-1")
    response = post(client, {**BODY, **change}, "key-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert Report.objects.count() == 1
    assert str(Report.objects.get().code) == first.json()["id"]


def test_it_rejects_an_overlong_key(bob):
    response = post(api_client(bob), BODY, "k" * 101)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_accepts_concurrent_retries_exactly_once(bob):
    _token, raw = ApiToken.issue(bob)
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {raw}"})
            barrier.wait(timeout=30)
            response = post(client, BODY, "same-key-everywhere")
            with lock:
                results.append((response.status_code, response.json().get("id")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == threads_n
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (threads_n - 1) + [201]
    assert len({code for _, code in results}) == 1
    report = Report.objects.get()
    assert str(report.code) == results[0][1]
    assert ReportStatusChange.objects.filter(report=report).count() == 1


def test_it_saves_a_double_submitted_form_once(client, bob, west_area):
    client.force_login(bob)
    form = client.get("/reports/new/")
    key = form.context["idempotency_key"]
    assert str(key) in form.content.decode()  # the hidden field carries it
    data = {
        "category": "gathering",
        "lat": "59.27",
        "lon": "15.20",
        "people_count": "6",
        "idempotency_key": str(key),
    }
    first = client.post("/reports/new/", data)
    second = client.post("/reports/new/", data)
    assert first.status_code == second.status_code == 302
    assert Report.objects.count() == 1
    assert Report.objects.get().idempotency_key == str(key)


def test_it_gives_each_new_form_its_own_key(client, bob):
    client.force_login(bob)
    keys = {client.get("/reports/new/").context["idempotency_key"] for _ in range(2)}
    assert len(keys) == 2
    assert all(uuid.UUID(str(k)) for k in keys)


def test_back_after_thank_you_never_makes_a_second_report_silently(
    client, bob, west_area
):
    """Back after "Thank you!": the browser may not keep the form page (no-store), so
    it loads a fresh, empty form (autocomplete off: nothing restored into it). A page
    kept whole keeps its key, and sending it again is recognised; a fresh form filled
    in the same way is a likely duplicate and asks first."""
    client.force_login(bob)
    form = client.get("/reports/new/")
    assert "no-store" in form["Cache-Control"]
    assert 'autocomplete="off"' in form.content.decode()
    data = {
        "category": "gathering",
        "lat": "59.27",
        "lon": "15.20",
        "idempotency_key": str(form.context["idempotency_key"]),
    }
    assert client.post("/reports/new/", data).status_code == 302
    thanks = client.get("/reports/new/")
    assert "no-store" in thanks["Cache-Control"]

    # The kept page, sent again: the same report, and the reporter is told so.
    again = client.post("/reports/new/", data)
    assert again.status_code == 302
    messages = [str(m) for m in get_messages(again.wsgi_request)]
    assert any("already received" in m for m in messages)
    assert Report.objects.count() == 1

    # The kept page, changed and sent again: a new report, so checked again first.
    changed = client.post("/reports/new/", {**data, "category": "littering"})
    assert changed.status_code == 422
    assert changed.context["idempotency_key"] != data["idempotency_key"]
    assert Report.objects.count() == 1

    # A fresh form (a new key) filled in the same way: asked before a second report.
    fresh = {**data, "idempotency_key": str(thanks.context["idempotency_key"])}
    asked = client.post("/reports/new/", fresh)
    assert asked.status_code == 200
    assert 'data-warning="likely_duplicate"' in asked.content.decode()
    assert Report.objects.count() == 1
