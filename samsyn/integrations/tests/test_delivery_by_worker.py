"""Webhooks and e-mail leave the request: they are queued after the commit and
sent by the task worker, so a receiver that never answers cannot hold up a report.

The queue here is django-tasks' dummy backend (it keeps what is queued and runs
nothing), standing in for the database backend and its worker in production.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tasks import default_task_backend

from samsyn.integrations.actions import create_open311_key
from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.integrations.tasks import deliver_webhook
from samsyn.notifications.tasks import send_notification
from samsyn.reports.actions import change_status
from samsyn.reports.models import Report
from samsyn.tests.support import api_client, make_report, member

QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.TASKS = QUEUE
    calls: list[str] = []

    def never(url, body, headers, timeout):  # type: ignore[no-untyped-def]
        calls.append(url)
        raise AssertionError("a webhook was sent inside the request")

    monkeypatch.setattr("samsyn.integrations.actions.http_send", never)
    default_task_backend.clear()
    return calls


def queued(task) -> list:  # type: ignore[no-untyped-def]
    return [r for r in default_task_backend.results if r.task.func == task.func]


@pytest.fixture
def hook(north):  # type: ignore[no-untyped-def]
    return Webhook.objects.create(
        collaboration=north, name="Drift", url="https://drift.example.org/in"
    )


def test_a_report_from_the_api_queues_its_webhook_after_the_commit(
    queue, hook, bob, west_area, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client(bob).post(
            "/api/v1/reports",
            {"category": "gathering", "lat": 59.27, "lon": 15.20},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    # Nothing is queued until the report is committed...
    assert queued(deliver_webhook) == []
    for callback in callbacks:
        callback()
    # ...then one delivery is queued for the worker, and nothing was sent here.
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == "pending" and delivery.attempts == 0
    assert [r.args for r in queued(deliver_webhook)] == [[delivery.pk]]
    assert queue == []


def test_an_open311_post_queues_its_webhook(
    queue, hook, north_org, django_capture_on_commit_callbacks
):
    _row, key = create_open311_key(north_org)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/open311/v2/requests.json",
            {
                "jurisdiction_id": "north",
                "service_code": "unsafe_lighting",
                "api_key": key,
                "lat": 59.27,
                "long": 15.2,
            },
        )
    assert response.status_code == 200, response.content
    assert len(queued(deliver_webhook)) == 1
    assert queue == []


def test_a_notification_mail_is_queued_not_sent_in_the_request(
    queue, north_org, alice, django_capture_on_commit_callbacks
):
    lead = member(north_org, "org_lead", "lena")
    lead.email = "lena@example.org"
    lead.save()
    report = make_report(north_org, category="unsafe_lighting")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report, by=alice, status=Report.Status.ASSIGNED, owner=north_org)
    assert queued(send_notification)
    assert mail.outbox == []


def test_the_worker_then_delivers_with_short_time_outs(hook, north_org, monkeypatch):
    """What the worker runs: one try through the outbound client, with the
    connect and read time-outs of the settings (not Python's default of none)."""
    seen = {}

    def send(url, body, headers, timeout):  # type: ignore[no-untyped-def]
        seen["timeout"] = timeout
        return 204

    monkeypatch.setattr("samsyn.integrations.actions.http_send", send)
    make_report(north_org)
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert deliver_webhook.call(delivery.pk) == "delivered"
    assert 0 < seen["timeout"] <= 10
