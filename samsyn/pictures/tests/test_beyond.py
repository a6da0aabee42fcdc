"""The picture beyond reporters: coverage, perceived safety and residents' reports.

Residents' reports are kept apart from the reporters' figures and shown together
only on request; older frozen pictures without these keys still render.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.areas.models import Area
from samsyn.coverage.actions import check_in
from samsyn.coverage.models import Coverage
from samsyn.lib.weeks import period_for
from samsyn.organisations.access import Access
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.models import SituationPicture
from samsyn.residents.models import ResidentReport, ResidentSettings
from samsyn.residents.tests.helpers import make_resident_report
from samsyn.surveys.models import SurveyResult
from samsyn.tests.support import INSIDE_EAST, make_area, make_report

pytestmark = pytest.mark.django_db

SOUTH = {
    "type": "Polygon",
    "coordinates": [
        [[15.19, 59.24], [15.23, 59.24], [15.23, 59.26], [15.19, 59.26], [15.19, 59.24]]
    ],
}
INSIDE_SOUTH = (15.20, 59.25)


def _week():
    return period_for("week", timezone.localdate() - timedelta(days=7))


def _in(period, hours=30):
    return local_midnight(period.start) + timedelta(hours=hours)


@pytest.fixture
def world(north, north_org, north_police, west_area, east_area, alice):
    """Three areas of 1,000 residents; the municipality covers all three and checks
    in only Väster; reports in Väster and Öster, none in Söder."""
    south = make_area(north, ref="S", name="Söder", geometry=SOUTH)
    Area.objects.filter(collaboration=north).update(population=1000)
    period = _week()
    iy, iw, _ = period.start.isocalendar()
    for area in (west_area, east_area, south):
        Coverage.objects.create(collaboration=north, organisation=north_org, area=area)
    Coverage.objects.create(
        collaboration=north, organisation=north_police, area=east_area
    )
    check_in(
        Access.for_user(alice, north),
        north_org,
        west_area,
        iy,
        iw,
        "nothing_to_report",
        by=alice,
    )
    for h in (10, 20, 30):
        make_report(north_org, lonlat=INSIDE_EAST, occurred_at=_in(period, h))
    make_report(
        north_org, category="littering", lonlat=INSIDE_EAST, occurred_at=_in(period)
    )
    return {"period": period, "south": south, "west": west_area, "east": east_area}


def _survey(collab, area, year, value):
    SurveyResult.objects.create(
        collaboration=collab,
        area=area,
        year=year,
        source="Polisens trygghetsmätning",
        indicator="problemindex",
        value=value,
    )


def _page(user, picture, query=""):
    client = Client()
    client.force_login(user)
    r = client.get(f"/pictures/{picture.code}/{query}")
    assert r.status_code == 200
    return r.content.decode()


def test_it_shows_who_checked_in_and_the_areas_not_covered(world, north, alice):
    picture = generate_picture(north, "week", world["period"], by=alice)
    cov = picture.figures["coverage"]
    assert cov["not_covered"] == ["S"]
    assert cov["not_covered_names"] == ["Söder"]
    kommun = next(o for o in cov["organisations"] if o["slug"] == "north-kommun")
    assert kommun["checked_names"] == ["Väster"]
    assert kommun["missing_names"] == ["Öster", "Söder"]  # by ref: E, S
    status = {a["name"]: a for a in picture.figures["area_status"]}
    assert status["Söder"]["suggested"] == "grey"
    assert status["Väster"]["suggested"] == "green"  # checked in: calm is known
    body = _page(alice, picture)
    section = body.split('id="coverage"')[1].split("</section>")[0]
    assert "Söder" in section.split("pic-not-covered")[1].split("</p>")[0]
    assert 'data-not-covered="1"' in section
    assert "North police" in section  # expected in Öster, did not check in


def test_a_scoped_picture_shows_the_coverage_of_its_areas_only(world, north, alice):
    picture = generate_picture(north, "week", world["period"], world["south"], by=alice)
    cov = picture.figures["coverage"]
    assert [a["ref"] for a in cov["areas"]] == ["S"]
    police = next(o for o in cov["organisations"] if o["slug"] == "north-police")
    assert police["expected"] == 0


def test_it_flags_where_perceived_insecurity_and_reports_diverge(world, north, alice):
    year = world["period"].year
    # Söder has no reports but the highest insecurity, rising since last year.
    for ref, before, now in (("W", 1.0, 1.2), ("E", 2.0, 2.1), ("S", 1.5, 4.5)):
        area = Area.objects.get(collaboration=north, ref=ref)
        _survey(north, area, year - 1, before)
        _survey(north, area, year, now)
    picture = generate_picture(north, "week", world["period"], by=alice)
    pv = picture.figures["perceived"]
    assert pv["year"] == year and pv["previous_year"] == year - 1
    assert pv["flagged"] == ["S"]
    south = pv["areas"][0]  # flagged first
    assert south["ref"] == "S"
    assert south["divergence"] == "perceived_high_reported_low"
    assert south["surveys"][0]["previous"] == 1.5
    assert south["surveys"][0]["change"] == 3.0
    body = _page(alice, picture)
    section = body.split('id="perceived"')[1].split("</section>")[0]
    assert 'data-divergence="perceived_high_reported_low"' in section
    assert 'data-area="S"' in section.split("pic-diverges")[1]
    assert "top third" in section  # the rule is explained


def test_it_uses_the_latest_survey_up_to_the_period(world, north, alice):
    year = world["period"].year
    for ref, value in (("W", 1.0), ("E", 2.0), ("S", 3.0)):
        area = Area.objects.get(collaboration=north, ref=ref)
        _survey(north, area, year - 2, value)
        _survey(north, area, year + 1, 6 - value)  # after the period: ignored
    picture = generate_picture(north, "week", world["period"], by=alice)
    assert picture.figures["perceived"]["year"] == year - 2
    assert picture.figures["perceived"]["previous_year"] is None


def test_it_counts_accepted_residents_reports_apart_from_reporters(
    world, north, north_org, alice
):
    ResidentSettings.objects.create(collaboration=north, enabled=True)
    at = _in(world["period"], 50)
    accepted = ResidentReport.Status.ACCEPTED
    for lonlat in (INSIDE_SOUTH, INSIDE_SOUTH, INSIDE_EAST):
        make_resident_report(north_org, lonlat=lonlat, status=accepted, occurred_at=at)
    make_resident_report(north_org, category="gathering", occurred_at=at)  # pending
    make_resident_report(
        north_org, status=ResidentReport.Status.REJECTED, occurred_at=at
    )
    make_resident_report(
        north_org, status=accepted, occurred_at=at - timedelta(days=30)
    )  # outside the period
    picture = generate_picture(north, "week", world["period"], by=alice)
    res = picture.figures["residents"]
    assert res["total"] == 3
    assert res["pending"] == 1
    assert res["by_category"] == [
        {"code": "littering", "name": res["by_category"][0]["name"],
         "residents": 3, "reporters": 1},
    ]  # fmt: skip
    by_area = {a["name"]: (a["residents"], a["reporters"]) for a in res["by_area"]}
    assert by_area == {"Söder": (2, 0), "Öster": (1, 4)}
    # The reporters' figures do not include them.
    assert picture.figures["summary"]["n_reports"] == 4
    south = next(a for a in picture.figures["area_status"] if a["name"] == "Söder")
    assert south["this"] == 0 and south["suggested"] == "grey"

    body = _page(alice, picture)
    section = body.split('id="residents"')[1].split("</section>")[0]
    assert 'data-residents-total="3"' in section
    assert "data-residents-together" in section
    assert section.count('<th class="num" scope="col">') == 2  # one per table
    together = _page(alice, picture, "?residents=together")
    section = together.split('id="residents"')[1].split("</section>")[0]
    assert "data-residents-apart" in section
    assert section.count('<th class="num" scope="col">') == 6
    assert '<td class="num">5</td>' in section  # Öster: 1 + 4, on request


def test_the_pdf_keeps_residents_apart(world, north, north_org, alice):
    from django.template.loader import render_to_string

    from samsyn.pictures.views import picture_context

    ResidentSettings.objects.create(collaboration=north, enabled=True)
    make_resident_report(
        north_org,
        status=ResidentReport.Status.ACCEPTED,
        occurred_at=_in(world["period"], 50),
    )
    picture = generate_picture(north, "week", world["period"], by=alice)
    ctx = picture_context(picture, Access(user=None, collaboration=None))
    html = render_to_string("pictures/print.html", {**ctx, "print": True})
    assert 'id="residents"' in html and 'id="coverage"' in html
    assert "data-residents-together" not in html


def test_pictures_frozen_before_these_blocks_still_render(world, north, alice):
    picture = generate_picture(north, "week", world["period"], by=alice)
    old = dict(picture.figures)
    for key in ("coverage", "perceived", "residents"):
        old.pop(key)
    SituationPicture.objects.filter(pk=picture.pk).update(figures=old)
    picture.refresh_from_db()
    body = _page(alice, picture)
    assert 'id="coverage"' not in body and 'id="residents"' not in body
    assert 'id="area-status"' in body


def test_no_blocks_where_nothing_is_in_use(north, north_org, west_area, alice):
    period = _week()
    make_report(north_org, occurred_at=_in(period))
    picture = generate_picture(north, "week", period, by=alice)
    assert picture.figures["coverage"] is None
    assert picture.figures["perceived"] is None
    assert picture.figures["residents"] is None
    body = _page(alice, picture)
    assert 'id="perceived"' not in body and 'id="residents"' not in body
