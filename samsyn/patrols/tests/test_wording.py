"""Visit reasons and square labels are stored as figures and worded when shown."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone, translation

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
