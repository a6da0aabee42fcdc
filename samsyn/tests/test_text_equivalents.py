"""Charts have a text equivalent with their values (WCAG 1.1.1), stored Swedish text
on an English page says it is Swedish (3.1.2), and map clusters say what they count."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from samsyn.annual.charts import monthly_chart
from samsyn.feedback.disclosure import Figure
from samsyn.feedback.figures import bar_chart
from samsyn.lib.svgchart import describe, sparkline

ROOT = Path(__file__).resolve().parents[2]


def _label(svg: str) -> str:
    match = re.search(r'aria-label="([^"]*)"', svg)
    assert match, svg
    return match.group(1)


def test_a_sparkline_names_every_value_by_its_point() -> None:
    with translation.override("en"):
        svg = sparkline(
            [12, None, 9], label="Littering", points=["2023", "2024", "2025"]
        )
    assert _label(svg) == "Littering: 2023 12, 2024 –, 2025 9"
    assert "<title>Littering: 2023 12, 2024 –, 2025 9</title>" in svg


def test_describe_writes_numbers_as_the_page_does() -> None:
    with translation.override("sv"):
        assert describe("Andel", ["v1"], [1.5]) == "Andel: v1 1,5"


def test_the_annual_monthly_chart_gives_each_months_value() -> None:
    months = [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    svg = monthly_chart(
        list(range(1, 13)),
        [5] * 12,
        months=months,
        label="Reports per month",
        legend=("2025", "2024"),
    )
    label = _label(svg)
    assert label.startswith("Reports per month. 2025: Jan 1, Feb 2,")
    assert "Dec 12. 2024: Jan 5," in label


def test_the_public_bar_chart_gives_its_values_and_says_which_are_hidden() -> None:
    svg = bar_chart(
        [("Nedskräpning", Figure(7, 3)), ("Skadegörelse", Figure(None, 3))],
        label="Reports per category",
        hidden_label="too few to show",
    )
    assert _label(svg) == (
        "Reports per category: Nedskräpning 7, Skadegörelse too few to show"
    )


def test_stored_text_carries_its_language_on_an_english_page() -> None:
    template = Template("{% load stored_text %}<td{% stored_lang %}>{{ name }}</td>")
    with translation.override("en"):
        assert template.render(Context({"name": "Nedskräpning"})) == (
            '<td lang="sv">Nedskräpning</td>'
        )
    with translation.override("sv"):
        assert (
            template.render(Context({"name": "Nedskräpning"}))
            == "<td>Nedskräpning</td>"
        )


def test_map_clusters_are_named_by_what_they_count() -> None:
    script = (ROOT / "static/js/report-map.js").read_text()
    assert "iconCreateFunction: clusterIcon" in script
    assert "dataset.clusterLabel" in script
    page = (ROOT / "templates/reports/map.html").read_text()
    assert "data-cluster-label=\"{% translate '{n} reports' %}\"" in page


def test_the_intervention_chart_gives_each_series_by_week() -> None:
    from samsyn.interventions.views import _chart

    with translation.override("en"):
        svg = _chart({"target": [3, 1, 0], "control": [2, 2, 2]}, 1)
    assert _label(svg) == (
        "Events per week. target: 1 3, 2 1, 3 0. control: 1 2, 2 2, 3 2"
    )
