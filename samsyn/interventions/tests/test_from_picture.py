"""Recording an intervention from a situation picture: the prefilled quick capture,
the trigger link back to the picture, and the button on the picture page."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.areas.models import Place
from samsyn.interventions import prefill
from samsyn.interventions.models import Intervention
from samsyn.lib.geo import to_sweref
from samsyn.lib.weeks import period_for
from samsyn.organisations.access import Access
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.models import SituationPicture
from samsyn.pictures.views import picture_context
from samsyn.reports.models import Category
from samsyn.tests.support import make_area, make_report

pytestmark = pytest.mark.django_db
X, Y = (float(v) for v in to_sweref(15.2, 59.27))


def _week():
    return period_for("week", timezone.localdate() - timedelta(days=7))


@pytest.fixture
def picture(north, north_org, west_area, east_area, alice) -> SituationPicture:
    """A generated week picture with one deviation and one top place planted in its
    frozen figures (a real deviation needs months of history)."""
    period = _week()
    for h in (10, 20, 30):
        make_report(
            north_org, occurred_at=local_midnight(period.start) + timedelta(hours=h)
        )
    pic = generate_picture(north, "week", period, by=alice)
    square = Place.objects.create(
        collaboration=north,
        name="Torget",
        lon=15.2,
        lat=59.27,
        x=X,
        y=Y,
        area=west_area,
    )
    littering = Category.objects.get(collaboration=north, code="littering")
    fig = dict(pic.figures)
    fig["categories"] = list(fig.get("categories", [])) + [
        {
            "code": "littering",
            "name": littering.name_sv,
            "this": 0,
            "last": 0,
            "mean4": None,
            "last_year": 0,
            "series": [0],
            "trace": dict.fromkeys(("this", "last", "mean4", "last_year"), "all:this"),
        }
    ]
    fig["deviations"] = [
        {
            "level": "area",
            "area": west_area.name,
            "area_code": str(west_area.code),
            "category": littering.name_sv,
            "observed": 12,
            "expected": 3.0,
            "reason": "12 reports against an expected 3.0",
            "trace": "all:this",
        }
    ]
    fig["top_places"] = [
        {
            "kind": "place",
            "name": "Torget",
            "count": 7,
            "restricted_count": 0,
            "trace": f"place:{square.pk}",
        }
    ]
    pic.figures = fig
    pic.save(update_fields=["figures"])
    pic.square = square  # type: ignore[attr-defined]
    return pic


@pytest.fixture
def foreign(south, south_org, carl):  # type: ignore[no-untyped-def]
    area = make_area(south, ref="S1", name="Söderhamnen")
    place = Place.objects.create(
        collaboration=south, name="Hamnplan", lon=15.2, lat=59.27, x=X, y=Y, area=area
    )
    pic = SituationPicture.objects.create(
        collaboration=south,
        kind="week",
        period_start=_week().start,
        period_end=_week().end,
        label="2026-W03",
        figures={},
    )
    return {"picture": pic, "area": area, "place": place}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _quick_links(body: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'class="iv-record nowrap" href="([^"]+)"', body)
    ]


def _value(body: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', body)
    return html.unescape(m.group(1)) if m else None


def _selected(body: str, name: str) -> list[str]:
    m = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert m, name
    found = re.findall(r'<option value="([^"]*)"[^>]*selected', m.group(0))
    return [v for v in found if v]


def test_it_prefills_quick_capture_from_a_picture_link(
    alice, picture, west_area, north
):
    littering = Category.objects.get(collaboration=north, code="littering")
    r = _client(alice).get(
        "/interventions/quick/",
        {
            "picture": str(picture.code),
            "area": str(west_area.code),
            "category": "littering",
            "problem": "deviation in littering, Väster: 12 against 3",
        },
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert _value(body, "picture") == str(picture.code)
    assert _value(body, "title") in {
        f"{name} – {west_area.name}" for name in (littering.name_sv, littering.name_en)
    }
    assert "deviation in littering, Väster: 12 against 3</textarea>" in body
    assert _selected(body, "area") == [str(west_area.pk)]
    assert _selected(body, "category") == [str(littering.pk)]
    trigger = _value(body, "trigger_text") or ""
    assert picture.label in trigger and trigger.endswith("12 against 3")
    assert f'href="/pictures/{picture.code}/"' in body


def test_it_ignores_foreign_and_unknown_codes_without_an_error(alice, foreign, north):
    for params in (
        {
            "picture": str(foreign["picture"].code),
            "area": str(foreign["area"].code),
            "place": str(foreign["place"].code),
            "category": "no-such-category",
        },
        {
            "picture": "not-a-uuid",
            "area": "1",
            "place": "' OR 1=1",
            "category": "x" * 500,
        },
    ):
        r = _client(alice).get("/interventions/quick/", params)
        assert r.status_code == 200
        body = r.content.decode()
        assert _value(body, "picture") in (None, "")
        assert _selected(body, "area") == []
        assert _selected(body, "place") == []
        assert _selected(body, "category") == []
        assert foreign["picture"].label not in body
        assert "Söderhamnen" not in body and "Hamnplan" not in body
        assert 'name="trigger_text"' not in body


def test_it_drops_inactive_categories(alice, north, picture):
    Category.objects.filter(collaboration=north, code="littering").update(active=False)
    pre = prefill.from_query(
        Access.for_user(alice, north), {"category": "littering", "problem": "x"}
    )
    assert pre.category is None and pre.initial == {"title": "x", "problem": "x"}


def test_it_records_the_trigger_and_links_back(alice, north, north_org, picture):
    littering = Category.objects.get(collaboration=north, code="littering")
    r = _client(alice).post(
        "/interventions/quick/",
        {
            "title": "Extra emptying of bins at the square",
            "kind": "situational",
            "problem": "deviation in littering",
            "category": littering.pk,
            "place": picture.square.pk,
            "owner": north_org.pk,
            "starts_on": "2026-11-23",
            "status": "decided",
            "picture": str(picture.code),
            "trigger_text": "",
        },
    )
    iv = Intervention.objects.get()
    assert r.status_code == 302
    assert (iv.trigger_type, iv.trigger_code) == ("picture", str(picture.code))
    assert iv.trigger_text == prefill.trigger_text(picture, "deviation in littering")
    assert iv.problem == "deviation in littering"
    assert list(iv.categories.all()) == [littering]
    assert list(iv.places.all()) == [picture.square]
    assert iv.status == "decided"
    body = _client(alice).get(f"/interventions/{iv.code}/").content.decode()
    assert f'class="iv-trigger-picture" href="/pictures/{picture.code}/"' in body


def test_it_does_not_link_a_picture_that_is_not_visible(
    alice, north, north_org, foreign
):
    r = _client(alice).post(
        "/interventions/quick/",
        {
            "title": "Dialogue at the square",
            "kind": "dialogue",
            "owner": north_org.pk,
            "starts_on": "2026-11-23",
            "status": "decided",
            "picture": str(foreign["picture"].code),
        },
    )
    assert r.status_code == 302
    iv = Intervention.objects.get()
    assert (iv.trigger_type, iv.trigger_code, iv.trigger_text) == ("", "", "")
    # A link written by other means to a foreign picture is not shown either.
    Intervention.objects.filter(pk=iv.pk).update(
        trigger_type="picture",
        trigger_code=str(foreign["picture"].code),
        trigger_text="Elsewhere",
    )
    body = _client(alice).get(f"/interventions/{iv.code}/").content.decode()
    assert "Elsewhere" in body
    assert str(foreign["picture"].code) not in body


def test_it_refuses_quick_capture_to_readers(bob, picture):
    r = _client(bob).get("/interventions/quick/", {"picture": str(picture.code)})
    assert r.status_code == 404


def test_the_picture_page_offers_the_button_to_managers_only(
    alice, bob, anna, picture, west_area
):
    body = _client(alice).get(f"/pictures/{picture.code}/").content.decode()
    links = _quick_links(body)
    assert len(links) == 2
    deviation, place = (parse_qs(urlsplit(u).query) for u in links)
    assert urlsplit(links[0]).path == "/interventions/quick/"
    assert deviation["picture"] == [str(picture.code)]
    assert deviation["area"] == [str(west_area.code)]
    assert deviation["category"] == ["littering"]
    assert "12" in deviation["problem"][0]
    assert place["place"] == [str(picture.square.code)]
    assert place["picture"] == [str(picture.code)]
    # Following the link prefills what the link says.
    r = _client(alice).get(links[1])
    assert _selected(r.content.decode(), "place") == [str(picture.square.pk)]
    for reader in (bob, anna):
        body = _client(reader).get(f"/pictures/{picture.code}/").content.decode()
        assert _quick_links(body) == []
        assert "/interventions/quick/" not in body


def test_the_pdf_rendering_has_no_button(alice, north, picture):
    ctx = picture_context(picture, Access.for_user(alice, north))
    ctx.update({"print": True, "access": Access.for_user(alice, north)})
    text = render_to_string("pictures/print.html", ctx)
    assert "Torget" in text and "/interventions/quick/" not in text
    ctx["print"] = False
    assert "/interventions/quick/" in render_to_string("pictures/_body.html", ctx)
