"""The prioritisation in the forum's words, with the forum's own ability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from samsyn.analysis.engine import local_midnight
from samsyn.interventions.models import Intervention
from samsyn.lib.weeks import period_for
from samsyn.organisations.access import Access
from samsyn.pictures.actions import (
    PersonalDataFound,
    PictureReadOnly,
    approve_picture,
    generate_picture,
    save_assessment,
    set_area_ability,
)
from samsyn.pictures.models import AreaAbility, PictureEvent, current_abilities
from samsyn.pictures.priority import (
    priority_rows,
    rule_text,
    suggest_level,
    suggestion_reasons,
    suggestions,
)
from samsyn.tests.support import INSIDE_EAST, make_report

pytestmark = pytest.mark.django_db


def _row(ref, need, **kw):
    return {"area": ref, "area_name": ref.title(), "need": need, "reports": 1, **kw}


class _Ab:
    def __init__(self, level, reason=""):
        self.level, self.reason = level, reason


def test_ranks_are_whole_numbers_and_ties_share_the_best():
    rows = priority_rows([_row("a", 0.5), _row("b", 0.9), _row("c", 0.5)], {})
    assert [(r["area"], r["rank"]) for r in rows] == [("b", 1), ("a", 2), ("c", 2)]
    assert all(isinstance(r["rank"], int) for r in rows)


def test_an_area_without_need_data_has_no_rank():
    rows = priority_rows([_row("a", None), _row("b", 0.2)], {})
    assert [(r["area"], r["rank"]) for r in rows] == [("b", 1), ("a", None)]


def test_the_forums_ability_changes_the_rank():
    rows = [_row("a", 0.8), _row("b", 0.6)]
    assert priority_rows(rows, {})[0]["area"] == "a"
    # a low: 0.8 x 0.5 = 0.4; b high: 0.6 x 1 = 0.6
    ranked = priority_rows(rows, {"a": _Ab("low"), "b": _Ab("high")})
    assert [(r["area"], r["rank"]) for r in ranked] == [("b", 1), ("a", 2)]
    assert ranked[0]["priority"] == pytest.approx(0.6)
    # Unassessed = medium: 0.8 x 0.75
    assert priority_rows(rows, {})[0]["priority"] == pytest.approx(0.6)


def test_the_rule_and_numbers_are_in_swedish():
    with translation.override("sv"):
        text = rule_text()
        rows = priority_rows([_row("a", 0.75)], {})
    assert "Prioritet = behov × (0,5 + 0,5 × möjlighet att påverka)" in text
    assert rows[0]["need_text"] == "0,75"


@pytest.mark.parametrize(
    ("partners", "owners", "ivs", "level"),
    [(0, 0, 0, "low"), (1, 0, 0, "low"), (2, 0, 0, "medium"), (0, 1, 0, "medium"),
     (0, 0, 1, "medium"), (2, 1, 0, "high"), (2, 1, 1, "high")],
)  # fmt: skip
def test_it_suggests_a_level_from_partners_owners_and_interventions(
    partners, owners, ivs, level
):
    assert suggest_level(partners, owners, ivs) == level


def test_the_suggestion_names_its_reasons(
    north, north_org, north_police, north_housing, west_area, east_area
):
    period = period_for("tertial", timezone.localdate(), north)
    when = local_midnight(period.start) + timedelta(days=2)
    make_report(north_org, occurred_at=when)
    make_report(north_police, occurred_at=when)
    make_report(
        north_org, category="unsafe_lighting", occurred_at=when, owner=north_housing
    )
    # A restricted report does not name its organisation to everyone.
    make_report(north_housing, occurred_at=when, lonlat=INSIDE_EAST, restricted=True)
    iv = Intervention.objects.create(
        collaboration=north,
        title="Belysning vid torget",
        kind="situational",
        status="ongoing",
        owner=north_org,
        starts_on=period.start,
    )
    iv.areas.add(west_area)
    s = suggestions(north, period.start, period.end, ["W", "E"])
    assert s["W"]["level"] == "high"
    assert s["W"]["partners"] == ["North kommun", "North police"]
    assert s["W"]["owners"] == ["North housing"]
    assert s["W"]["interventions"] == ["Belysning vid torget"]
    assert s["E"]["partners"] == [] and s["E"]["level"] == "low"
    with translation.override("sv"):
        reasons = suggestion_reasons(s["W"])
    assert any("North housing" in r for r in reasons)
    assert any("Belysning vid torget" in r for r in reasons)


@pytest.fixture
def tertial(north, north_org, west_area, east_area, alice):
    # The last complete tertial: a running one that began today has no week yet.
    period = period_for("tertial", timezone.localdate(), north).previous()
    start = local_midnight(period.start)
    for d in range(3):
        make_report(north_org, occurred_at=start + timedelta(days=d + 1))
    make_report(north_org, occurred_at=start + timedelta(days=2), lonlat=INSIDE_EAST)
    return generate_picture(north, "tertial", period, by=alice)


def test_ability_is_versioned_with_the_picture(tertial, west_area, east_area, alice):
    set_area_ability(tertial, east_area, "medium", "Första bedömningen", by=alice)
    set_area_ability(tertial, east_area, "high", "Värden finns på plats", by=alice)
    assert AreaAbility.objects.filter(picture=tertial).count() == 2
    current = current_abilities(tertial)
    assert current["E"].level == "high"
    assert current["E"].reason == "Värden finns på plats"
    events = PictureEvent.objects.filter(picture=tertial, kind="edited")
    assert [e.data["level"] for e in events] == ["medium", "high"]
    v2 = generate_picture(
        tertial.collaboration,
        "tertial",
        period_for("tertial", tertial.period_start, tertial.collaboration),
        by=alice,
        new_version=True,
    )
    assert current_abilities(v2)["E"].level == "high"
    assert AreaAbility.objects.filter(picture=tertial).count() == 2


def test_ability_is_used_in_the_picture_ranks(tertial, east_area, alice, client):
    client.force_login(alice)
    page = client.get(f"/pictures/{tertial.code}/")
    before = {r["area"]: r for r in page.context["priority"]["rows"]}
    assert before["W"]["rank"] == 1 and before["W"]["ability"] is None
    set_area_ability(tertial, west_area_of(tertial), "low", "", by=alice)
    set_area_ability(tertial, east_area, "high", "Stark samverkan", by=alice)
    rows = client.get(f"/pictures/{tertial.code}/").context["priority"]["rows"]
    after = {r["area"]: r for r in rows}
    # Unassessed counts as medium (x 0.75), low as x 0.5.
    assert after["W"]["priority"] == pytest.approx(before["W"]["priority"] * 2 / 3)
    assert after["E"]["ability_label"] == "high"


def west_area_of(picture):
    return picture.collaboration.areas.get(ref="W")


def test_approval_freezes_the_ability(tertial, east_area, alice):
    save_assessment(tertial, "Läget är lugnt i öster.", by=alice)
    approve_picture(tertial, Access.for_user(alice, tertial.collaboration), by=alice)
    tertial.refresh_from_db()
    with pytest.raises(PictureReadOnly):
        set_area_ability(tertial, east_area, "high", "", by=alice)


def test_ability_refuses_personal_data_and_bad_levels(tertial, east_area, alice):
    with pytest.raises(PersonalDataFound):
        set_area_ability(tertial, east_area, "high", "Ring 070-123 45 67", by=alice)
    with pytest.raises(Exception, match="low, medium or high"):
        set_area_ability(tertial, east_area, "huge", "", by=alice)
    assert not AreaAbility.objects.exists()


def test_the_form_saves_and_a_bad_post_writes_nothing(
    tertial, east_area, alice, client
):
    client.force_login(alice)
    url = f"/pictures/{tertial.code}/ability/"
    r = client.post(url, {"area": str(east_area.code), "level": "x", "reason": ""})
    assert r.status_code == 302 and not AreaAbility.objects.exists()
    r = client.post(url, {"area": "not-a-code", "level": "high"})
    assert r.status_code == 302 and not AreaAbility.objects.exists()
    client.post(url, {"area": str(east_area.code), "level": "high", "reason": "Bra"})
    assert AreaAbility.objects.get().level == "high"


def test_an_analyst_cannot_set_ability(tertial, east_area, anna, client):
    client.force_login(anna)
    r = client.post(
        f"/pictures/{tertial.code}/ability/",
        {"area": str(east_area.code), "level": "high"},
    )
    assert r.status_code == 404
    assert not AreaAbility.objects.exists()


RAW_KEYS = (
    "need_coverage",
    "minmax",
    "historical_hot",
    "harm_per_1000",
    "deviation_weeks",
    "police_crimes",
    "active_partners",
    "open_interventions",
    "missing ability",
    "(se need_coverage)",
    "1,0",
    "2,0",
)


def test_the_rendered_prioritisation_has_no_raw_keys(tertial, alice, client, settings):
    settings.LANGUAGE_CODE = "sv"
    client.force_login(alice)
    html = client.get(f"/pictures/{tertial.code}/", HTTP_ACCEPT_LANGUAGE="sv").content
    section = html.decode().split('id="priority"')[1].split("</section>")[0]
    for key in RAW_KEYS:
        assert key not in section, key
    assert "Ingen bedömning ännu – antas medel" in section
    assert "Prioritet = behov × (0,5 + 0,5 × möjlighet att påverka)" in section


def test_the_pdf_shows_the_forums_ability_without_forms(tertial, east_area, alice):
    from samsyn.pictures.tasks import print_html

    set_area_ability(tertial, east_area, "high", "Värden finns på plats", by=alice)
    with translation.override("sv"):
        html = print_html(tertial)
    section = html.split('id="priority"')[1].split("</section>")[0]
    assert "Värden finns på plats" in section
    assert "<form" not in section and "<details" not in section
    for key in RAW_KEYS:
        assert key not in section, key
