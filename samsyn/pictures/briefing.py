"""The picture's first screen in words: what stands out, and what changed.

Pure functions of a picture's frozen figures (the dict `compute_figures` returns,
or the part of it a reader may see): no database, so they are tested from figures
built by hand. The sentences are plain language for the partners' meeting; every
number is written in the reader's convention (a decimal comma in Swedish).
"""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A rise is news when the count is at least this many reports and this many times
# what it is compared with (the mean of the 4 periods before, or the period before).
RISE_MIN = 5
RISE_RATIO = 1.5
MAX_HEADLINES = 6


def num(value: Any) -> str:
    """A number in a sentence, in the reader's convention; None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # "239", not "239,0"
    return formats.number_format(value, use_l10n=True)


def _rise_pct(this: float, before: float | None) -> int | None:
    if not before:
        return None
    return round(100 * (this - before) / before)


def _about(value: float) -> float:
    """An expected count as a person would say it: whole above 10, one decimal
    below (0.4 is not "about 0")."""
    return round(value) if value >= 10 else round(value, 1)


def _rises(this: float, before: float | None) -> bool:
    if before is None:
        return False
    return this >= RISE_MIN and this >= RISE_RATIO * before


def _names(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C" in the reader's language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {
        "first": ", ".join(items[:-1]),
        "last": items[-1],
    }


def new_hotspots(fig: dict[str, Any]) -> list[dict[str, Any]]:
    """Hotspot cells of this period that were not hotspots in the period before."""
    return [c for c in (fig.get("map") or {}).get("cells", []) if c.get("new")]


def headlines(fig: dict[str, Any]) -> list[dict[str, Any]]:
    """What stands out, most telling first: deviations, the largest rises, new
    hotspots, then what the meeting should not forget. Each is
    ``{"text", "trace"}`` (the trace key of the reports behind it, or None).

    When nothing rises or deviates, the first line says so and gives the total.
    """
    out: list[dict[str, Any]] = []
    summary = fig.get("summary") or {}
    n_this = summary.get("n_reports") or 0
    mean4 = summary.get("mean4")

    deviations = fig.get("deviations") or []
    # Areas before the whole collaboration: a place is what a partner can act on.
    ranked = sorted(deviations, key=lambda d: d.get("level") == "collaboration")
    flagged_categories = set()
    for d in ranked[:2]:
        flagged_categories.add(d.get("category"))
        where = d.get("area") if d.get("level") != "collaboration" else None
        values = {
            "category": d.get("category"),
            "area": where,
            "observed": num(d.get("observed")),
            "expected": num(_about(d.get("expected") or 0)),
        }
        text = (
            _(
                "%(category)s in %(area)s: %(observed)s reports where about "
                "%(expected)s are usual."
            )
            if where
            else _(
                "%(category)s across the whole area: %(observed)s reports where "
                "about %(expected)s are usual."
            )
        ) % values
        out.append({"text": text, "trace": d.get("trace"), "kind": "deviation"})

    rising = [
        c
        for c in fig.get("categories") or []
        if _rises(c.get("this") or 0, c.get("mean4"))
        and c.get("name") not in flagged_categories
    ]
    rising.sort(key=lambda c: -((c["this"] or 0) - (c["mean4"] or 0)))
    if rising:
        c = rising[0]
        out.append(
            {
                "text": _(
                    "%(category)s rose the most: %(n)s reports against %(mean)s on "
                    "average (%(pct)s)."
                )
                % {
                    "category": c["name"],
                    "n": num(c["this"]),
                    "mean": num(c["mean4"]),
                    "pct": f"+{num(_rise_pct(c['this'], c['mean4']))} %",
                },
                "trace": (c.get("trace") or {}).get("this"),
                "kind": "rise",
            }
        )

    areas = [
        a
        for a in fig.get("area_status") or []
        if a.get("last") is not None and _rises(a.get("this") or 0, a["last"])
    ]
    areas.sort(key=lambda a: -((a["this"] or 0) - (a["last"] or 0)))
    if areas:
        a = areas[0]
        out.append(
            {
                "text": _(
                    "The largest rise by area: %(area)s, %(n)s reports against "
                    "%(last)s in the period before."
                )
                % {"area": a["name"], "n": num(a["this"]), "last": num(a["last"])},
                "trace": a.get("trace"),
                "kind": "area",
            }
        )

    new = new_hotspots(fig)
    if new:
        where = []
        for c in new:
            if c.get("area") and c["area"] not in where:
                where.append(c["area"])
        text = ngettext(
            "%(n)s new hotspot since the period before",
            "%(n)s new hotspots since the period before",
            len(new),
        ) % {"n": num(len(new))}
        if where:
            text += _(", in %(areas)s") % {"areas": _names(where[:3])}
        out.append({"text": text + ".", "trace": None, "kind": "hotspot"})

    if not out:
        out.append(
            {
                "text": (
                    ngettext(
                        "Nothing stands out: %(n)s report, in line with the 4 "
                        "periods before (%(mean)s on average).",
                        "Nothing stands out: %(n)s reports, in line with the 4 "
                        "periods before (%(mean)s on average).",
                        n_this,
                    )
                    if mean4 is not None
                    else ngettext(
                        "Nothing stands out: %(n)s report.",
                        "Nothing stands out: %(n)s reports.",
                        n_this,
                    )
                )
                % {"n": num(n_this), "mean": num(mean4)},
                "trace": "all:this",
                "kind": "calm",
            }
        )

    old_issues = sum(1 for i in fig.get("open_issues") or [] if i["days_open"] > 30)
    if old_issues:
        out.append(
            {
                "text": ngettext(
                    "%(n)s physical-environment issue open for more than 30 days.",
                    "%(n)s physical-environment issues open for more than 30 days.",
                    old_issues,
                )
                % {"n": num(old_issues)},
                "trace": None,
                "kind": "issues",
            }
        )
    coverage = fig.get("coverage") or {}
    if coverage.get("not_covered"):
        n_nc = len(coverage["not_covered"])
        out.append(
            {
                "text": ngettext(
                    "%(n)s area not covered: no reports and no check-in, so "
                    "nothing is known there.",
                    "%(n)s areas not covered: no reports and no check-in, so "
                    "nothing is known there.",
                    n_nc,
                )
                % {"n": num(n_nc)},
                "trace": None,
                "kind": "coverage",
            }
        )
    perceived = fig.get("perceived") or {}
    if perceived.get("flagged"):
        n_fl = len(perceived["flagged"])
        out.append(
            {
                "text": ngettext(
                    "Perceived safety and reported events diverge in %(n)s area.",
                    "Perceived safety and reported events diverge in %(n)s areas.",
                    n_fl,
                )
                % {"n": num(n_fl)},
                "trace": None,
                "kind": "perceived",
            }
        )
    return out[:MAX_HEADLINES]


def changes(fig: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed since the period before: the total, the categories and areas
    that moved most, and hotspots that are new. Each row is
    ``{"label", "this", "last", "delta", "trace"}``; ``delta`` is this − last."""
    summary = fig.get("summary") or {}
    rows: list[dict[str, Any]] = []
    if summary.get("n_last") is not None:
        rows.append(
            {
                "label": _("All reports"),
                "this": summary.get("n_reports") or 0,
                "last": summary["n_last"],
                "trace": "all:this",
            }
        )
    cats = [
        {
            "label": c["name"],
            "this": c.get("this") or 0,
            "last": c.get("last") or 0,
            "trace": (c.get("trace") or {}).get("this"),
        }
        for c in fig.get("categories") or []
    ]
    cats = [c for c in cats if c["this"] != c["last"]]
    cats.sort(key=lambda c: (-abs(c["this"] - c["last"]), c["label"]))
    areas = [
        {
            "label": a["name"],
            "this": a.get("this") or 0,
            "last": a["last"],
            "trace": a.get("trace"),
        }
        for a in fig.get("area_status") or []
        if a.get("last") is not None and (a.get("this") or 0) > a["last"]
    ]
    areas.sort(key=lambda a: (-(a["this"] - a["last"]), a["label"]))
    rows += cats[:3] + areas[:2]
    for r in rows:
        r["delta"] = r["this"] - r["last"]
    return rows


def status_counts(statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Areas per shown colour, red first, with the names of the red and orange ones
    (the ones a meeting talks about)."""
    order = ["red", "orange", "yellow", "green", "grey"]
    out = []
    for colour in order:
        named = [a for a in statuses if a.get("shown") == colour]
        if not named:
            continue
        out.append(
            {
                "colour": colour,
                "n": len(named),
                "names": [a["name"] for a in named]
                if colour in ("red", "orange")
                else [],
            }
        )
    return out
