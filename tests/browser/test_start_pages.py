"""The start page per role, webhooks and a PDF job's progress, as people see them.

Saves screenshots to docs/screenshots/ (start-*.png, webhook-*.png, job-*.png):
desktop for every role, and a phone too for the reporter's start page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.jobs.models import Job
from samsyn.lib.weeks import period_for
from samsyn.meetings.actions import add_decision
from samsyn.meetings.models import Forum, Meeting
from samsyn.organisations.models import Membership
from samsyn.pictures.actions import generate_picture
from samsyn.police.models import ImportBatch
from samsyn.tests.support import make_report

from .conftest import DESKTOP, PHONE, log_in, new_context, screenshot
from .test_accessibility import AXE, run_axe
from .world import PASSWORD, housing, kommun, orebro, police, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

ROLES = {
    "reporter": ("rut", "housing", Membership.Role.REPORTER),
    "coordinator": ("kalle", "kommun", Membership.Role.COORDINATOR),
    "analyst": ("anna", "kommun", Membership.Role.ANALYST),
    "steering": ("sam", "police", Membership.Role.STEERING),
    "admin": ("adam", "kommun", Membership.Role.ADMIN),
}
SPOTS = [
    ("gathering", (15.195, 59.275)),
    ("gathering", (15.196, 59.274)),
    ("littering", (15.205, 59.265)),
    ("unsafe_lighting", (15.202, 59.268)),
    ("drugs", (15.215, 59.272)),
]


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    orgs = {
        "kommun": kommun(collab),
        "police": police(collab),
        "housing": housing(collab),
    }
    west_and_east(collab)
    users = {role: user(orgs[org], r, name) for role, (name, org, r) in ROLES.items()}
    now = timezone.now()
    for i, (category, lonlat) in enumerate(SPOTS * 3):
        make_report(
            orgs["housing"] if i % 3 == 0 else orgs["kommun"],
            category=category,
            lonlat=lonlat,
            reporter=users["reporter"] if i % 3 == 0 else None,
            owner=orgs["kommun"] if category == "unsafe_lighting" else None,
            occurred_at=now - timedelta(days=i % 10, hours=i),
        )
    kalle = users["coordinator"]
    last_week = period_for("week", timezone.localdate() - timedelta(days=7))
    picture = generate_picture(collab, "week", last_week, by=kalle)
    forum = Forum.objects.create(collaboration=collab, name="Veckomöte", kind="weekly")
    meeting = Meeting.objects.create(
        collaboration=collab, forum=forum, starts_at=now - timedelta(days=6)
    )
    add_decision(
        meeting,
        by=kalle,
        text="Laga belysningen i gångtunneln",
        owner=orgs["kommun"],
        due=timezone.localdate() - timedelta(days=1),
    )
    ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.FAILED,
        file_name="brott-vecka-47.csv",
        error="Kolumnen Brottsdatum saknas.",
    )
    hook = Webhook.objects.create(
        collaboration=collab,
        name="Gatukontorets driftsystem",
        url="https://drift.example.org/samsyn",
    )
    for i, status in enumerate(["delivered", "delivered", "failed"]):
        WebhookDelivery.objects.create(
            webhook=hook,
            collaboration=collab,
            event="report.submitted",
            event_id=f"e{i}",
            status=status,
            attempts=1 if status == "delivered" else 3,
            status_code=200 if status == "delivered" else 503,
            error="" if status == "delivered" else "HTTP 503",
        )
    job = Job.objects.create(
        collaboration=collab,
        kind=Job.Kind.PICTURE_PDF,
        label=picture.label,
        subject=Job.subject_for(picture, picture.updated.timestamp()),
        status=Job.Status.RUNNING,
        stage="Laying out the PDF",
        done=1,
        total=3,
        started=now,
    )
    return {"picture": picture, "hook": hook, "job": job, "users": users}


def checked(page: Any, name: str) -> None:
    """Screenshot, then axe-core: no WCAG 2.1 A/AA violations."""
    screenshot(page, name)
    violations = run_axe(page)
    assert violations == [], (name, violations)


def test_each_role_has_its_start_page(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    for role, (username, _org, _r) in ROLES.items():
        devices = [("desktop", DESKTOP)] + (
            [("phone", PHONE)] if role == "reporter" else []
        )
        for device_name, device in devices:
            context = new_context(browser, device, live_server.url)
            context.add_init_script(path=str(AXE))
            page = context.new_page()
            log_in(page, username, PASSWORD)
            if role == "reporter":
                assert page.url.endswith("/reports/new/")  # straight to the form
            page.goto("/")
            assert page.locator(f".dash-{role}").is_visible()
            checked(page, f"start-{role}-{device_name}.png")
            context.close()


def test_webhooks_and_a_pdf_jobs_progress(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    context = new_context(browser, DESKTOP, live_server.url)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    log_in(page, "kalle", PASSWORD)
    page.goto("/integrations/webhooks/")
    checked(page, "webhook-list.png")
    page.click("#webhook-new")
    page.fill("#id_name", "Fastighetsjouren")
    page.fill("#id_url", "https://jour.example.org/hook")
    page.check("input[name=categories] >> nth=0")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.locator("#webhook-secret").is_visible()
    checked(page, "webhook-created-secret.png")
    page.goto(f"/integrations/webhooks/{cast['hook'].code}/")
    assert page.locator("#webhook-secret").count() == 0
    checked(page, "webhook-detail.png")
    page.goto(f"/pictures/{cast['picture'].code}/pdf/")
    assert page.locator(".job-progress").is_visible()
    checked(page, "job-pdf-progress.png")
    page.goto(f"/integrations/webhooks/{cast['hook'].code}/edit/")
    checked(page, "webhook-edit.png")
    page.goto("/jobs/")
    checked(page, "job-list.png")
    page.goto("/notifications/")
    checked(page, "notifications-preferences.png")
    context.close()
