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
from samsyn.testing import (
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
