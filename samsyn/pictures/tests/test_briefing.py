"""The picture's first screen in words, from figures built by hand."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from samsyn.pictures.briefing import changes, headlines, status_counts


def _figures(**over: Any) -> dict[str, Any]:
    fig: dict[str, Any] = {
        "summary": {"n_reports": 40, "n_last": 38, "mean4": 41.0},
        "categories": [
            {
                "name": "Klotter",
                "this": 12,
                "last": 11,
                "mean4": 11.5,
                "trace": {"this": "cat:graffiti:this"},
            },
            {
                "name": "Nedskräpning",
                "this": 28,
                "last": 27,
                "mean4": 29.5,
                "trace": {"this": "cat:littering:this"},
            },
        ],
        "deviations": [],
        "area_status": [
            {"name": "Vivalla", "this": 20, "last": 19, "trace": "area:v"},
            {"name": "Baronbackarna", "this": 20, "last": 19, "trace": "area:b"},
        ],
        "map": {"cells": []},
        "open_issues": [],
    }
    fig.update(over)
    return fig


def texts(fig: dict[str, Any]) -> list[str]:
    with translation.override("sv"):
        return [h["text"] for h in headlines(fig)]


def test_it_says_nothing_stands_out_in_a_calm_period():
    said = texts(_figures())
    assert len(said) == 1
    assert said[0].startswith("Inget sticker ut")
    assert "40 rapporter" in said[0]
    assert "41" in said[0]


def test_it_names_the_category_that_rose_most_with_a_decimal_comma():
    fig = _figures()
    fig["categories"][0].update(this=30, mean4=11.5)
    fig["categories"].append(
        {"name": "Inbrott", "this": 9, "last": 4, "mean4": 4.5, "trace": {}}
    )
    said = texts(fig)
    assert said[0].startswith("Klotter ")
    assert "30" in said[0] and "11,5" in said[0] and "1.5" not in said[0]
    assert not any("Inbrott" in s for s in said)  # only the largest rise
    assert not any(s.startswith("Inget sticker ut") for s in said)


def test_it_names_a_new_hotspot_and_where_it_is():
    fig = _figures(
        map={
            "cells": [
                {"x0": 0, "y0": 0, "count": 9, "new": True, "area": "Vivalla"},
                {"x0": 250, "y0": 0, "count": 8, "new": True, "area": "Vivalla"},
                {"x0": 0, "y0": 250, "count": 7, "new": False, "area": "Mikael"},
            ]
        }
    )
    said = texts(fig)
    assert any("2 nya hotspots" in s and "Vivalla" in s for s in said)
    assert not any("Mikael" in s for s in said)


def test_it_puts_deviations_in_areas_first():
    fig = _figures(
        deviations=[
            {
                "level": "collaboration",
                "area": "EST Örebro",
                "category": "Klotter",
                "observed": 30,
                "expected": 12.4,
                "trace": "dev:0",
            },
            {
                "level": "area",
                "area": "Vivalla",
                "category": "Inbrott",
                "observed": 9,
                "expected": 2.35,
                "trace": "dev:1",
            },
        ]
    )
    said = headlines(fig)
    assert said[0]["trace"] == "dev:1"
    with translation.override("sv"):
        first = headlines(fig)[0]["text"]
    assert "Vivalla" in first and "2,4" in first


def test_it_names_the_area_that_rose_most_since_the_period_before():
    fig = _figures()
    fig["area_status"][1].update(this=30, last=12)
    said = texts(fig)
    assert any("Baronbackarna" in s and "30" in s and "12" in s for s in said)


def test_it_lists_what_changed_since_the_period_before():
    fig = _figures()
    fig["categories"][0].update(this=20, last=11)
    fig["area_status"][0].update(this=25, last=19)
    rows = changes(fig)
    assert rows[0]["this"] == 40 and rows[0]["delta"] == 2
    labels = [r["label"] for r in rows]
    assert labels[1] == "Klotter" and rows[1]["delta"] == 9
    assert "Vivalla" in labels


def test_it_counts_the_proposed_statuses_and_names_red_and_orange():
    counts = status_counts(
        [
            {"name": "A", "shown": "green"},
            {"name": "B", "shown": "red"},
            {"name": "C", "shown": "green"},
        ]
    )
    assert counts == [
        {"colour": "red", "n": 1, "names": ["B"]},
        {"colour": "green", "n": 2, "names": []},
    ]
