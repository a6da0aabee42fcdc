"""The near-repeat test is bounded: bands, events and close pairs have limits that
keep memory and time in proportion to the events, and a request over them is
refused with advice before any pair is listed."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from samsyn.analysis import engine
from samsyn.analysis.stats import nearrepeat
from samsyn.tests.support import api_client, make_report

MONDAY = engine.local_midnight(date(2026, 3, 2))
URL = "/api/v1/analysis/near-repeat?since=2026-01-01&until=2026-03-08"


@pytest.fixture
def world(north_org, west_area):  # type: ignore[no-untyped-def]
    for k in range(12):
        make_report(
            north_org,
            occurred_at=MONDAY - timedelta(days=k * 3, hours=-10),
            lonlat=(15.20 + (k % 4) * 0.001, 59.27 + (k // 4) * 0.001),
        )
    return north_org.collaboration


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("&spatial_bands=100000&temporal_bands=1", "spatial_bands", "5000"),
        ("&spatial_bands=100,200,5001", "spatial_bands", "5000"),
        ("&temporal_bands=7,400", "temporal_bands", "365"),
        (
            "&spatial_bands=" + ",".join(str(10 * k) for k in range(1, 12)),
            "spatial_bands",
            "10",
        ),
        (
            "&temporal_bands=" + ",".join(str(k) for k in range(1, 12)),
            "temporal_bands",
            "10",
        ),
    ],
)
def test_it_refuses_bands_over_the_limits_with_advice(
    world, alice, query, field, words
):  # type: ignore[no-untyped-def]
    response = api_client(alice).get(URL + query)
    assert response.status_code == 422, response.content
    message = " ".join(response.json()["errors"][field])
    assert words in message


def test_the_largest_bands_allowed_still_answer(world, alice):  # type: ignore[no-untyped-def]
    bands = ",".join(str(500 * k) for k in range(1, 11))  # ten, up to 5 000 m
    days = ",".join(str(36.5 * k) for k in range(1, 11))  # ten, up to 365 days
    response = api_client(alice).get(
        f"{URL}&spatial_bands={bands}&temporal_bands={days}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["n_close_pairs"] == 12 * 11 // 2


def test_it_refuses_more_close_pairs_than_the_limit_and_says_what_to_do(
    world, alice, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(engine, "NEAR_REPEAT_MAX_PAIRS", 20)
    response = api_client(alice).get(URL + "&spatial_bands=100,400")
    assert response.status_code == 422, response.content
    message = " ".join(response.json()["errors"]["spatial_bands"])
    assert "66" in message and "20" in message  # all 12 * 11 / 2 pairs are close
    assert "smaller spatial bands" in message


def test_it_counts_the_pairs_before_listing_any(monkeypatch):  # type: ignore[no-untyped-def]
    """Too many close pairs are found by counting (memory linear in the events),
    never by building the list of pairs first."""

    class NoListing(nearrepeat.cKDTree):  # type: ignore[misc, valid-type]
        def query_pairs(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError("pairs listed before they were counted")

    monkeypatch.setattr(nearrepeat, "cKDTree", NoListing)
    rng = np.random.default_rng(1)
    n = 3000
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    t = rng.uniform(0, 100, n)
    with pytest.raises(nearrepeat.TooManyPairs) as exc:
        nearrepeat.knox_test(x, y, t, [100_000.0], [1.0], max_pairs=1_000_000)
    assert exc.value.pairs == n * (n - 1) // 2
    assert exc.value.limit == 1_000_000


def test_the_pair_count_matches_the_listed_pairs():
    rng = np.random.default_rng(2)
    n = 400
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    x[:20] = 500.0  # some exact repeats
    y[:20] = 500.0
    t = rng.uniform(0, 60, n)
    res = nearrepeat.knox_test(
        x, y, t, [100.0, 200.0], [7.0], iterations=3, seed=1, max_pairs=10**6
    )
    assert res.n_close_pairs == nearrepeat.count_close_pairs(x, y, 200.0)
    with pytest.raises(nearrepeat.TooManyPairs):
        nearrepeat.knox_test(
            x,
            y,
            t,
            [100.0, 200.0],
            [7.0],
            iterations=3,
            max_pairs=res.n_close_pairs - 1,
        )
