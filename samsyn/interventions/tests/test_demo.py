"""On the demo data, the planted displacement case is recognised.

The demo (60,000 reports as `make demo` loads, seed 2026, ending Sunday 22 November
2026) is loaded once for this module inside a transaction rolled back afterwards, as in
samsyn/analysis/tests/test_demo_truths.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from samsyn.accounts.models import User
from samsyn.demo.load import find_data_dir
from samsyn.interventions import followup
from samsyn.interventions.demo import add_demo_interventions
from samsyn.interventions.models import Intervention
from samsyn.tests.support import demo_in_rollback

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")


@pytest.fixture(scope="module")
def demo(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=60_000, now=NOW
    ) as result:
        truths = result.data.truths
        made = add_demo_interventions(result.collaboration, truths, now=NOW)
        yield {"collab": result.collaboration, "truths": truths, "made": made}


@pytest.mark.django_db
def test_it_recognises_the_planted_displacement(demo):  # type: ignore[no-untyped-def]
    spec = demo["truths"]["displacement"]["intervention"]
    iv = Intervention.objects.get(collaboration=demo["collab"], title=spec["title"])
    assert iv.status == "evaluated"
    ev = iv.latest_evaluation()
    assert ev.method == "point"
    assert ev.inputs["weeks"] == 26
    assert (ev.effect, ev.displacement) == ("worked", "displacement")
    counts = ev.results["counts"]
    assert counts["target"]["after"] < counts["target"]["before"]
    assert counts["buffer"]["after"] > counts["buffer"]["before"]
    # Part of the gain moved to the buffer: the WDQ is negative.
    assert ev.results["wdq"]["value"] < 0
    assert ev.cost_per_prevented is None or ev.cost_per_prevented > 0
    assert [p.status for p in iv.partnerships.all()][0] == "accepted"


@pytest.mark.django_db
def test_it_shows_the_demo_evaluation_and_annual_analysis(demo):  # type: ignore[no-untyped-def]
    spec = demo["truths"]["displacement"]["intervention"]
    iv = Intervention.objects.get(collaboration=demo["collab"], title=spec["title"])
    c = Client()
    c.force_login(User.objects.get(username="coordinator"))
    body = c.get(f"/interventions/{iv.code}/").content.decode()
    assert "Fewer events in the target, but part of the problem moved" in body
    assert "Events moved to the surroundings" in body
    # Evaluated on the last day of its period: preliminary, and said so.
    assert "Preliminary result: the intervention runs until 22 November 2026" in body
    res = followup.annual_analysis(demo["collab"], 2026)
    codes = {r["code"]: r for r in res["interventions"]}
    assert codes[str(iv.code)]["displacement"] == "displacement"
    kinds = {k["key"]: k for k in res["by_kind"]}
    assert kinds["situational"]["displaced"] == 1
    assert kinds["situational"]["suggestion"] == "change"
    assert c.get("/interventions/?status=evaluated").status_code == 200
