"""The demo carries synthetic police data, marked as such and placed as an extract
places crimes (a 100 m grid), following the demo's own reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from django.db.models import Count

from samsyn.analysis import engine
from samsyn.demo.load import find_data_dir
from samsyn.demo.police import GRID_M
from samsyn.police.models import ImportBatch, PoliceEvent, ReportedCrime
from samsyn.reports.models import Report
from samsyn.tests.support import demo_in_rollback

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=20_000, now=NOW
    ) as result:
        yield result


@pytest.mark.django_db
def test_the_demo_crimes_are_marked_synthetic(demo):  # type: ignore[no-untyped-def]
    crimes = ReportedCrime.objects.in_collaboration(demo.collaboration)
    assert crimes.count() > 1000
    batches = ImportBatch.objects.filter(collaboration=demo.collaboration)
    crime_batch = batches.get(kind=ImportBatch.Kind.CRIMES)
    assert crime_batch.options["synthetic"] is True
    assert "syntetisk" in crime_batch.file_name
    assert not crimes.exclude(batch=crime_batch).exists()
    assert not crimes.exclude(case_number__startswith="DEMO-").exists()
    events = PoliceEvent.objects.in_collaboration(demo.collaboration)
    assert events.count() > 50
    assert not events.exclude(summary__icontains="syntetisk").exists()
    assert set(events.values_list("precision", flat=True)) == {"municipality"}
    assert batches.get(kind=ImportBatch.Kind.EVENTS).options["synthetic"] is True


@pytest.mark.django_db
def test_the_demo_crimes_sit_on_a_100_m_grid_in_the_areas(demo):  # type: ignore[no-untyped-def]
    xy = np.array(
        ReportedCrime.objects.in_collaboration(demo.collaboration).values_list("x", "y")
    )
    assert np.allclose(xy % GRID_M, GRID_M / 2)
    crimes = ReportedCrime.objects.in_collaboration(demo.collaboration)
    assert crimes.filter(area__isnull=True).count() < 0.01 * crimes.count()


@pytest.mark.django_db
def test_the_demo_crimes_follow_the_reports_per_area(demo):  # type: ignore[no-untyped-def]
    crimes = dict(
        ReportedCrime.objects.in_collaboration(demo.collaboration)
        .values_list("area_id")
        .annotate(n=Count("pk"))
    )
    reports = dict(
        Report.objects.filter(collaboration=demo.collaboration)
        .values_list("area_id")
        .annotate(n=Count("pk"))
    )
    ids = sorted(reports)
    a = np.array([reports[i] for i in ids], float)
    b = np.array([crimes.get(i, 0) for i in ids], float)
    assert np.corrcoef(a, b)[0, 1] > 0.7


@pytest.mark.django_db
def test_the_prioritisation_uses_the_demo_crimes(demo):  # type: ignore[no-untyped-def]
    result = engine.priority(demo.collaboration, NOW - timedelta(weeks=16), NOW)
    values = [row["police_crimes"] for row in result["rows"]]
    assert sum(v for v in values if v) > 0
