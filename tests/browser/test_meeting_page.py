"""Browser: a coordinator runs the weekly meeting and records decisions (htmx)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.meetings.actions import add_decision, generate_agenda
from samsyn.meetings.models import Forum, Meeting
from samsyn.organisations.models import Membership
from samsyn.tests.support import make_report

from .conftest import DESKTOP, PHONE, screenshot
from .world import kommun, orebro, police, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]


@pytest.fixture
def meeting(transactional_db: Any) -> Meeting:
    collab = orebro()
    municipality = kommun(collab)
    polisen = police(collab)
    west_and_east(collab)
    coordinator = user(municipality, Membership.Role.COORDINATOR, "kalle")
    old = timezone.now() - timedelta(days=30)
    make_report(
        municipality, category="unsafe_lighting", owner=municipality, created=old
    )
    forum = Forum.objects.create(
        collaboration=collab,
        name="Weekly EST meeting",
        kind="weekly",
        location="Town hall, room 3",
        duration_minutes=90,
    )
    forum.organisations.set([municipality, polisen])
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
        owner=municipality,
        due=day - timedelta(days=2),
    )
    add_decision(
        first,
        by=coordinator,
        text="Extra patrols at the square on Friday",
        owner=polisen,
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
    _, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto(f"/meetings/{meeting.code}/")
    assert page.locator("text=Repair the lights in the park tunnel").count() == 1
    page.fill("#id_text", "Clear the bushes along the path")
    page.select_option("#id_owner", "orebro-kommun")
    page.click("#decisions button[type=submit]")
    page.wait_for_selector("#decision-list >> text=Clear the bushes along the path")
    assert meeting.decisions.count() == 1
    screenshot(page, "meeting-desktop.png")
    _, phone = signed_in(browser, PHONE, live_server.url, "kalle")
    phone.goto(f"/meetings/{meeting.code}/")
    screenshot(phone, "meeting-phone.png")
