"""The annual situation picture and action plan: figures, rights, plan, PDF."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from samsyn.analysis.engine import local_midnight
from samsyn.annual.actions import (
    AnnualError,
    PersonalDataFound,
    ReadOnly,
    add_item,
    approve_report,
    create_report,
    save_texts,
)
from samsyn.annual.models import ActionPlanItem, AnnualReport
from samsyn.interventions.models import Intervention
from samsyn.lib.tests.pdfcheck import pdf_accessibility_problems
from samsyn.organisations.access import Access
from samsyn.police.models import PoliceEvent
from samsyn.reports.models import Report
from samsyn.tests.support import (
    INSIDE_WEST,
    SQUARE_EAST,
    SQUARE_WEST,
    make_area,
    make_report,
)

pytestmark = pytest.mark.django_db


def _at(year: int, month: int, day: int = 10) -> datetime:
    return local_midnight(date(year, month, day)).replace(hour=12)


def _event(collab, external_id: int, when: datetime, precision: str) -> PoliceEvent:
    return PoliceEvent.objects.create(
        collaboration=collab,
        external_id=external_id,
        occurred_at=when,
        published_at=when,
        name="Brand",
        type="Brand",
        location_name="Örebro",
        place_name="Örebro",
        precision=precision,
        centroid_lat=59.27,
        centroid_lon=15.21,
    )


def _iv(collab, owner, title: str = "Lighting at the path") -> Intervention:
    return Intervention.objects.create(
        collaboration=collab,
        title=title,
        kind="situational",
        owner=owner,
        starts_on=date(2025, 3, 1),
    )


@pytest.fixture
def report(north, north_org, west_area, east_area, alice):
    for month in (1, 2, 2, 6):
        make_report(north_org, occurred_at=_at(2025, month))
    make_report(north_org, occurred_at=_at(2024, 2))
    make_report(
        north_org,
        category="unsafe_lighting",
        occurred_at=_at(2025, 3),
        status=Report.Status.FIXED,
    )
    make_report(north_org, category="unsafe_lighting", occurred_at=_at(2025, 4))
    _event(north, 1, _at(2025, 5), PoliceEvent.Precision.MUNICIPALITY)
    _event(north, 2, _at(2025, 5), PoliceEvent.Precision.COUNTY)
    return create_report(north, 2025, by=alice)


def test_it_computes_extent_development_and_consequences(report):
    sit = report.figures["situation"]
    assert sit["years"] == [2023, 2024, 2025]
    assert sit["total"] == 6
    assert sit["previous_total"] == 1
    assert sit["monthly"]["2025"][:6] == [1, 2, 1, 1, 0, 1]
    assert sit["physical"] == {"total": 2, "fixed": 1, "closed_not_fixed": 0, "open": 1}
    gathering = next(c for c in sit["categories"] if c["code"] == "gathering")
    assert gathering["years"] == [0, 1, 4]
    assert sit["areas"][0]["this"] == 6
    # County-level police events are context, never the municipality's own figures.
    assert report.figures["police"]["events"]["this"] == 1
    assert report.figures["police"]["crimes_imported"] is False
    assert report.figures["analysis"]["priority"]


def test_it_freezes_figures_when_created(report, north, north_org, alice):
    make_report(north_org, occurred_at=_at(2025, 7))
    again = create_report(north, 2025, by=alice)
    assert again.pk == report.pk
    again.refresh_from_db()
    assert again.figures["situation"]["total"] == 6
    newer = create_report(north, 2025, by=alice, new_version=True)
    assert newer.version == 2
    assert newer.figures["situation"]["total"] == 7
    report.refresh_from_db()
    assert report.figures["situation"]["total"] == 6


def test_it_carries_texts_and_plan_into_a_new_version(report, north, north_org, alice):
    save_texts(report, {"analysis_text": "Fler bränder."}, by=alice)
    add_item(
        report,
        {"goal": "Tryggare torg", "measure": "Belysning", "owner": north_org},
        by=alice,
    )
    approve_report(report, Access.for_user(alice, north), by=alice)
    newer = create_report(north, 2025, by=alice, new_version=True)
    assert newer.is_draft
    assert newer.analysis_text == "Fler bränder."
    assert list(newer.items.values_list("goal", flat=True)) == ["Tryggare torg"]
    assert report.items.count() == 1


def test_it_lets_only_coordinators_edit_and_approve(
    report, client, bob, anna, sam, alice
):
    url = f"/annual/{report.code}/"
    for user in (bob, anna, sam):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert client.post(url + "texts/", {"analysis_text": "x"}).status_code == 404
        assert client.post(url + "approve/").status_code == 404
        assert client.get(url).context["texts_form"] is None
    with pytest.raises(AnnualError):
        approve_report(report, Access.for_user(anna, report.collaboration), by=anna)
    client.force_login(alice)
    r = client.post(url + "texts/", {"analysis_text": "Oro vid torget."})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.analysis_text == "Oro vid torget."
    assert report.situation_text == ""  # a section posts only its own fields
    assert client.post(url + "approve/").status_code == 302
    report.refresh_from_db()
    assert report.is_approved
    assert report.approved_by == alice
    assert list(report.events.values_list("kind", flat=True)) == [
        "created",
        "edited",
        "approved",
    ]


def test_it_keeps_an_approved_report_read_only(report, client, north, north_org, alice):
    item = add_item(
        report, {"goal": "Mål", "measure": "Åtgärd", "owner": north_org}, by=alice
    )
    approve_report(report, Access.for_user(alice, north), by=alice)
    with pytest.raises(ReadOnly):
        save_texts(report, {"analysis_text": "later"}, by=alice)
    client.force_login(alice)
    url = f"/annual/{report.code}/"
    client.post(url + "texts/", {"analysis_text": "later"})
    client.post(url + "items/", {"goal": "g", "measure": "m", "owner": north_org.pk})
    client.post(url + f"items/{item.pk}/remove/")
    report.refresh_from_db()
    assert report.analysis_text == ""
    assert list(report.items.all()) == [item]
    page = client.get(url)
    assert page.context["texts_form"] is None
    assert b"Add an action" not in page.content


def test_it_hides_another_collaborations_report(report, client, carl, north_org):
    client.force_login(carl)
    url = f"/annual/{report.code}/"
    assert client.get(url).status_code == 404
    assert client.get(url + "pdf/").status_code == 404
    assert client.post(url + "texts/", {"analysis_text": "x"}).status_code == 404
    assert client.post(url + "approve/").status_code == 404
    assert report.year not in [r.year for r in client.get("/annual/").context["years"]]


def test_it_links_plan_items_to_the_collaborations_interventions_only(
    report, client, north, north_org, south_org, alice
):
    own = _iv(north, north_org)
    other = _iv(south_org.collaboration, south_org, "Elsewhere")
    client.force_login(alice)
    url = f"/annual/{report.code}/items/"
    base = {
        "item-goal": "Tryggare gångväg",
        "item-measure": "Ny belysning",
        "item-owner": north_org.pk,
    }
    r = client.post(url, {**base, "item-intervention": other.pk})
    assert r.status_code == 422
    r = client.post(url, {**base, "item-owner": south_org.pk})
    assert r.status_code == 422
    assert not ActionPlanItem.objects.exists()
    with pytest.raises(AnnualError):
        add_item(
            report,
            {
                "goal": "Tryggare gångväg",
                "measure": "Ny belysning",
                "owner": north_org,
                "intervention": other,
            },
            by=alice,
        )
    r = client.post(
        url, {**base, "item-intervention": own.pk, "item-follow_up_on": "2026-06-01"}
    )
    assert r.status_code == 302
    item = ActionPlanItem.objects.get()
    assert item.intervention == own
    assert item.follow_up_on == date(2026, 6, 1)
    edit = f"/annual/{report.code}/items/{item.pk}/"
    r = client.post(
        edit, {**base, "item-measure": "Buskröjning", "item-intervention": ""}
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.measure, item.intervention) == ("Buskröjning", None)
    assert client.post(edit + "remove/").status_code == 302
    assert not ActionPlanItem.objects.exists()


def test_it_refuses_personal_data_in_texts_and_plan(report, client, north_org, alice):
    with pytest.raises(PersonalDataFound):
        save_texts(report, {"conclusion_text": "Ring 070-123 45 67"}, by=alice)
    client.force_login(alice)
    r = client.post(
        f"/annual/{report.code}/items/",
        {
            "item-goal": "Mål",
            "item-measure": "Mejla kalle@example.se",
            "item-owner": north_org.pk,
        },
        follow=True,
    )
    assert b"personal data" in r.content
    report.refresh_from_db()
    assert report.conclusion_text == ""
    assert not report.items.exists()


def test_it_records_the_conclusion_and_the_plans_follow_up_date(report, client, alice):
    client.force_login(alice)
    url = f"/annual/{report.code}/texts/"
    client.post(
        url,
        {
            "measures_needed_present": "1",
            "measures_needed": "on",
            "conclusion_text": "Ja.",
        },
    )
    client.post(url, {"follow_up_on": "2026-11-15"})
    report.refresh_from_db()
    assert report.measures_needed is True
    assert report.conclusion_text == "Ja."
    assert report.follow_up_on == date(2026, 11, 15)


def test_it_builds_a_pdf_with_the_year_sections_and_plan(
    report, client, north, north_org, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    add_item(
        report,
        {
            "goal": "Tryggare centrum",
            "measure": "Kameror vid busstorget",
            "owner": north_org,
        },
        by=alice,
    )
    approve_report(report, Access.for_user(alice, north), by=alice)
    client.force_login(alice)
    r = client.get(f"/annual/{report.code}/pdf/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert pdf_accessibility_problems(r.content) == []
    text = "\n".join(p.extract_text() for p in pages)
    assert "2025" in pages[0].extract_text()
    assert north.name in pages[0].extract_text()
    assert "Action plan" in text or "Åtgärdsplan" in text
    assert "Kameror vid busstorget" in text
    report.refresh_from_db()
    assert report.pdf
    assert report.events.filter(kind="pdf").exists()


def test_it_lists_reports_per_year(report, client, bob):
    client.force_login(bob)
    r = client.get("/annual/")
    assert r.status_code == 200
    assert [y for y, _ in r.context["years"]] == [2025]
    assert b"Open or create" not in r.content
    assert AnnualReport.objects.count() == 1


def test_it_shows_perceived_safety_beside_reported_events(north, north_org, alice):
    from django.test import Client

    from samsyn.areas.models import Area
    from samsyn.surveys.models import SurveyResult

    south = {
        "type": "Polygon",
        "coordinates": [
            [
                [15.19, 59.24],
                [15.23, 59.24],
                [15.23, 59.26],
                [15.19, 59.26],
                [15.19, 59.24],
            ]
        ],
    }
    busy = make_area(north, ref="W", name="Busy", geometry=SQUARE_WEST)
    quiet = make_area(north, ref="Q", name="Quiet", geometry=SQUARE_EAST)
    middle = make_area(north, ref="M", name="Middle", geometry=south)
    Area.objects.filter(collaboration=north).update(population=1000)
    for _ in range(6):
        make_report(north_org, lonlat=INSIDE_WEST, occurred_at=_at(2025, 3))
    make_report(north_org, lonlat=(15.20, 59.25), occurred_at=_at(2025, 4))
    for area, value in ((busy, 1.0), (quiet, 4.5), (middle, 2.0)):
        SurveyResult.objects.create(
            collaboration=north,
            area=area,
            year=2025,
            source="Polisens trygghetsmätning",
            indicator="problemindex",
            value=value,
        )
    report = create_report(north, 2025, by=alice)
    pv = report.figures["perceived"]
    assert pv["year"] == 2025
    assert "Q" in pv["flagged"]
    client = Client()
    client.force_login(alice)
    body = client.get(f"/annual/{report.code}/").content.decode()
    section = body.split('id="perceived"')[1].split("</section>")[0]
    assert 'data-divergence="perceived_high_reported_low"' in section


def test_it_has_no_perceived_block_without_surveys(report, client, alice):
    assert report.figures["perceived"] is None
    client.force_login(alice)
    assert (
        'id="perceived"' not in client.get(f"/annual/{report.code}/").content.decode()
    )


def test_a_running_year_says_so_far_and_compares_the_same_days(
    north, north_org, west_area, east_area, alice
):
    import json
    import re

    import time_machine
    from django.utils import translation

    make_report(north_org, occurred_at=_at(2026, 3))
    make_report(north_org, occurred_at=_at(2026, 12, 3))  # in 2026-W49
    make_report(north_org, occurred_at=_at(2025, 3))  # the same days of 2025
    make_report(north_org, occurred_at=_at(2025, 12, 20))  # after them
    _event(north, 1, _at(2025, 12, 20), PoliceEvent.Precision.MUNICIPALITY)
    # Monday 7 December 2026: the last complete week is 2026-W49.
    today = local_midnight(date(2026, 12, 7)).replace(hour=10)
    with time_machine.travel(today, tick=False), translation.override("en"):
        fig = create_report(north, 2026, by=alice).figures
    assert fig["figures_end"] == "2026-12-07"
    assert fig["so_far"].startswith(
        "So far: 1 Jan–6 Dec 2026 against the same days of 2025"
    )
    assert fig["situation"]["total"] == 2
    assert fig["situation"]["previous_total"] == 1
    assert fig["police"]["events"]["previous"] == 0
    weeks = re.findall(r"(\d{4})-W(\d{2})", json.dumps(fig["analysis"]))
    assert weeks and max((int(y), int(w)) for y, w in weeks) == (2026, 49)


def test_a_finished_year_covers_the_whole_year(report):
    assert report.figures["so_far"] is None
    assert report.figures["figures_end"] == "2026-01-01"
