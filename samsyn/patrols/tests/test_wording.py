"""Visit reasons and square labels are stored as figures and worded when shown."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
from django.test import Client
from django.utils import timezone, translation

from samsyn.areas.models import Place
from samsyn.lib.geo import to_sweref
from samsyn.patrols.models import PatrolPlan, PatrolVisit
from samsyn.patrols.tests.test_plans import _generate, world  # noqa: F401


def _visit(plan: PatrolPlan, **kw) -> PatrolVisit:
    start = timezone.now().replace(microsecond=0)
    fields = {
        "plan": plan,
        "team": 1,
        "x": 512345.0,
        "y": 6571234.0,
        "label": "stored label",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=30),
    }
    fields.update(kw)
    return PatrolVisit.objects.create(**fields)


def test_it_words_the_reason_in_the_reader_s_language(world, alice):  # noqa: F811
    plan = _generate(world, alice)
    v = plan.visits.first()
    assert v is not None and v.components["history"] > 0
    with translation.override("sv"):
        sv = v.display_reason
    with translation.override("en"):
        en = v.display_reason
    rate = v.components["history"]
    assert f"{rate:.2f}".replace(".", ",") in sv
    assert f"{rate:.2f}" in en and "/wk" in en
    assert sv != en


def test_it_words_a_square_from_its_figures(world, alice):  # noqa: F811
    plan = _generate(world, alice)
    v = _visit(
        plan,
        components={
            "kind": "cell",
            "area": "West",
            "cell_m": 250,
            "history": 0.5,
            "trend": 0.126,
            "deviation": 0,
            "decision": 0,
        },
    )
    with translation.override("en"):
        assert v.display_label == "West (250 m square 512.34/6571.23)"
        assert v.display_reason == "history 0.50/wk · trend +0.13"
    with translation.override("sv"):
        assert "512,34/6571,23" in v.display_label
        assert "0,50" in v.display_reason and "+0,13" in v.display_reason


def test_it_still_shows_an_old_plan_s_stored_words(world, alice):  # noqa: F811
    plan = _generate(world, alice)
    old = _visit(plan, components={}, reason="history 1.00/wk", label="Torget")
    with translation.override("sv"):
        assert old.display_reason == "history 1.00/wk"
        assert old.display_label == "Torget"


def test_it_shows_the_worded_reason_on_the_plan_page(world, alice):  # noqa: F811
    plan = _generate(world, alice)
    v = plan.visits.first()
    client = Client()
    client.force_login(alice)
    html = client.get(
        f"/patrols/plans/{plan.code}/", HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    reasons = re.findall(r'class="pat-why">([^<]*)<', html)
    assert reasons
    assert f"{v.components['history']:.2f}".replace(".", ",") in " ".join(reasons)


def test_it_names_a_square_by_the_nearest_named_place(world, alice):  # noqa: F811
    plan = _generate(world, alice)
    near = {"kind": "cell", "area": "West", "cell_m": 250, "history": 0.5}
    far = _visit(plan, components={**near, "near": "Stortorget", "near_m": 312})
    at = _visit(plan, components={**near, "near": "Stortorget", "near_m": 40})
    with translation.override("sv"):
        assert far.display_label == "300 m från Stortorget (område West)"
        assert at.display_label == "Vid Stortorget (område West)"
        assert "/" not in far.display_label


def test_a_generated_plan_names_its_squares_after_places(world, alice):  # noqa: F811
    from samsyn.patrols.actions import _locations

    xs, ys = to_sweref(np.array([15.21, 15.211]), np.array([59.28, 59.2801]))
    cells = [
        loc
        for loc in _locations(world["collab"], xs, ys, np.array([5.0, 5.0]), 3)
        if loc.kind == "cell"
    ]
    assert cells, "a cluster of reports away from the places makes a hotspot square"
    names = {p.name for p in Place.objects.filter(collaboration=world["collab"])}
    for cell in cells:
        assert cell.near in names and cell.near_m > 0
        assert cell.near in cell.label
