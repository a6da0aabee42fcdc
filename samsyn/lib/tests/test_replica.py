"""Reads on a replica: which reads go there, and the rule that keeps them fresh.

The replica here is a second connection to the test database (what a replica that
has replayed everything looks like); lagging and unreachable replicas are simulated
at the one place that asks the replica how far it has come.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connections, transaction
from django.test.utils import CaptureQueriesContext

from samsyn.lib import replica
from samsyn.lib.replica import REPLICA, ReplicaRouter, replica_reads
from samsyn.lib.weeks import local_midnight, period_for
from samsyn.pictures.figures import compute_figures
from samsyn.reports.models import Report
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def with_replica(settings) -> Any:  # type: ignore[no-untyped-def]
    # The root conftest gives the tests a "replica" alias mirroring the database.
    settings.DATABASE_REPLICA_URL = "postgres://replica.example/samsyn"
    settings.SAMSYN_REPLICA_WAIT_MS = 30
    return connections[REPLICA]


def test_without_a_replica_everything_reads_from_the_primary(north_org):
    with replica_reads() as alias:
        assert alias == "default"
        assert Report.objects.all().db == "default"


def test_heavy_reads_go_to_a_fresh_replica_and_see_every_committed_write(
    with_replica, north_org
):
    report = make_report(north_org)
    with replica_reads() as alias:
        assert alias == REPLICA
        assert Report.objects.all().db == REPLICA
        assert list(Report.objects.values_list("pk", flat=True)) == [report.pk]
    # Outside the block, reads are the primary's again; writes always are.
    assert Report.objects.all().db == "default"
    assert ReplicaRouter().db_for_write(Report) == "default"
    assert ReplicaRouter().allow_migrate(REPLICA, "reports") is False


def test_reads_in_a_transaction_on_the_primary_stay_there(with_replica, north_org):
    with transaction.atomic():
        uncommitted = make_report(north_org)
        with replica_reads() as alias:
            assert alias == "default"
            assert Report.objects.filter(pk=uncommitted.pk).exists()
    with replica_reads():
        with transaction.atomic():
            # A write transaction opened inside the block reads what it wrote.
            assert Report.objects.all().db == "default"


def test_a_replica_behind_the_primary_is_waited_for_then_skipped(
    with_replica, north_org, monkeypatch
):
    answers = iter([False, False, True])
    monkeypatch.setattr(replica, "_replica_has", lambda position: next(answers))
    with replica_reads() as alias:
        assert alias == REPLICA  # caught up within the wait
    monkeypatch.setattr(replica, "_replica_has", lambda position: False)
    with replica_reads() as alias:
        assert alias == "default"


def test_an_unreachable_replica_leaves_reads_on_the_primary(
    with_replica, north_org, monkeypatch
):
    def down(position: str | None) -> bool:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(replica, "_replica_has", down)
    with replica_reads() as alias:
        assert alias == "default"
        assert Report.objects.count() == 0


def test_a_picture_made_right_after_a_report_is_computed_on_the_replica_and_has_it(
    with_replica, north_org, west_area, now
):
    period = period_for("week", now.date() - timedelta(days=7))
    make_report(
        north_org, occurred_at=local_midnight(period.start) + timedelta(hours=30)
    )
    with CaptureQueriesContext(with_replica) as on_replica:
        figures, _trace = compute_figures(north_org.collaboration, period, None)
    assert len(on_replica.captured_queries) > 0
    assert figures["summary"]["n_reports"] == 1


def test_the_replica_position_check_on_postgresql(with_replica, north_org):
    if with_replica.vendor != "postgresql":
        pytest.skip("WAL positions exist on PostgreSQL only")
    position = replica._primary_position()
    assert position and "/" in position
    # The test database's second connection is not in recovery: it is current.
    assert replica._replica_has(position) is True
