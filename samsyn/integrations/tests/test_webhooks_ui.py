"""Webhooks managed in the app: list, create, change, pause, rotate, test, delete."""

from __future__ import annotations

import pytest
from django.test import Client

from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.organisations.models import AuditEvent
from samsyn.reports.models import Category

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def hook(north):  # type: ignore[no-untyped-def]
    return Webhook.objects.create(
        collaboration=north, name="Drift", url="https://example.invalid/hook"
    )


def actions(collab) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        AuditEvent.objects.filter(collaboration=collab)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_coordinator_creates_a_hook_and_sees_its_secret_once(north, alice):
    c = client_for(alice)
    lighting = Category.objects.get(collaboration=north, code="unsafe_lighting")
    r = c.post(
        "/integrations/webhooks/new/",
        {
            "name": "Gatukontoret",
            "url": "https://drift.example.org/samsyn",
            "categories": [lighting.pk],
        },
    )
    assert r.status_code == 302
    hook = Webhook.objects.get(name="Gatukontoret")
    assert hook.collaboration == north and list(hook.categories.all()) == [lighting]
    page = c.get(r["Location"])
    assert hook.secret in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    again = c.get(r["Location"]).content.decode()
    assert hook.secret not in again
    assert actions(north) == ["webhook.created"]
    event = AuditEvent.objects.get(action="webhook.created")
    assert hook.secret not in str(event.data)


def test_bad_input_is_refused_and_nothing_is_made(alice):
    r = client_for(alice).post(
        "/integrations/webhooks/new/", {"name": "", "url": "ftp://x.example.org/"}
    )
    assert r.status_code == 422
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://[::1]/",
        "http://127.0.0.1:6379/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_a_hook_to_a_private_or_local_address_is_refused(alice, url):
    r = client_for(alice).post(
        "/integrations/webhooks/new/", {"name": "Scan", "url": url}
    )
    assert r.status_code == 422
    assert not Webhook.objects.exists()
    errors = " ".join(r.context["form"].errors["url"])
    assert "SAMSYN_OUTBOUND_ALLOW" in errors or "metadata" in errors


def test_an_allowed_on_premise_receiver_is_accepted(alice, settings):
    settings.SAMSYN_OUTBOUND_ALLOW = ["10.20.0.0/16"]
    r = client_for(alice).post(
        "/integrations/webhooks/new/", {"name": "Drift", "url": "http://10.20.1.5/in"}
    )
    assert r.status_code == 302


def test_categories_offered_are_the_collaborations_own(north, south, alice):
    r = client_for(alice).get("/integrations/webhooks/new/")
    offered = set(r.context["form"].fields["categories"].queryset)
    assert offered and all(c.collaboration_id == north.pk for c in offered)
    foreign = Category.objects.filter(collaboration=south).first()
    r = client_for(alice).post(
        "/integrations/webhooks/new/",
        {"name": "X", "url": "https://x.example.org/", "categories": [foreign.pk]},
    )
    assert r.status_code == 422 and not Webhook.objects.exists()


def test_only_those_who_may_read_restricted_reports_may_send_them_on(
    north, alice, adam, hook
):
    assert (
        "include_restricted"
        in client_for(alice)
        .get(f"/integrations/webhooks/{hook.code}/edit/")
        .context["form"]
        .fields
    )
    c = client_for(adam)
    form = c.get(f"/integrations/webhooks/{hook.code}/edit/").context["form"]
    assert "include_restricted" not in form.fields
    c.post(
        f"/integrations/webhooks/{hook.code}/edit/",
        {"name": "Drift", "url": hook.url, "include_restricted": "on"},
    )
    hook.refresh_from_db()
    assert hook.include_restricted is False


def test_an_edit_by_someone_who_may_not_read_restricted_reports_turns_them_off(
    north, north_police, alice, adam, django_capture_on_commit_callbacks
):
    """A coordinator's hook sends restricted reports; an administrator (who may not
    read them) changes only its URL. The hook must not keep sending them, now to
    an address the administrator chose."""
    c = client_for(alice)
    c.post(
        "/integrations/webhooks/new/",
        {
            "name": "Polisen",
            "url": "https://police.example.org/hook",
            "include_restricted": "on",
        },
    )
    hook = Webhook.objects.get(name="Polisen")
    assert hook.include_restricted is True
    admin = client_for(adam)
    form = admin.get(f"/integrations/webhooks/{hook.code}/edit/")
    assert "Saving turns that off" in form.content.decode()
    r = admin.post(
        f"/integrations/webhooks/{hook.code}/edit/",
        {"name": "Polisen", "url": "https://attacker.example.org/hook"},
    )
    assert r.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.include_restricted) == (
        "https://attacker.example.org/hook",
        False,
    )
    event = AuditEvent.objects.filter(action="webhook.changed").get()
    assert event.data["include_restricted"] is False
    from samsyn.tests.support import make_report

    with django_capture_on_commit_callbacks(execute=False):
        make_report(north_police, restricted=True)
    assert not WebhookDelivery.objects.filter(webhook=hook).exists()


