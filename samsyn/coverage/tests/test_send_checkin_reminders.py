"""Reminders go to organisations that have not checked in, once per week."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from samsyn.coverage.actions import check_in, next_deadline, send_checkin_reminders
from samsyn.coverage.models import Coverage, ReminderLog
from samsyn.meetings.models import Forum
from samsyn.organisations.access import Access

TZ = timezone.get_current_timezone()
# Sunday of ISO week 10 (2026): the default deadline is Monday 09:00 of week 11.
SUNDAY = datetime(2026, 3, 8, 12, 0, tzinfo=TZ)


@pytest.fixture
def setup(north_org, north_police, west_area, alice, petra):  # type: ignore[no-untyped-def]
    alice.email = "alice@example.org"
    alice.save()
    petra.email = "petra@example.org"
    petra.save()
    collab = north_org.collaboration
    for org in (north_org, north_police):
        Coverage.objects.create(collaboration=collab, organisation=org, area=west_area)
    return collab


def test_it_reminds_only_organisations_missing_a_check_in(
    setup, north_org, west_area, alice, mailoutbox
):
    check_in(
        Access.for_user(alice, setup),
        north_org,
        west_area,
        2026,
        10,
        "nothing_to_report",
        by=alice,
    )
    result = send_checkin_reminders(setup, now=SUNDAY)
    assert result["week"] == "2026-W10"
    assert result["sent"] == ["north-police"]
    assert result["complete"] == ["north-kommun"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["petra@example.org"]  # the police have no coordinator
    assert "Väster" in mailoutbox[0].body
    assert "/coverage/checkin/?week=2026-W10" in mailoutbox[0].body


def test_it_is_idempotent_per_week(setup, mailoutbox):
    send_checkin_reminders(setup, now=SUNDAY)
    again = send_checkin_reminders(setup, now=SUNDAY.replace(hour=20))
    assert len(mailoutbox) == 2
    assert again["sent"] == []
    assert sorted(again["already"]) == ["north-kommun", "north-police"]
    assert ReminderLog.objects.count() == 2


def test_it_waits_until_the_window_before_the_deadline(setup, mailoutbox):
    early = datetime(2026, 3, 6, 9, 0, tzinfo=TZ)  # Friday, 72 h before
    assert send_checkin_reminders(setup, now=early)["due"] is False
    assert mailoutbox == []
    assert send_checkin_reminders(setup, now=early, before_meeting_hours=96)["sent"]


def test_the_deadline_is_the_weekly_forums_next_meeting(setup):
    forum = Forum.objects.create(
        collaboration=setup,
        name="EST",
        kind="weekly",
        weekday=1,
        start_time=time(13, 0),
        starts_on=datetime(2026, 1, 1).date(),
    )
    deadline = next_deadline(setup, SUNDAY)
    assert timezone.localtime(deadline) == datetime(2026, 3, 10, 13, 0, tzinfo=TZ)
    forum.active = False
    forum.save()
    assert timezone.localtime(next_deadline(setup, SUNDAY)) == datetime(
        2026, 3, 9, 9, 0, tzinfo=TZ
    )


def test_the_command_sends_and_is_idempotent(setup, mailoutbox, capsys):
    with time_machine.travel(SUNDAY, tick=False):
        call_command("send_checkin_reminders", "--collaboration", "north")
        call_command("send_checkin_reminders", "--collaboration", "north")
    out = capsys.readouterr().out
    assert "reminded 2" in out and "already reminded 2" in out
    assert len(mailoutbox) == 2


def test_without_a_name_the_command_runs_for_every_collaboration(
    setup, south, mailoutbox, capsys
):
    with time_machine.travel(SUNDAY, tick=False):
        call_command("send_checkin_reminders")
    out = capsys.readouterr().out
    assert "north: week" in out and "reminded 2" in out
    assert "south: week" in out
    assert len(mailoutbox) == 2


def test_an_unknown_collaboration_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No collaboration 'nowhere'"):
        call_command("send_checkin_reminders", "--collaboration", "nowhere")
