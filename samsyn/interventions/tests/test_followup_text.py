"""An evaluation's caveats and method notes are stored as codes with figures and put
into words when shown, in the reader's language (not the language of whoever ran
the evaluation)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from samsyn.analysis.stats import evaluation as ev_stats
from samsyn.interventions.followup import (
    _method_notes,
    _reason_caveats,
    explain,
)
from samsyn.interventions.models import Evaluation

FEW = {
    "effect": ev_stats.TOO_FEW_EVENTS,
    "displacement": ev_stats.UNDEFINED,
    "counts": {
        "target": {"before": 4, "after": 1},
        "control": {"before": 30, "after": 30},
        "buffer": {"before": 1, "after": 0},
    },
    "control": {"area": "A1", "chosen": "auto"},
}


def test_reasons_are_stored_as_codes_with_figures() -> None:
    assert _reason_caveats(FEW) == [
        {"code": "few_events", "where": "target", "events": 5.0, "minimum": 10},
        {"code": "few_events", "where": "buffer", "events": 1.0, "minimum": 5},
    ]
    enough = {**FEW, "effect": ev_stats.EFFECT_WORKED, "displacement": "diffusion"}
    assert _reason_caveats(enough) == []


def test_method_notes_name_how_the_control_was_chosen() -> None:
    assert _method_notes(FEW, Evaluation.Method.AREAS)[0]["code"] == (
        "control_auto_areas"
    )
    user = {**FEW, "control": {"area": "A1", "chosen": "user"}}
    assert _method_notes(user, Evaluation.Method.POINT) == [{"code": "control_by_user"}]


def test_caveats_are_put_into_words_in_english_and_swedish() -> None:
    short = {"code": "short_periods", "weeks": 1, "wanted": 8}
    few = {"code": "few_events", "where": "target", "events": 5.0, "minimum": 10}
    auto = {"code": "control_auto_point", "gap_m": 200, "minimum": 10}
    with translation.override("en"):
        assert explain(short) == (
            "Only 1 whole week has passed since the start; the periods are 1 week "
            "instead of 8."
        )
        assert explain({**short, "weeks": 3}).startswith("Only 3 whole weeks have")
        assert explain(few) == "The target has 5 events, fewer than 10."
        assert "not within 200 m of the buffer" in explain(auto)
        assert explain({"code": "interim"}).startswith("The intervention is still")
    with translation.override("sv"):
        assert explain(short).startswith("Bara 1 hel vecka har gått")
        assert explain({**short, "weeks": 3}).startswith("Bara 3 hela veckor har gått")
        assert explain(few) == "Målområdet har 5 händelser, färre än 10."
        assert "200 m" in explain(auto)
        assert explain(auto).startswith("Jämförelseområdet valdes automatiskt")
        # The statistics' English reasons for an undefined WDQ are translated too.
        assert explain("zero control count") == (
            "ett av värdena för jämförelseområdet är noll"
        )


def test_older_evaluations_keep_their_stored_sentences() -> None:
    old = "Only 3 whole weeks have passed since the start; the periods are 3 weeks."
    with translation.override("sv"):
        assert explain(old) == old


def test_the_explain_filter() -> None:
    template = Template("{% load followup_text %}{{ c|explain }}")
    with translation.override("sv"):
        html = template.render(Context({"c": {"code": "control_by_user"}}))
    assert html == "Jämförelseområdet valdes av användaren."
