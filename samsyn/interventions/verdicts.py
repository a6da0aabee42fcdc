"""What a follow-up says, from one rule table (decision 0009).

Three inputs decide every sentence shown about an evaluation: the effect on the target
against its control (worked, no measurable change, worse, too few events), the change
in the surroundings (the buffer) against its reference (displacement, diffusion, no
displacement, undefined) and the evidence level (strong, weak, none). The headline, the
line about the surroundings and the evidence line are all looked up here, so they
cannot contradict each other. A result made before the intervention's period ended is
preliminary, and says so wherever it is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samsyn.analysis.stats import evaluation as ev_stats

WORKED = ev_stats.EFFECT_WORKED
NO_CHANGE = ev_stats.EFFECT_NO_CHANGE
WORSE = ev_stats.EFFECT_WORSE
TOO_FEW = ev_stats.TOO_FEW_EVENTS
EFFECTS = (WORKED, NO_CHANGE, WORSE, TOO_FEW)

DISPLACED = ev_stats.DISPLACEMENT
DIFFUSION = ev_stats.DIFFUSION
STAYED = ev_stats.NO_DISPLACEMENT
UNDEFINED = ev_stats.UNDEFINED
BUFFERS = (DISPLACED, DIFFUSION, STAYED, UNDEFINED)

STRONG, WEAK, NONE = "strong", "weak", "none"
LEVELS = (STRONG, WEAK, NONE)

# A control area with this many times the target's events makes WDD (which counts
# events) mostly the control's own change: it is then read beside the rate effect.
LARGE_CONTROL = 5.0

# (effect, buffer) -> headline. Every combination is a complete sentence.
HEADLINES = {
    (WORKED, STAYED): gettext_lazy(
        "It worked: the target had fewer events than the control area suggests, and "
        "they did not move to the surroundings."
    ),
    (WORKED, DISPLACED): gettext_lazy(
        "Fewer events in the target, but part of the problem moved: the "
        "surroundings got more events than expected."
    ),
    (WORKED, DIFFUSION): gettext_lazy(
        "It worked, and the surroundings improved too: fewer events in the target "
        "than the control area suggests, and fewer around it."
    ),
    (WORKED, UNDEFINED): gettext_lazy(
        "It worked in the target: fewer events than the control area suggests. "
        "Whether events moved to the surroundings cannot be said."
    ),
    (NO_CHANGE, STAYED): gettext_lazy(
        "No measurable change: the target changed about as much as the control "
        "area, and the surroundings as expected."
    ),
    (NO_CHANGE, DISPLACED): gettext_lazy(
        "No measurable change in the target, but the surroundings got more events "
        "than expected."
    ),
    (NO_CHANGE, DIFFUSION): gettext_lazy(
        "No measurable change in the target, but the surroundings got fewer events "
        "than expected."
    ),
    (NO_CHANGE, UNDEFINED): gettext_lazy(
        "No measurable change: the target changed about as much as the control "
        "area. Whether the surroundings changed cannot be said."
    ),
    (WORSE, STAYED): gettext_lazy(
        "More events in the target than the control area suggests; the "
        "surroundings changed as expected."
    ),
    (WORSE, DISPLACED): gettext_lazy(
        "More events than expected, both in the target and in the surroundings."
    ),
    (WORSE, DIFFUSION): gettext_lazy(
        "More events in the target than the control area suggests, but fewer than "
        "expected in the surroundings."
    ),
    (WORSE, UNDEFINED): gettext_lazy(
        "More events in the target than the control area suggests. Whether the "
        "surroundings changed cannot be said."
    ),
    (TOO_FEW, STAYED): gettext_lazy(
        "Too few events in the target or the control area to say whether it worked; "
        "the surroundings changed as expected."
    ),
    (TOO_FEW, DISPLACED): gettext_lazy(
        "Too few events in the target or the control area to say whether it worked, "
        "but the surroundings got more events than expected."
    ),
    (TOO_FEW, DIFFUSION): gettext_lazy(
        "Too few events in the target or the control area to say whether it worked, "
        "but the surroundings got fewer events than expected."
    ),
    (TOO_FEW, UNDEFINED): gettext_lazy(
        "Too few events to say whether it worked or whether anything moved."
    ),
}

# buffer -> the line about the surroundings, with its figures.
BUFFER_LINES = {
    DISPLACED: gettext_lazy(
        "Events moved to the surroundings: they went from %(before)s to %(after)s "
        "(%(change)s), more than %(reference)s (%(reference_change)s)."
    ),
    DIFFUSION: gettext_lazy(
        "The surroundings improved too: they went from %(before)s to %(after)s "
        "(%(change)s), less than %(reference)s (%(reference_change)s)."
    ),
    STAYED: gettext_lazy(
        "No sign that events moved: the surroundings went from %(before)s to "
        "%(after)s (%(change)s), about as %(reference)s (%(reference_change)s)."
    ),
    UNDEFINED: gettext_lazy(
        "Whether events moved cannot be judged: too few events in the surroundings "
        "or in what they are compared with, or no surroundings to compare."
    ),
}

EVIDENCE_LINES = {
    (STRONG, "significant"): gettext_lazy(
        "Strong evidence: enough events, whole periods after the intervention ended, "
        "and a difference from the control area larger than chance gives (at the 5 per "
        "cent level)."
    ),
    (WEAK, "preliminary"): gettext_lazy(
        "Weak evidence: the intervention had not ended, so the result is preliminary."
    ),
    (WEAK, "short"): gettext_lazy(
        "Weak evidence: the periods compared are shorter than the intervention."
    ),
    (WEAK, "chance"): gettext_lazy(
        "Weak evidence: the difference from the control area is small enough to be "
        "chance."
    ),
    (NONE, "few"): gettext_lazy(
        "No evidence either way: too few events to draw a conclusion."
    ),
}

# The evidence levels in words, for legends (annual analysis).
LEVEL_TEXT = {
    STRONG: gettext_lazy(
        "Strong: a difference larger than chance, enough events, whole periods, "
        "intervention ended."
    ),
    WEAK: gettext_lazy(
        "Weak: a difference that may be chance, or a preliminary or shortened "
        "follow-up."
    ),
    NONE: gettext_lazy("None: too few events to draw a conclusion."),
}

WDQ_READINGS = {
    "diffusion_exceeds_direct_effect": gettext_lazy(
        "the surroundings improved more than the target: the diffusion of benefits "
        "was larger than the direct effect."
    ),
    "diffusion": gettext_lazy(
        "the surroundings improved too: a diffusion of benefits."
    ),
    "neutral": gettext_lazy("neither displacement nor diffusion."),
    "displacement_less_than_gain": gettext_lazy(
        "some events moved, but the displacement was smaller than the gain."
    ),
    "displacement_exceeds_gain": gettext_lazy(
        "the displacement was larger than the gain."
    ),
}


class ImpossibleVerdict(ValueError):
    """A combination the rules never produce (e.g. strong evidence from too few
    events)."""


def evidence_level(effect: str, *, preliminary: bool, short: bool) -> str:
    """None: too few events; strong: a significant effect (worked or worse) from
    whole periods after the intervention ended; weak: everything else."""
    if effect == TOO_FEW:
        return NONE
    if effect in (WORKED, WORSE) and not preliminary and not short:
        return STRONG
    return WEAK


def _evidence_reason(effect: str, level: str, preliminary: bool) -> str:
    if level == NONE:
        return "few"
    if level == STRONG:
        return "significant"
    if effect == NO_CHANGE:
        return "chance"
    return "preliminary" if preliminary else "short"


def check(effect: str, buffer: str, level: str) -> None:
    """Raise :class:`ImpossibleVerdict` for a combination the rules never make."""
    if effect not in EFFECTS or buffer not in BUFFERS or level not in LEVELS:
        raise ImpossibleVerdict(f"unknown verdict {effect}/{buffer}/{level}")
    if (effect == TOO_FEW) != (level == NONE):
        raise ImpossibleVerdict("evidence none goes with too few events, only")
    if effect == NO_CHANGE and level == STRONG:
        raise ImpossibleVerdict("no measurable change is never strong evidence")


def percent(before: float, after: float) -> str:
    """'+61 %', '−12 %', '±0 %' (localised number); '—' when before is zero."""
    if not before:
        return "—"
    value = round(100.0 * (after - before) / before)
    if value == 0:
        return "±0 %"
    sign = "+" if value > 0 else "−"
    return f"{sign}{formats.number_format(abs(value))}\xa0%"


def _number(value: float) -> str:
    return formats.number_format(int(value), force_grouping=True)


@dataclass(frozen=True)
class Verdict:
    effect: str
    buffer: str
    level: str
    preliminary: bool
    ends_on: date | None
    headline: str
    buffer_line: str
    evidence_line: str
    preliminary_line: str

    @property
    def sentences(self) -> str:
        """Headline with the preliminary note first: one text for a list or card."""
        if self.preliminary_line:
            return f"{self.preliminary_line} {self.headline}"
        return self.headline


def read(
    effect: str,
    buffer: str,
    *,
    counts: dict[str, Any] | None = None,
    preliminary: bool = False,
    short: bool = False,
    ends_on: date | None = None,
) -> Verdict:
    """The sentences for one evaluation, from the rule table."""
    level = evidence_level(effect, preliminary=preliminary, short=short)
    check(effect, buffer, level)
    counts = counts or {}
    line = ""
    if buffer == UNDEFINED:
        line = str(BUFFER_LINES[UNDEFINED])
    else:
        b = counts.get("buffer") or {}
        if "rest" in counts:
            ref, reference = counts["rest"], _("the rest of the municipality")
        else:  # evaluations stored before the buffer had a reference of its own
            ref, reference = counts.get("control") or {}, _("the control area")
        line = str(BUFFER_LINES[buffer]) % {
            "before": _number(b.get("before", 0)),
            "after": _number(b.get("after", 0)),
            "change": percent(b.get("before", 0), b.get("after", 0)),
            "reference": reference,
            "reference_change": percent(ref.get("before", 0), ref.get("after", 0)),
        }
    note = ""
    if preliminary:
        note = (
            _(
                "Preliminary result: the intervention runs until %(date)s, so the "
                "result may still change."
            )
            % {"date": formats.date_format(ends_on, "DATE_FORMAT")}
            if ends_on is not None
            else _(
                "Preliminary result: the intervention is still running, so the "
                "result may still change."
            )
        )
    reason = _evidence_reason(effect, level, preliminary)
    return Verdict(
        effect=effect,
        buffer=buffer,
        level=level,
        preliminary=preliminary,
        ends_on=ends_on,
        headline=str(HEADLINES[(effect, buffer)]),
        buffer_line=line,
        evidence_line=str(EVIDENCE_LINES[(level, reason)]),
        preliminary_line=note,
    )


def wdq_line(wdq: dict[str, Any] | None, buffer: str) -> str:
    """WDQ with its reading (Bowers & Johnson 2003; ANALYTICS.md 1.6), or ''.

    WDQ has no test of its own: when the verdict on the surroundings is that
    nothing moved, the line says that the reading is within chance.
    """
    if not wdq or wdq.get("value") is None or wdq.get("reading") not in WDQ_READINGS:
        return ""
    text = _("WDQ %(value)s: %(reading)s") % {
        "value": formats.number_format(wdq["value"], 2),
        "reading": WDQ_READINGS[wdq["reading"]],
    }
    if buffer in (STAYED, UNDEFINED) and wdq["reading"] != "neutral":
        text += " " + _(
            "WDQ has no test of its own; the change in the surroundings is within "
            "what chance gives, so it is not counted."
        )
    return text


def wdd_note(results: dict[str, Any]) -> str:
    """Beside WDD when the control area is much larger than the target: WDD counts
    events, so it then mostly shows the control's own change; the rate effect says
    how the target did."""
    counts = results.get("counts") or {}
    wdd = results.get("wdd") or {}
    did = results.get("did") or {}
    t = counts.get("target") or {}
    c = counts.get("control") or {}
    t_total = float(t.get("before", 0)) + float(t.get("after", 0))
    c_total = float(c.get("before", 0)) + float(c.get("after", 0))
    if not wdd or not did or t_total <= 0 or c_total < LARGE_CONTROL * t_total:
        return ""
    tb, ta = float(t.get("before", 0)), float(t.get("after", 0))
    cb, ca = float(c.get("before", 0)), float(c.get("after", 0))
    if not cb:
        return ""
    expected = tb * ca / cb
    diff = ta - expected
    pct = did.get("percent_change")
    if pct is None or not math.isfinite(pct):
        return ""
    figures = {
        "times": formats.number_format(round(c_total / t_total)),
        "pct": percent(100.0, 100.0 + pct),
        "n": _number(round(abs(diff))),
    }
    if round(diff) < 0:
        rate = _(
            "In rates the target changed %(pct)s relative to the control area: about "
            "%(n)s events fewer than expected."
        )
    elif round(diff) > 0:
        rate = _(
            "In rates the target changed %(pct)s relative to the control area: about "
            "%(n)s events more than expected."
        )
    else:
        rate = _(
            "In rates the target changed %(pct)s relative to the control area: about "
            "as many events as expected."
        )
    return (
        _(
            "The control area has %(times)s times as many events as the target. WDD "
            "counts events, so it mostly shows the control area's own change."
        )
        % figures
        + " "
        + rate % figures
    )
