from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client

from samsyn.integrations.actions import deliver, queue_report_webhooks, sign
from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.integrations.signals import report_submitted
from samsyn.reports.models import Category
from samsyn.tests.support import make_report


class Receiver:
    """A local HTTP server in a thread that records what it gets."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.location = ""
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                code = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(code)
                if outer.location:
                    self.send_header("Location", outer.location)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver([])
    yield r
    r.close()


def test_it_posts_signed_new_reports_to_the_hook(
    north_org, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SAMSYN_OUTBOUND_ALLOW = ["127.0.0.1"]  # the receiver is local
    lighting = Category.objects.get(
        collaboration=north_org.collaboration, code="unsafe_lighting"
    )
    hook = Webhook.objects.create(
        collaboration=north_org.collaboration, name="Drift", url=receiver.url
    )
    hook.categories.add(lighting)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(north_org, category="unsafe_lighting")
        make_report(north_org, category="gathering")  # filtered out
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    ts = headers["X-Samsyn-Timestamp"]
    expected = hmac.new(hook.secret.encode(), f"{ts}.".encode() + body, hashlib.sha256)
    assert headers["X-Samsyn-Signature"] == "sha256=" + expected.hexdigest()
    payload = json.loads(body)
    assert payload["report"]["code"] == str(report.code)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == (
        "delivered",
        1,
        200,
    )
    # The signal and the post_save fallback announce the same event only once.
    with django_capture_on_commit_callbacks(execute=True):
        report_submitted.send(sender=None, report=report, by=None)
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.received) == 1


def test_it_retries_with_backoff_and_logs_the_failure(north_org):
    Webhook.objects.create(
        collaboration=north_org.collaboration, name="Flaky", url="http://127.0.0.1:9/"
    )
    report = make_report(north_org)
    [delivery] = queue_report_webhooks(report) or WebhookDelivery.objects.all()
    calls, waits = [], []

    def failing(url, body, headers, timeout):
        calls.append(url)
        if len(calls) == 1:
            raise ConnectionRefusedError("refused")
        return 503

    deliver(delivery, send=failing, sleep=waits.append)
    delivery.refresh_from_db()
    assert len(calls) == 3
    assert delivery.status == "failed"
    assert delivery.attempts == 3
    assert delivery.status_code == 503
    assert delivery.error == "HTTP 503"
    assert len(waits) == 2


def test_it_succeeds_on_a_retry_against_a_real_server(north_org, settings):
    settings.SAMSYN_WEBHOOK_INLINE_WAIT = 0
    settings.SAMSYN_OUTBOUND_ALLOW = ["127.0.0.1"]
    server = Receiver([500])
    try:
        Webhook.objects.create(
            collaboration=north_org.collaboration, name="Real", url=server.url
        )
        report = make_report(north_org)
        delivery = WebhookDelivery.objects.get(
            event_id=f"report.submitted:{report.code}"
        )
        deliver(delivery)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        assert len(server.received) == 2
    finally:
        server.close()


def test_it_keeps_restricted_reports_and_other_collaborations_out(
    north_police, south_org
):
    Webhook.objects.create(
        collaboration=north_police.collaboration, name="N", url="http://127.0.0.1:9/"
    )
    make_report(north_police, restricted=True)
    make_report(south_org)
    assert WebhookDelivery.objects.count() == 0


def test_it_shows_the_delivery_log_to_admins_only(north_org, adam, bob):
    hook = Webhook.objects.create(
        collaboration=north_org.collaboration, name="Drift", url="http://127.0.0.1:9/"
    )
    make_report(north_org)
    client = Client()
    client.force_login(adam)
    page = client.get("/integrations/webhooks/")
    assert page.status_code == 200
    assert hook.name in page.content.decode()
    client.force_login(bob)
    assert client.get("/integrations/webhooks/").status_code == 404


def test_a_stored_hook_to_a_private_address_is_never_called(
    north_org, receiver, django_capture_on_commit_callbacks
):
    """Saved another way (the admin, an older version): delivery refuses it too,
    and the log says why instead of being a port scanner's answer."""
    Webhook.objects.create(
        collaboration=north_org.collaboration, name="Scan", url=receiver.url
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_report(north_org)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.status_code is None
    assert "127.0.0.1" in delivery.error and "SAMSYN_OUTBOUND_ALLOW" in delivery.error


def test_it_does_not_follow_a_redirect(
    north_org, settings, django_capture_on_commit_callbacks
):
    """A 302 is the receiver's answer (a failure), not an address to go on to."""
    settings.SAMSYN_OUTBOUND_ALLOW = ["127.0.0.1"]
    settings.SAMSYN_WEBHOOK_INLINE_WAIT = 0
    target = Receiver([])
    bouncer = Receiver([302, 302, 302])
    bouncer.location = target.url
    try:
        Webhook.objects.create(
            collaboration=north_org.collaboration, name="B", url=bouncer.url
        )
        with django_capture_on_commit_callbacks(execute=True):
            report = make_report(north_org)
        delivery = WebhookDelivery.objects.get(
            event_id=f"report.submitted:{report.code}"
        )
        assert (delivery.status, delivery.error) == ("failed", "HTTP 302")
        assert len(bouncer.received) == 3 and target.received == []
    finally:
        target.close()
        bouncer.close()


def test_it_signs_over_timestamp_and_body():
    assert (
        sign("s", 1, b"{}")
        == "sha256=" + hmac.new(b"s", b"1.{}", hashlib.sha256).hexdigest()
    )
