"""One follow-up, one story: the verdict rule table, the demo's planted displacement
in small, preliminary results and what the public page says. Decision 0009."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from samsyn.analysis.stats import evaluation as ev_stats
from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.interventions import actions, followup, verdicts
from samsyn.lib.weeks import parse_period
from samsyn.pictures.figures import compute_figures
from samsyn.tests.support import make_area, make_report

START = date(2026, 6, 1)  # a Monday
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
UNDERPASS = (15.195, 59.27)  # the target point, in the west square
PLAYGROUND = (15.1985, 59.27)  # about 200 m east: in the buffer
ALIKE = (15.26, 59.27)  # an area like the target before, rising by half after
CITY = (15.30, 59.27)  # the rest of the municipality: many events, flat


def square(lon: float) -> dict:
    w, e = lon - 0.01, lon + 0.01
    return {
        "type": "Polygon",
        "coordinates": [[[w, 59.26], [e, 59.26], [e, 59.28], [w, 59.28], [w, 59.26]]],
    }


def events(org, lonlat, n: int, *, after: bool) -> None:  # type: ignore[no-untyped-def]
    base = datetime(2026, 6, 1, 10, tzinfo=UTC)
    for i in range(n):
        days = (i % 27) + 1
        make_report(
            org,
            lonlat=lonlat,
            occurred_at=base + timedelta(days=days if after else -days),
        )


@pytest.fixture
def planted(north, north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    """The demo's case in small: the underpass falls from 40 to 10 events, the
    playground nearby rises from 40 to 70; the area most like the underpass before
    (the automatic control) rises by half; the rest of the municipality is flat."""
    make_area(north, ref="F", name="Fjärran", geometry=square(ALIKE[0]))
    make_area(north, ref="G", name="Staden", geometry=square(CITY[0]))
    events(north_org, UNDERPASS, 40, after=False)
    events(north_org, UNDERPASS, 10, after=True)
    events(north_org, PLAYGROUND, 40, after=False)
    events(north_org, PLAYGROUND, 70, after=True)
    events(north_org, ALIKE, 40, after=False)
    events(north_org, ALIKE, 60, after=True)
    events(north_org, CITY, 300, after=False)
    events(north_org, CITY, 300, after=True)
    return north


def underpass(make_iv, *, ends_on: date, status: str = "done", **kw):  # type: ignore[no-untyped-def]
    iv = make_iv(
        title="Lighting and cameras at the underpass", starts_on=START,
        ends_on=ends_on, lon=UNDERPASS[0], lat=UNDERPASS[1], target_radius_m=100,
        buffer_radius_m=400, **kw,
    )  # fmt: skip
    for s in ("decided", "ongoing", "done"):
        actions.change_status(iv, status=s, by=None)
        if s == status:
            break
    return iv


def page(user, iv, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c.get(
        f"/interventions/{iv.code}/", headers={"Accept-Language": lang}
    ).content.decode()


# ------------------------------------------------------------------ the demo's case
def test_the_planted_displacement_reads_as_worked_and_displaced(
    planted, make_iv, alice
):
    iv = underpass(make_iv, ends_on=START + timedelta(weeks=4, days=-1))

    ev = actions.evaluate_intervention(iv, alice, now=NOW)

    counts = ev.results["counts"]
    assert ev.results["control"]["area"] == "F"  # the area most like the target
    assert counts["buffer"] == {"before": 40, "after": 70}
    assert counts["control"] == {"before": 40, "after": 60}
    assert counts["rest"] == {"before": 340, "after": 360}
    # Judged against the control chosen for the target (+50 %), the buffer's +75 %
    # looked like chance; against the rest of the municipality it is displacement.
    assert (ev.effect, ev.displacement) == ("worked", "displacement")
    assert ev.results["preliminary"] is False
    said = followup.verdict(ev)
    assert said.level == verdicts.STRONG

    body = page(alice, iv)
    assert "Fewer events in the target, but part of the problem moved" in body
    assert (
        "Events moved to the surroundings: they went from 40 to 70 (+75\xa0%), more "
        "than the rest of the municipality (+6\xa0%)."
    ) in body
    assert "Strong evidence" in body
    assert "the displacement was smaller than the gain" in body
    for contradiction in ("It worked:", "No sign that events moved", "No evidence"):
        assert contradiction not in body
    assert "Preliminary" not in body

    sv = page(alice, iv, "sv")
    assert "men en del av problemet flyttade" in sv
    assert "förflyttningen var mindre än vinsten" in sv
    assert "resten av kommunen (+6\xa0%)" in sv


def test_the_point_engine_and_the_follow_up_give_the_same_verdicts(
    planted, make_iv, alice
):
    from samsyn.analysis import engine

    iv = underpass(make_iv, ends_on=START + timedelta(weeks=4, days=-1))
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    res = engine.evaluate(
        planted, UNDERPASS[0], UNDERPASS[1], START, 100, 400, 4, 4
    )  # fmt: skip
    assert (res["effect"], res["displacement"]) == (ev.effect, ev.displacement)
    assert res["counts"] == ev.results["counts"]


# --------------------------------------------------------------------- preliminary
def test_an_evaluation_before_the_period_ends_is_preliminary_everywhere(
    planted, make_iv, alice, west_area
):
    iv = underpass(make_iv, ends_on=date(2026, 12, 13), status="ongoing")
    iv.published_to_residents = True
    iv.save(update_fields=["published_to_residents"])
    iv.areas.add(west_area)

    ev = actions.evaluate_intervention(iv, alice, now=NOW)

    assert ev.results["preliminary"] is True
    said = followup.verdict(ev)
    assert said.preliminary and said.level == verdicts.WEAK
    note = (
        "Preliminary result: the intervention runs until 13 December 2026, so the "
        "result may still change."
    )
    # the intervention page
    body = page(alice, iv)
    assert note in body
    assert "the intervention had not ended, so the result is preliminary" in body
    sv = page(alice, iv, "sv")
    assert "Preliminärt resultat: insatsen pågår till 13 december 2026" in sv
    # the situation picture
    figures, _trace = compute_figures(planted, parse_period("week", "2026-W47"), None)
    item = next(
        i for i in figures["interventions"]["items"] if i["code"] == str(iv.code)
    )
    # (generated in the collaboration's language, Swedish)
    assert item["preliminary"] == (
        "Preliminärt resultat: insatsen pågår till 13 december 2026, så resultatet "
        "kan ändras."
    )
    assert item["verdict"].startswith("Färre händelser i målområdet, men en del")
    # the public page for residents
    PublicFeedbackSettings.objects.create(collaboration=planted, enabled=True)
    public = Client().get("/feedback/public/north/").content.decode()
    assert note in public
    assert "Fewer events in the target, but part of the problem moved" in public
    public_sv = (
        Client()
        .get("/feedback/public/north/", headers={"Accept-Language": "sv"})
        .content.decode()
    )
    assert "Preliminärt resultat: insatsen pågår till 13 december 2026" in public_sv
    assert "Det fungerade" not in public_sv


def test_an_evaluation_after_the_period_is_not_preliminary(planted, make_iv, alice):
    iv = underpass(make_iv, ends_on=START + timedelta(weeks=4, days=-1))
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    assert followup.is_preliminary(ev) is False
    # An evaluation stored before the flag existed: read from its dates.
    ev.results.pop("preliminary")
    ev.inputs["evaluated_on"] = "2026-06-20"
    assert followup.is_preliminary(ev) is True


# ------------------------------------------------------------------ the rule table
def test_every_combination_of_the_rule_table_is_a_complete_sentence_or_refused():
    seen = set()
    for effect, buffer, level in itertools.product(
        verdicts.EFFECTS, verdicts.BUFFERS, verdicts.LEVELS
    ):
        impossible = (effect == verdicts.TOO_FEW) != (level == verdicts.NONE) or (
            effect == verdicts.NO_CHANGE and level == verdicts.STRONG
        )
        if impossible:
            with pytest.raises(verdicts.ImpossibleVerdict):
                verdicts.check(effect, buffer, level)
            continue
        verdicts.check(effect, buffer, level)
        seen.add((effect, buffer, level))
    # 4 effects x 4 buffer states; worked and worse with strong or weak evidence.
    assert len(seen) == 4 * 4 + 2 * 4


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(
    "effect,buffer,preliminary,short",
    list(
        itertools.product(
            verdicts.EFFECTS, verdicts.BUFFERS, [False, True], [False, True]
        )
    ),
)
def test_each_reading_is_complete_and_consistent(
    lang, effect, buffer, preliminary, short
):
    counts = {
        "target": {"before": 40, "after": 10},
        "buffer": {"before": 266, "after": 427},
        "control": {"before": 147, "after": 212},
        "rest": {"before": 9198, "after": 11691},
    }
    with translation.override(lang):
        said = verdicts.read(
            effect, buffer, counts=counts, preliminary=preliminary, short=short,
            ends_on=date(2026, 12, 13),
        )  # fmt: skip
        english = lang == "en"
        for text in (said.headline, said.buffer_line, said.evidence_line):
            assert text[0].isupper() and text.endswith("."), text
            assert "%(" not in text
        # the level follows the effect and the period, never contradicting it
        if effect == verdicts.TOO_FEW:
            assert said.level == verdicts.NONE
        elif effect == verdicts.NO_CHANGE or preliminary or short:
            assert said.level == verdicts.WEAK
        else:
            assert said.level == verdicts.STRONG
        assert bool(said.preliminary_line) is preliminary
        if buffer != verdicts.UNDEFINED:
            assert ("427" in said.buffer_line) and ("+61" in said.buffer_line)
        if english:
            moved = {
                verdicts.DISPLACED: "more events than expected",
                verdicts.DIFFUSION: "fewer",
                verdicts.STAYED: "as expected",
                verdicts.UNDEFINED: "cannot be said",
            }[buffer]
            if effect == verdicts.WORKED and buffer == verdicts.STAYED:
                moved = "did not move"
            if effect == verdicts.TOO_FEW and buffer == verdicts.UNDEFINED:
                moved = "whether anything moved"
            if effect == verdicts.WORSE and buffer == verdicts.DISPLACED:
                moved = "in the surroundings"
            assert moved in said.headline
        else:
            # translated, not the English text falling through
            with translation.override("en"):
                english_text = str(verdicts.HEADLINES[(effect, buffer)])
            assert said.headline != english_text
            assert said.evidence_line.split(":")[0] in (
                "Starkt underlag",
                "Svagt underlag",
                "Inget underlag åt något håll",
            )


# ------------------------------------------------------------------- WDQ and WDD
def test_wdq_is_shown_with_its_reading():
    wdq = {"value": -9.63, "reading": "displacement_exceeds_gain"}
    with translation.override("en"):
        line = verdicts.wdq_line(wdq, verdicts.DISPLACED)
        assert line == "WDQ -9.63: the displacement was larger than the gain."
        within = verdicts.wdq_line(
            {"value": -0.27, "reading": "displacement_less_than_gain"}, verdicts.STAYED
        )
        assert "not counted" in within
    with translation.override("sv"):
        assert verdicts.wdq_line(wdq, verdicts.DISPLACED) == (
            "WDQ -9,63: förflyttningen var större än vinsten."
        )
    assert verdicts.wdq_line({"value": None, "reading": None}, verdicts.STAYED) == ""


def test_wdd_is_read_beside_the_rate_effect_when_the_control_is_much_larger():
    # Real data: treated 108 -> 92 against the rest of the city 11,354 -> 10,084.
    ev = ev_stats.evaluate_intervention(
        treated_before=108, treated_after=92, control_before=11354, control_after=10084
    )
    assert ev.effect == ev_stats.EFFECT_NO_CHANGE
    results = {
        "counts": {
            "target": {"before": 108, "after": 92},
            "control": {"before": 11354, "after": 10084},
        },
        "wdd": {"estimate": ev.wdd.estimate},
        "did": {"percent_change": ev.did.percent_change},
    }
    assert ev.wdd.estimate == 1254  # "more events", read alone
    with translation.override("en"):
        note = verdicts.wdd_note(results)
    assert note == (
        "The control area has 107 times as many events as the target. WDD counts "
        "events, so it mostly shows the control area's own change. In rates the "
        "target changed −4\xa0% relative to the control area: about 4 events fewer "
        "than expected."
    )
    with translation.override("sv"):
        assert "ungefär 4 händelser färre än väntat" in verdicts.wdd_note(results)
    # Comparable volumes: WDD is read on its own.
    results["counts"]["control"] = {"before": 100, "after": 90}
    assert verdicts.wdd_note(results) == ""


def test_the_annual_analysis_uses_the_same_verdict(planted, make_iv, alice):
    iv = underpass(
        make_iv, ends_on=START + timedelta(weeks=4, days=-1), spent_cost=Decimal("1")
    )
    actions.evaluate_intervention(iv, alice, now=NOW)
    res = followup.annual_analysis(planted, 2026)
    row = res["interventions"][0]
    assert row["verdict"].startswith("Fewer events in the target, but part")
    assert row["evidence"] == "strong"
    assert res["by_kind"][0]["suggestion"] == "change"
