"""The demo shows the flow: planted lamps reach their owners through routing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from samsyn.demo.load import find_data_dir
from samsyn.reports.models import Report
from samsyn.routing.models import Assignment, Property
from samsyn.tests.clock import pinned_now
from samsyn.tests.support import demo_in_rollback

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=3_000, now=pinned_now()
    ) as result:
        yield result


@pytest.mark.django_db
def test_the_planted_lamps_go_to_their_owners(demo):
    truths = json.loads(demo.truths_path.read_text())["routing"]
    assert Property.objects.filter(owner__slug="orebrobostader").count() == 6
    for case in truths["planted"]:
        report = Report.objects.select_related("owner").get(code=case["report"])
        assert report.status == Report.Status.ASSIGNED
        assert report.owner.slug == case["expected_owner"]
        assert Assignment.objects.get(report=report).rule is not None
    expected = {c["case"]: c["expected_owner"] for c in truths["planted"]}
    assert expected == {"estate_lamp": "orebrobostader", "street_lamp": "orebro-kommun"}
