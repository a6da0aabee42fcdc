"""Areas are shown by name wherever people look; an SCB code is at most secondary.

A crawl of the demo (samsyn.tests.test_demo_links.crawl) as each demo user and from
the public pages: no page's visible text carries a DeSO or RegSO code (1880C1410,
1880R032) or "Område R032", except in secondary places: grey text (class "muted"),
<code>, and attributes such as title. Every demo area has a name that is not its code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.demo.load import find_data_dir
from samsyn.tests.support import demo_in_rollback
from samsyn.tests.test_demo_links import NOW, crawl

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")

CODE = re.compile(r"\b1880[A-CR]\d{3,4}\b|Område R\d{3}")
# Text inside these is secondary (or not text at all).
SECONDARY_TAGS = {"code", "script", "style", "textarea", "title", "template"}
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr", "area"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # is this element secondary?
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        secondary = tag in SECONDARY_TAGS or "muted" in classes
        self.stack.append(secondary or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


# A code in brackets after a name ("Inre norr 2 B (1880C1410)", e.g. in a select's
# options, which cannot be grey) is secondary too.
AFTER_NAME = re.compile(r"(\w[^()\n]*?)\s\((?:1880[A-CR]\d{3,4})\)")


def bare_codes(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = AFTER_NAME.sub(r"\1", " ".join(parser.text))
    return sorted(set(CODE.findall(text)))


def test_the_checker_sees_codes_only_where_they_are_primary() -> None:
    assert bare_codes("<td>1880C1410</td><p>Område R032</p>") == [
        "1880C1410",
        "Område R032",
    ]
    assert (
        bare_codes(
            '<td>Vivalla <span class="muted">1880C1410</span></td>'
            '<code>1880R032</code><a title="1880C1410">Vivalla</a>'
            "<option>Vivalla (1880C1410)</option>"
        )
        == []
    )
    assert bare_codes("<option>(1880C1410)</option>") == ["1880C1410"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=1_000, now=NOW
    ) as result:
        yield result.collaboration


@pytest.mark.django_db
def test_every_demo_area_has_a_name_that_is_not_its_code(demo) -> None:  # type: ignore[no-untyped-def]
    areas = list(Area.objects.filter(collaboration=demo))
    assert len(areas) == 91 + 36
    for area in areas:
        assert area.name and area.ref not in area.name
        assert not CODE.search(area.name), area.name


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["coordinator", "reporter"])
def test_no_page_shows_an_area_code_as_its_name(demo, settings, username: str) -> None:  # type: ignore[no-untyped-def]
    settings.SAMSYN_REQUIRE_2FA = False
    settings.SAMSYN_TILE_URL = ""
    client = Client(headers={"accept-language": "sv"})
    client.force_login(User.objects.get(username=username))

    def check(html: str) -> list[str]:
        return [f"shows {c}" for c in bare_codes(html)]

    fetched, faults = crawl(client, "/", check=check)
    assert faults == [], "\n".join(faults)
    assert fetched > (25 if username == "coordinator" else 5)


@pytest.mark.django_db
def test_the_public_pages_name_their_areas(demo) -> None:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "sv"})
    for path in [
        reverse("feedback:public", args=[demo.slug]),
        reverse("residents:report", args=[demo.slug]),
    ]:
        response = client.get(path)
        if response.status_code == 200:
            assert bare_codes(response.content.decode()) == [], path
