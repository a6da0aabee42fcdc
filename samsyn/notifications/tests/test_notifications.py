from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samsyn.notifications.actions import notify_picture_approved
from samsyn.notifications.models import Notification, NotificationPreference
from samsyn.organisations.models import AuditEvent, Membership
from samsyn.reports.actions import change_status
from samsyn.tests.support import make_report, member

Role = Membership.Role


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def lead(north_org):
    user = member(north_org, Role.ORG_LEAD, "lead")
    user.email = "lead@kommun.example.se"
    user.save()
    return user


def test_it_mails_the_owner_organisation_when_a_report_is_assigned(
    north_org, north_housing, alice, lead, django_capture_on_commit_callbacks
):
    housing_lead = member(north_housing, Role.ORG_LEAD, "hl")
    housing_lead.email = "hl@bostad.example.se"
    housing_lead.save()
    report = make_report(north_org, category="unsafe_lighting")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report, by=alice, status="assigned", owner=north_housing)
    assert [m.to for m in mail.outbox] == [["hl@bostad.example.se"]]
    assert f"/reports/{report.code}/" in mail.outbox[0].body
    note = Notification.objects.get(user=housing_lead)
    assert note.status == "sent" and note.kind == "report_assigned"
    # The kommun's lead is not the owner: nothing for them.
    assert not Notification.objects.filter(user=lead).exists()


def test_it_skips_people_who_turned_it_off_or_have_no_address(
    north_org, alice, lead, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=lead, kind="report_assigned", enabled=False
    )
    report = make_report(north_org, category="unsafe_lighting")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report, by=alice, status="assigned", owner=north_org)
    assert mail.outbox == []
    statuses = dict(Notification.objects.values_list("user__username", "error"))
    assert statuses["lead"] == "turned off in the settings"
    assert statuses["alice"] == "no e-mail address"


def test_it_logs_a_failed_delivery(
    north_org, alice, lead, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    report = make_report(north_org, category="unsafe_lighting")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report, by=alice, status="assigned", owner=north_org)
    note = Notification.objects.get(user=lead)
    assert note.status == "failed"
    assert "Error" in note.error


def test_it_sends_due_reminders_once(
    north_org, north_police, alice, lead, django_capture_on_commit_callbacks
):
    from samsyn.interventions.models import Intervention, Partnership

    police_lead = member(north_police, Role.ORG_LEAD, "pl")
    police_lead.email = "pl@polisen.example.se"
    police_lead.save()
    today = timezone.localdate()
    iv = Intervention.objects.create(
        collaboration=north_org.collaboration,
        title="Trygghetsvandring",
        kind="dialogue",
        status="ongoing",
        owner=north_org,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=2),
    )
    Partnership.objects.create(
        intervention=iv, collaboration=iv.collaboration, organisation=north_police
    )
    Intervention.objects.create(
        collaboration=north_org.collaboration,
        title="Later",
        kind="other",
        status="ongoing",
        owner=north_org,
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "lead@kommun.example.se",
        "pl@polisen.example.se",
    ]
    assert "Trygghetsvandring" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders")
    assert len(mail.outbox) == 2  # idempotent


def test_it_reminds_decision_owners(
    north_org, alice, lead, django_capture_on_commit_callbacks
):
    from samsyn.meetings.models import Decision, Forum, Meeting

    forum = Forum.objects.create(
        collaboration=north_org.collaboration, name="Veckomöte", kind="weekly"
    )
    meeting = Meeting.objects.create(
        collaboration=north_org.collaboration, forum=forum, starts_at=timezone.now()
    )
    Decision.objects.create(
        collaboration=north_org.collaboration,
        meeting=meeting,
        text="Byt lampor i parken",
        owner=north_org,
        due=date.today() - timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders")
    assert [m.to for m in mail.outbox] == [["lead@kommun.example.se"]]
    assert "overdue" in mail.outbox[0].subject.lower()


def test_it_sends_the_weekly_digest_when_the_picture_is_approved(
    north_org, east_area, alice, bob, lead, django_capture_on_commit_callbacks
):
    from samsyn.lib.weeks import parse_period
    from samsyn.organisations.access import Access
    from samsyn.pictures.actions import (
        approve_picture,
        generate_picture,
        save_assessment,
    )

    bob.email = "bob@kommun.example.se"
    bob.save()
    picture = generate_picture(
        north_org.collaboration, "week", parse_period("week", "2026-W10"), by=alice
    )
    save_assessment(picture, "Lugn vecka.", by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        approve_picture(
            picture, Access.for_user(alice, north_org.collaboration), by=alice
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bob@kommun.example.se",
        "lead@kommun.example.se",
    ]
    assert "week 10, 2026" in mail.outbox[0].subject
    assert notify_picture_approved(picture) == 0  # once per week and person


def test_it_saves_preferences_and_shows_the_log(north_org, bob, adam, carl):
    client = Client()
    client.force_login(bob)
    page = client.get("/notifications/")
    assert page.status_code == 200
    r = client.post("/notifications/", {"kinds": ["picture_digest"]})
    assert r.status_code == 302
    assert not NotificationPreference.wants(bob, "report_assigned")
    assert NotificationPreference.wants(bob, "picture_digest")
    assert AuditEvent.objects.filter(
        action="notifications.preferences_changed"
    ).exists()
    Notification.objects.create(
        collaboration=north_org.collaboration,
        user=bob,
        kind="picture_digest",
        key="k",
        subject="Digest",
        status="sent",
    )
    assert "Digest" in client.get("/notifications/").content.decode()
    assert client.get("/notifications/log/").status_code == 404
    client.force_login(adam)
    assert "Digest" in client.get("/notifications/log/?status=sent").content.decode()
    client.force_login(carl)
    assert "Digest" not in client.get("/notifications/log/").content.decode()
