"""The test suite's clock: one pinned "now" and the instants of the calendar sweep.

No Django here: the Makefile reads CALENDAR_INSTANTS before any settings exist.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

# The one "now" of the test suite. No test reads the machine's clock: every test runs
# with the clock moved to this instant (and ticking on from it, so that durations and
# time-outs still pass). SAMSYN_TEST_NOW moves it, which is how `make test-calendar`
# runs the date-sensitive tests at hostile instants (New Year, ISO week 53, the
# summer-time changes, a leap day). A naive value is local time in Europe/Stockholm.
DEFAULT_TEST_NOW = "2026-11-18T09:30:00"
TEST_TIME_ZONE = ZoneInfo("Europe/Stockholm")


def pinned_now() -> datetime:
    """The instant the suite runs at: SAMSYN_TEST_NOW, or DEFAULT_TEST_NOW."""
    value = datetime.fromisoformat(
        os.environ.get("SAMSYN_TEST_NOW") or DEFAULT_TEST_NOW
    )
    if value.tzinfo is None:
        value = value.replace(tzinfo=TEST_TIME_ZONE)
    return value


# The date-sensitive tests: `make test-calendar` runs them again at each instant of
# CALENDAR_INSTANTS (periods, pictures, meetings and iCal, coverage, deviations,
# follow-up, retention, feedback windows, guard plans, the API's date filters).
CALENDAR_MODULES = (
    "samsyn/analysis/tests/test_api_analysis.py",
    "samsyn/analysis/tests/test_engine.py",
    "samsyn/annual/tests/",
    "samsyn/coverage/tests/",
    "samsyn/feedback/tests/",
    "samsyn/interventions/tests/test_evaluation.py",
    "samsyn/interventions/tests/test_followup_text.py",
    "samsyn/interventions/tests/test_from_picture.py",
    "samsyn/interventions/tests/test_lifecycle.py",
    "samsyn/lib/tests/test_retention.py",
    "samsyn/meetings/tests/",
    "samsyn/notifications/tests/",
    "samsyn/organisations/tests/test_restricted_leaks.py",
    "samsyn/patrols/tests/",
    "samsyn/pictures/tests/",
    "samsyn/reports/tests/test_api_reports.py",
    "samsyn/residents/tests/",
    "samsyn/tests/test_dashboard.py",
)
CALENDAR_INSTANTS = (
    "2026-12-31T23:30",  # New Year's Eve, late
    "2027-01-01T00:30",  # New Year's Day, UTC still in the old year
    "2027-01-03T12:00",  # Sunday, the last day of ISO week 2026-W53
    "2027-01-04T00:30",  # Monday of 2027-W01, UTC still Sunday
    "2027-03-28T03:30",  # the first hour of summer time
    "2027-10-31T02:30",  # the hour that comes twice when summer time ends
    "2028-02-29T12:00",  # a leap day
)
