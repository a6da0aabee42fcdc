"""The fixed cast for tests.

north: a collaboration (Örebro-like) with a municipality, the police and a housing
company; south: another collaboration. alice coordinates north, bob reports for the
north municipality, petra reports for the north police, anna analyses north,
sam sits on north's steering group, adam administers north, carl coordinates south.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine

from samsyn.organisations.models import Membership
from samsyn.tests.clock import CALENDAR_MODULES, pinned_now
from samsyn.tests.support import (
    SQUARE_EAST,
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    member,
)

Role = Membership.Role


_session_clock: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Module- and session-scoped fixtures (the demo worlds) are built before any
    # function fixture runs: the clock is pinned for the whole session too.
    global _session_clock
    _session_clock = time_machine.travel(pinned_now(), tick=True)
    _session_clock.start()
    # A "replica" alias that mirrors the test database, for the tests of reads on a
    # replica (samsyn/lib/tests/test_replica.py); the app uses it only where a test
    # sets DATABASE_REPLICA_URL and asks for the alias.
    from django.conf import settings

    settings.DATABASES.setdefault(
        "replica", {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    )


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
