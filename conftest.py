"""The fixed cast for tests.

north: a collaboration (Örebro-like) with a municipality, the police and a housing
company; south: another collaboration. alice coordinates north, bob reports for the
north municipality, petra reports for the north police, anna analyses north,
sam sits on north's steering group, adam administers north, carl coordinates south.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from samsyn.organisations.models import Membership
from samsyn.tests.support import (
    SQUARE_EAST,
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    member,
)

Role = Membership.Role


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

_session_clock: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Module- and session-scoped fixtures (the demo worlds) are built before any
    # function fixture runs: the clock is pinned for the whole session too.
    global _session_clock
    _session_clock = time_machine.travel(pinned_now(), tick=True)
    _session_clock.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_clock is not None:
        _session_clock.stop()


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    root = str(config.rootpath)
    for item in items:
        path = str(item.path)[len(root) + 1 :]
        if path.startswith(CALENDAR_MODULES):
            item.add_marker(pytest.mark.calendar)


@pytest.fixture(autouse=True)
def now() -> Iterator[datetime]:
    """Every test's clock, pinned; request it by name to build data around "now"."""
    instant = pinned_now()
    with time_machine.travel(instant, tick=True):
        yield instant


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded and generated files of the tests, never in the checkout's var/media."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_settings(settings, _media_root):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = _media_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def north(db):  # type: ignore[no-untyped-def]
    return CollaborationFactory(slug="north", name="North EST")


@pytest.fixture
def south(db):  # type: ignore[no-untyped-def]
    return CollaborationFactory(slug="south", name="South EST")


@pytest.fixture
def north_org(north):  # type: ignore[no-untyped-def]
    return OrganisationFactory(
        collaboration=north, slug="north-kommun", name="North kommun"
    )


@pytest.fixture
def north_police(north):  # type: ignore[no-untyped-def]
    return OrganisationFactory(
        collaboration=north, slug="north-police", name="North police", kind="police"
    )


@pytest.fixture
def north_housing(north):  # type: ignore[no-untyped-def]
    return OrganisationFactory(
        collaboration=north, slug="north-housing", name="North housing", kind="housing"
    )


@pytest.fixture
def south_org(south):  # type: ignore[no-untyped-def]
    return OrganisationFactory(
        collaboration=south, slug="south-kommun", name="South kommun"
    )


@pytest.fixture
def west_area(north):  # type: ignore[no-untyped-def]
    return make_area(north, ref="W", name="Väster")


@pytest.fixture
def east_area(north, west_area):  # type: ignore[no-untyped-def]
    return make_area(north, ref="E", name="Öster", geometry=SQUARE_EAST)


@pytest.fixture
def alice(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Role.COORDINATOR, "alice")


@pytest.fixture
def bob(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Role.REPORTER, "bob")


@pytest.fixture
def petra(north_police):  # type: ignore[no-untyped-def]
    return member(north_police, Role.REPORTER, "petra")


@pytest.fixture
def anna(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Role.ANALYST, "anna")


@pytest.fixture
def sam(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Role.STEERING, "sam")


@pytest.fixture
def adam(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Role.ADMIN, "adam")


@pytest.fixture
def carl(south_org):  # type: ignore[no-untyped-def]
    return member(south_org, Role.COORDINATOR, "carl")
