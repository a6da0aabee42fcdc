"""Every page a demo user or the public can reach has markup assistive technology can use.

A crawl (samsyn.tests.test_demo_links.crawl), not a hand-kept list: from the start
page, as each demo user and as an anonymous visitor, every page reachable by links is
checked by samsyn.tests.support.markup_faults: no id twice, every aria-describedby,
aria-labelledby and label names an element that exists, every control has a name,
every group of checkboxes or radio buttons is a fieldset, every data table sits
in the one scroll wrapper, and help (the footer with the accessibility statement)
is in the same place on every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from samsyn.accounts.models import User
from samsyn.demo.load import DEMO_USERS, find_data_dir
from samsyn.tests.support import demo_in_rollback, help_faults, markup_faults
from samsyn.tests.test_demo_links import NOW, crawl

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=1_000, now=NOW
    ) as result:
        yield result.collaboration


def _faults(html: str) -> list[str]:
    return markup_faults(html) + help_faults(html)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(DEMO_USERS))
def test_every_page_a_demo_user_sees_has_sound_markup(
    demo, settings, username: str
) -> None:  # type: ignore[no-untyped-def]
    settings.SAMSYN_REQUIRE_2FA = False
    settings.SAMSYN_TILE_URL = ""
    client = Client()
    client.force_login(User.objects.get(username=username))
    fetched, faults = crawl(client, "/", check=_faults)
    assert faults == [], "\n".join(faults)
    # The crawl reached the app, not only a redirect; a reporter's own short menu
    # (report, my reports, check-in, notifications) leads to fewer pages.
    assert fetched > (5 if username == "reporter" else 25)


@pytest.mark.django_db
def test_every_public_page_has_sound_markup(demo) -> None:  # type: ignore[no-untyped-def]
    for start in [
        "/accounts/login/",
        "/accessibility/",
        reverse("feedback:public", args=[demo.slug]),
        reverse("residents:report", args=[demo.slug]),
    ]:
        fetched, faults = crawl(Client(), start, check=_faults)
        assert faults == [], "\n".join(faults)
        assert fetched >= 1


def test_the_checker_finds_each_kind_of_fault() -> None:
    html = """
    <p id="a"></p><p id="a"></p>
    <input id="id_x" name="x" aria-describedby="id_x_helptext">
    <label for="">Empty</label>
    <table class="table"><tr><td>1</td></tr></table>
    <div class="table-wrap"><table class="table"><tr><td>1</td></tr></table></div>
    <label>Wrapped <input name="ok"></label>
    <label><input type="checkbox" name="c" value="1"> A</label>
    <label><input type="checkbox" name="c" value="2"> B</label>
    <fieldset><legend>G</legend><label><input type="radio" name="r"> A</label>
    <label><input type="radio" name="r"> B</label></fieldset>
    <i style="background:#4caf50"></i>
    """
    faults = markup_faults(html)
    assert faults == [
        "id 'a' is used 2 times",
        "<input aria-describedby='id_x_helptext'> names no element on the page",
        "<label for=''> names no element on the page",
        "<input name='x' id='id_x'> has no label",
        "<table class='table'> is outside .table-wrap",
        "<i style> is refused by the content policy (a legend without colours)",
        "the choices 'c' are not grouped in a fieldset with a legend",
    ]
