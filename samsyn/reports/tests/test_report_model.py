"""Model rules of categories and reports."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError
from django.utils import translation

from samsyn.reports.models import Category, Report
from samsyn.tests.support import INSIDE_WEST, make_report


def test_it_names_a_category_in_the_active_language(north):
    fire = Category.objects.get(collaboration=north, code="fire")
    with translation.override("sv"):
        assert fire.name == "Brand eller anlagd brand"
    with translation.override("en"):
        assert fire.name == "Fire or arson"
        assert str(fire) == "Fire or arson"
    with translation.override("en-gb"):
        assert fire.name == "Fire or arson"


def test_it_seeds_the_checklist_flags(north):
    cats = {c.code: c for c in Category.objects.filter(collaboration=north)}
    assert len(cats) == 20
    assert cats["unsafe_lighting"].physical_environment
    assert not cats["unsafe_lighting"].counts_people
    assert (
        cats["gathering"].counts_people and not cats["gathering"].physical_environment
    )


def test_it_turns_a_report_into_a_geojson_feature(north_org, west_area):
    report = make_report(
        north_org, category="unsafe_lighting", description="Mörkt", people_count=None
    )
    feature = report.as_feature()
    json.dumps(feature)  # serialisable as is
    assert feature["type"] == "Feature"
    assert feature["id"] == str(report.code)
    assert feature["geometry"] == {"type": "Point", "coordinates": list(INSIDE_WEST)}
    props = feature["properties"]
    assert props["category"] == "unsafe_lighting"
    assert props["category_name"] == "Otrygg plats – belysning"
    assert report.as_feature(lang_en=True)["properties"]["category_name"] == (
        "Unsafe place – lighting"
    )
    assert props["area"] == str(west_area.code)
    assert props["area_name"] == "Väster"
    assert props["organisation"] == "north-kommun"
    assert props["status"] == "reported"
    assert props["restricted"] is False
    assert props["occurred_at"] == report.occurred_at.isoformat()


def test_it_leaves_out_area_and_status_when_there_are_none(north_org):
    props = make_report(north_org, category="fire").as_feature()["properties"]
    assert props["area"] is None and props["area_name"] is None
    assert props["status"] is None and props["place_type"] is None


def test_it_knows_which_statuses_may_follow(north_org):
    report = make_report(north_org, category="littering")
    assert set(report.allowed_transitions()) == {
        "assigned",
        "fixed",
        "closed_not_fixed",
    }
    report.status = "fixed"
    assert report.allowed_transitions() == ("reported",)
    assert make_report(north_org, category="fire").allowed_transitions() == ()


def test_it_lists_open_physical_issues(north_org):
    open_one = make_report(north_org, category="littering")
    make_report(north_org, category="littering", status=Report.Status.FIXED)
    make_report(north_org, category="fire")
    assert list(Report.objects.open_issues()) == [open_one]


def test_it_refuses_a_severity_outside_the_scale(north_org):
    with pytest.raises(IntegrityError):
        make_report(north_org, severity=5)
