"""schemathesis against /api/v1/openapi.json: every operation, authenticated with an
API token of a member of a collaboration with data; no 5xx and every response as
documented.

`make test` runs 25 generated cases per operation as a coordinator. For a long run,
SAMSYN_SCHEMATHESIS_EXAMPLES sets the cases per operation and role and
SAMSYN_SCHEMATHESIS_ROLES the roles (comma-separated, or `all`: coordinator, reporter,
police reporter, analyst, steering group, administrator), e.g.

    SAMSYN_SCHEMATHESIS_EXAMPLES=300 SAMSYN_SCHEMATHESIS_ROLES=all \
        .venv/bin/python -m pytest samsyn/tests/test_schemathesis.py

Each role sees a different slice (a reporter's reports, the police's restricted
ones, no analyses for reporters and administrators), so each exercises other paths.
The number of requests actually sent is written to the terminal summary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from samsyn.accounts.models import ApiToken
from samsyn.tests.support import make_report
from samsyn.wsgi import application

EXAMPLES = int(os.environ.get("SAMSYN_SCHEMATHESIS_EXAMPLES", "25"))
USERS = {
    "coordinator": "alice",
    "reporter": "bob",
    "police": "petra",
    "analyst": "anna",
    "steering": "sam",
    "admin": "adam",
}
_roles = os.environ.get("SAMSYN_SCHEMATHESIS_ROLES", "coordinator").strip()
ROLES = list(USERS) if _roles == "all" else [r.strip() for r in _roles.split(",")]
assert set(ROLES) <= set(USERS), f"unknown role in SAMSYN_SCHEMATHESIS_ROLES: {ROLES}"
CALLS: list[int] = [0]  # requests sent (shown by samsyn/tests/conftest.py)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Dates at the calendar's edges and impossible ones, for every date parameter: the
# generator alone draws arbitrary strings, which almost never parse as dates.
EDGE_DATES = [
    "9999-12-31",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30",
    "1899-12-31",
    "2101-01-01",
    "2100-12-31",
    "9999-W52",
    "0001-W01",
    "2026-W53",
]
DATE_PARAMETERS = {"since", "until", "week"}


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
    """Half of the cases of an operation with date parameters put an edge date in
    each of them (samsyn/lib/dates.py: 422 outside 1900..2100, never a 500)."""
    names = [p.name for p in context.operation.query if p.name in DATE_PARAMETERS]
    if not names:
        return st.just(query)
    edges = st.fixed_dictionaries({n: st.sampled_from(EDGE_DATES) for n in names})
    return st.one_of(st.just(query), edges.map(lambda e: {**(query or {}), **e}))


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """The WSGI app closes the database connection after each request; the test's
    transaction needs it open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def token(
    request: Any,
    alice: Any,
    bob: Any,
    petra: Any,
    anna: Any,
    sam: Any,
    adam: Any,
    north_org: Any,
    north_police: Any,
    west_area: Any,
    east_area: Any,
) -> str:
    for i in range(6):
        make_report(north_org, reporter=bob, description=f"report {i}")
    make_report(north_police, restricted=True, reporter=petra)
    make_report(north_org, category="unsafe_lighting", owner=north_org, reporter=bob)
    users = {u.username: u for u in (alice, bob, petra, anna, sam, adam)}
    _token, raw = ApiToken.issue(users[USERS[request.param]])
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_every_generated_request_as_documented(
    case: Any, token: str
) -> None:
    CALLS[0] += 1
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
