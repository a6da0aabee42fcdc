"""Browser: a coordinator runs the weekly meeting and records decisions (htmx)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.meetings.actions import add_decision, generate_agenda
from samsyn.meetings.models import Forum, Meeting
from samsyn.organisations.models import Membership
from samsyn.testing import (
    SQUARE_EAST,
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    make_report,
    member,
)

from .conftest import DESKTOP, PHONE, log_in, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]
PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only


@pytest.fixture
def meeting(transactional_db: Any) -> Meeting:
    collab = CollaborationFactory(slug="orebro", name="EST Örebro")
    kommun = OrganisationFactory(
        collaboration=collab, slug="orebro-kommun", name="Örebro kommun"
    )
    police = OrganisationFactory(
        collaboration=collab, slug="polisen", name="Polisen Örebro", kind="police"
    )
    make_area(collab, ref="W", name="Väster")
    make_area(collab, ref="E", name="Öster", geometry=SQUARE_EAST)
    coordinator = member(kommun, Membership.Role.COORDINATOR, "kalle")
    coordinator.set_password(PASSWORD)
    coordinator.save()
    old = timezone.now() - timedelta(days=30)
    make_report(kommun, category="unsafe_lighting", owner=kommun, created=old)
    forum = Forum.objects.create(
        collaboration=collab,
        name="Weekly EST meeting",
        kind="weekly",
        location="Town hall, room 3",
        duration_minutes=90,
    )
    forum.organisations.set([kommun, police])
    day = timezone.localdate()
    first = Meeting.objects.create(
        collaboration=collab,
        forum=forum,
        starts_at=forum.start_of(day - timedelta(days=7)),
        status="held",
    )
    add_decision(
        first,
        by=coordinator,
        text="Repair the lights in the park tunnel",
        owner=kommun,
        due=day - timedelta(days=2),
    )
    add_decision(
        first,
        by=coordinator,
        text="Extra patrols at the square on Friday",
        owner=police,
        due=day + timedelta(days=5),
    )
    m = Meeting.objects.create(
        collaboration=collab, forum=forum, starts_at=forum.start_of(day)
    )
    generate_agenda(m, by=coordinator)
    return m


def test_it_records_a_decision_in_a_few_seconds(
    browser: Any, live_server: Any, meeting: Meeting
) -> None:
    context = new_context(browser, DESKTOP, live_server.url)
    page = context.new_page()
    log_in(page, "kalle", PASSWORD)
    page.goto(f"/meetings/{meeting.code}/")
    assert page.locator("text=Repair the lights in the park tunnel").count() == 1
    page.fill("#id_text", "Clear the bushes along the path")
    page.select_option("#id_owner", "orebro-kommun")
    page.click("#decisions button[type=submit]")
    page.wait_for_selector("#decision-list >> text=Clear the bushes along the path")
    assert meeting.decisions.count() == 1
    screenshot(page, "meeting-desktop.png")
    phone = new_context(browser, PHONE, live_server.url).new_page()
    log_in(phone, "kalle", PASSWORD)
    phone.goto(f"/meetings/{meeting.code}/")
    screenshot(phone, "meeting-phone.png")
