"""Perceived safety beside reported events, and the divergence flag."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.areas.models import Area
from samsyn.surveys.models import SurveyResult
from samsyn.surveys.summary import (
    PERCEIVED_HIGH,
    REPORTED_HIGH,
    divergence,
    perceived_for_year,
    percentile_ranks,
)
from samsyn.tests.support import make_area, make_report

TZ = timezone.get_current_timezone()


def square(x: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[x, 59.0], [x + 0.01, 59.0], [x + 0.01, 59.01], [x, 59.01], [x, 59.0]]
        ],
    }


@pytest.fixture
def four(north, north_org):  # type: ignore[no-untyped-def]
    """Four areas of 1,000 residents: index (insecurity) vs reports in 2025."""
    plan = {"A": (5.0, 0), "B": (3.0, 2), "C": (2.0, 4), "D": (1.0, 8)}
    areas = {}
    for i, (ref, (index, n)) in enumerate(plan.items()):
        geo = square(15.0 + i * 0.02)
        area = make_area(north, ref=ref, name=f"Area {ref}", geometry=geo)
        Area.objects.filter(pk=area.pk).update(population=1000)
        SurveyResult.objects.create(
            collaboration=north,
            area=area,
            year=2025,
            source="Polisen",
            indicator="problem index",
            value=index,
        )
        for _ in range(n):
            make_report(
                north_org,
                lonlat=(15.005 + i * 0.02, 59.005),
                occurred_at=datetime(2025, 5, 1, 12, tzinfo=TZ),
            )
        areas[ref] = area
    return areas


def test_percentile_ranks_share_ties():
    assert percentile_ranks([1, 2, 3]) == [0.0, 0.5, 1.0]
    assert percentile_ranks([1, 1, 3]) == [0.25, 0.25, 1.0]
    assert percentile_ranks([7]) == [0.5]


def test_divergence_thresholds():
    assert divergence(1.0, 0.0) == PERCEIVED_HIGH
    assert divergence(0.0, 1.0) == REPORTED_HIGH
    assert divergence(0.5, 0.5) is None
    assert divergence(0.7, 0.4) is None
    assert divergence(2 / 3, 1 / 3) is None  # the boundaries are not "strong"


def test_it_flags_areas_where_survey_and_reports_disagree(four):
    out = perceived_for_year(four["A"].collaboration, 2025)
    by_ref = {a["ref"]: a for a in out["areas"]}
    assert by_ref["A"]["rate_per_1000"] == 0.0
    assert by_ref["D"]["rate_per_1000"] == 8.0
    assert by_ref["A"]["divergence"] == PERCEIVED_HIGH  # felt unsafe, few reports
    assert by_ref["D"]["divergence"] == REPORTED_HIGH  # many reports, felt safe
    assert by_ref["B"]["divergence"] is None
    assert out["flagged"] == ["A", "D"]


def test_it_reverses_a_scale_where_higher_means_safer(four):
    SurveyResult.objects.update(higher_is_worse=False)
    out = perceived_for_year(four["A"].collaboration, 2025)
    assert out["flagged"] == []  # now survey and reports agree everywhere


def test_it_does_not_rank_too_few_areas_or_unknown_population(four):
    Area.objects.filter(ref__in=["C", "D"]).update(population=None)
    out = perceived_for_year(four["A"].collaboration, 2025)
    assert out["flagged"] == []
    assert out["series"][0]["ranked"] is False
    by_ref = {a["ref"]: a for a in out["areas"]}
    assert by_ref["C"]["rate_per_1000"] is None


def test_the_page_shows_values_beside_events(four, alice, carl):
    client = Client()
    client.force_login(alice)
    r = client.get("/surveys/?year=2025")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Felt unsafe, few reports" in body and "Many reports, felt safe" in body
    other = Client()
    other.force_login(carl)
    assert "Area A" not in other.get("/surveys/?year=2025").content.decode()