def test_a_coordinators_edit_keeps_restricted_reports_on(north, alice):
    hook = Webhook.objects.create(
        collaboration=north,
        name="Polisen",
        url="https://police.example.org/hook",
        include_restricted=True,
    )
    r = client_for(alice).post(
        f"/integrations/webhooks/{hook.code}/edit/",
        {
            "name": "Polisen",
            "url": "https://police2.example.org/hook",
            "include_restricted": "on",
        },
    )
    assert r.status_code == 302
    hook.refresh_from_db()
    assert hook.include_restricted is True


def test_edit_pause_resume_rotate_and_delete_are_audited(north, alice, hook):
    c = client_for(alice)
    base = f"/integrations/webhooks/{hook.code}/"
    assert (
        c.post(base + "edit/", {"name": "Drift 2", "url": hook.url}).status_code == 302
    )
    assert c.post(base + "toggle/").status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.active) == ("Drift 2", False)
    c.post(base + "toggle/")
    hook.refresh_from_db()
    assert hook.active
    old = hook.secret
    r = c.post(base + "rotate/")
    hook.refresh_from_db()
    assert hook.secret != old
    assert hook.secret in c.get(r["Location"]).content.decode()
    assert c.post(base + "delete/").status_code == 302
    assert not Webhook.objects.filter(pk=hook.pk).exists()
    assert actions(north) == [
        "webhook.changed",
        "webhook.paused",
        "webhook.resumed",
        "webhook.secret_rotated",
        "webhook.deleted",
    ]


def test_a_paused_hook_gets_no_new_reports(north_org, hook):
    from samsyn.integrations.actions import queue_report_webhooks
    from samsyn.tests.support import make_report

    hook.active = False
    hook.save()
    report = make_report(north_org, category="unsafe_lighting")
    assert queue_report_webhooks(report) == []


def test_a_test_delivery_is_signed_sent_and_logged(
    north, alice, hook, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []

    def fake_send(url, body, headers, timeout):  # type: ignore[no-untyped-def]
        sent.append((url, headers))
        return 204

    monkeypatch.setattr("samsyn.integrations.actions.http_send", fake_send)
    c = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/integrations/webhooks/{hook.code}/test/")
    assert r.status_code == 302
    assert sent and sent[0][0] == hook.url
    assert sent[0][1]["X-Samsyn-Event"] == "ping"
    assert sent[0][1]["X-Samsyn-Signature"].startswith("sha256=")
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts, delivery.status_code) == (
        "delivered",
        1,
        204,
    )
    page = c.get(f"/integrations/webhooks/{hook.code}/?status=delivered")
    html = page.content.decode()
    assert "ping" in html and "204" in html
    assert "webhook.test_sent" in actions(north)


def test_the_delivery_log_filters_by_status(north, alice, hook):
    for i, status in enumerate(["delivered", "failed", "failed"]):
        WebhookDelivery.objects.create(
            webhook=hook,
            collaboration=north,
            event="report.submitted",
            event_id=f"e{i}",
            status=status,
            attempts=3 if status == "failed" else 1,
            error="HTTP 500" if status == "failed" else "",
        )
    r = client_for(alice).get(f"/integrations/webhooks/{hook.code}/?status=failed")
    assert len(r.context["deliveries"]) == 2
    assert ("failed", "Failed", 2) in r.context["statuses"]
    assert "HTTP 500" in r.content.decode()


def test_other_roles_and_collaborations_get_404(hook, bob, anna, sam, carl):
    for user in (bob, anna, sam, carl):
        c = client_for(user)
        assert c.get(f"/integrations/webhooks/{hook.code}/").status_code == 404
        assert c.post(f"/integrations/webhooks/{hook.code}/delete/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_the_list_is_cheap(north, alice, hook, django_assert_max_num_queries):
    c = client_for(alice)
    for i in range(5):
        Webhook.objects.create(
            collaboration=north, name=f"H{i}", url="https://x.example/"
        )
    with django_assert_max_num_queries(15):
        r = c.get("/integrations/webhooks/")
    assert r.status_code == 200
