"""Browser: a member makes a secret calendar link and a calendar app fetches it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.meetings.actions import plan_meetings
from samsyn.meetings.models import CalendarLink, Forum
from samsyn.organisations.models import Membership
from samsyn.tests.support import make_area

from .conftest import DESKTOP, PHONE, new_context, screenshot
from .world import kommun, orebro, signed_in, user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]


@pytest.fixture
def forum(transactional_db: Any) -> Forum:
    collab = orebro()
    municipality = kommun(collab)
    make_area(collab, ref="W", name="Väster")
    user(municipality, Membership.Role.REPORTER, "vera")
    f = Forum.objects.create(
        collaboration=collab, name="Weekly EST meeting", kind="weekly"
    )
    plan_meetings(f, timezone.localdate() + timedelta(weeks=3))
    return f


def test_a_member_subscribes_from_the_phone(
    browser: Any, live_server: Any, forum: Forum
) -> None:
    _, page = signed_in(browser, PHONE, live_server.url, "vera")
    page.goto("/meetings/")
    assert page.locator("#calendar-url").count() == 0
    with page.expect_navigation():
        page.click("#calendar-link button[value=rotate]")
    url = page.locator("#calendar-url").input_value()
    link = CalendarLink.objects.get()
    assert url.endswith(f"/meetings/calendar/{link.token}.ics")
    screenshot(page, "calendar-link-phone.png")
    # A calendar app: no session, only the link.
    app = new_context(browser, DESKTOP, live_server.url)
    answer = app.request.get(url)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.text().count("BEGIN:VEVENT") >= 3
    # Turned off: the app gets nothing any more.
    with page.expect_navigation():
        page.click("#calendar-link button[value=revoke]")
    assert app.request.get(url).status == 404
    _, desktop = signed_in(browser, DESKTOP, live_server.url, "vera")
    desktop.goto(f"/meetings/forums/{forum.code}/")
    with desktop.expect_navigation():
        desktop.click("#calendar-link button[value=rotate]")
    assert "?forum=" in desktop.locator("#calendar-url").input_value()
    screenshot(desktop, "calendar-link-forum-desktop.png")
