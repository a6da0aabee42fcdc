"""schemathesis against /api/v1/openapi.json: every operation, authenticated as a
coordinator of a collaboration with data; no 5xx and every response as documented.

25 generated cases per operation in `make test`; set SAMSYN_SCHEMATHESIS_EXAMPLES
(e.g. 1000) for a long run.
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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from samsyn.accounts.models import ApiToken
from samsyn.testing import make_report
from samsyn.wsgi import application

EXAMPLES = int(os.environ.get("SAMSYN_SCHEMATHESIS_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """The WSGI app closes the database connection after each request; the test's
    transaction needs it open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_token(
    alice: Any,
    bob: Any,
    north_org: Any,
    north_police: Any,
    west_area: Any,
    east_area: Any,
) -> str:
    for i in range(6):
        make_report(north_org, reporter=bob, description=f"report {i}")
    make_report(north_police, restricted=True)
    _token, raw = ApiToken.issue(alice)
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_every_generated_request_as_documented(
    case: Any, coordinator_token: str
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {coordinator_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
