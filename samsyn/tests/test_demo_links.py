"""Every link the app shows works: a crawl of the demo as each demo user.

The demo (3,000 reports, with its pictures, meetings, decisions, interventions,
walks, surveys and residents' reports) is loaded once for this module inside a
transaction that is rolled back afterwards. Then, for each demo role and for an
anonymous visitor, every page reachable by following links from the start page is
fetched (up to two pages per URL name, so a list of a thousand reports costs two
fetches, not a thousand). A link that answers anything but 200, or a redirect to a
page that does, is a fault: the app showed someone a link they cannot follow.

Not followed: PDFs and file downloads (built and checked by their own tests),
sign-out, the language switch, Django's admin and the API's docs page.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from samsyn.accounts.models import User
from samsyn.demo.load import DEMO_USERS, find_data_dir
from samsyn.tests.support import demo_in_rollback

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
PER_NAME = 2
MAX_PAGES = 400
SKIP = re.compile(
    r"^/(static|media|admin|i18n)/|/accounts/logout|/api/v1/docs|/pdf/?(\?|$)|/download/?(\?|$)"
    r"|\.(csv|xlsx|geojson|ics|pdf)(\?|$)|[?&]format=(csv|xlsx|geojson)"
)
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)', re.I)

pytestmark = pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with demo_in_rollback(
        django_db_blocker, tmp_path_factory, n_reports=3_000, now=NOW
    ) as result:
        yield result.collaboration


def _name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def url_name(path: str) -> str | None:
    """The URL pattern a path belongs to (its view's name): the key by which the
    crawls keep a few pages of a kind instead of a thousand report pages."""
    return _name(path)


def crawl(
    client: Client,
    start: str,
    check: Callable[[str], list[str]] | None = None,
    pages: list[str] | None = None,
) -> tuple[int, list[str]]:
    """Pages fetched, and every fault as "page ← where its link was".

    ``check``, given a page's HTML, returns what is wrong with it; each becomes a
    fault "path: what". ``pages``, when given, receives the path of every HTML page
    reached (the browser crawl in tests/browser/test_every_page.py visits these).
    """
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen: set[str] = set()
    per_name: dict[str | None, int] = {}
    faults: list[str] = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path, source = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        name = _name(path)
        if per_name.get(name, 0) >= PER_NAME:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        response = client.get(path)
        fetched += 1
        if response.status_code in (301, 302):
            queue.appendleft((response["Location"], path))
            continue
        if response.status_code != 200:
            faults.append(f"{response.status_code} {path} ← {source}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if pages is not None:
            pages.append(path)
        if check is not None:
            faults += [f"{path}: {fault}" for fault in check(html)]
        for href in HREF.findall(html):
            href = unescape(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue  # another site, mailto:, a fragment
            queue.append((href, path))
    return fetched, faults


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(DEMO_USERS))
def test_every_link_a_demo_user_sees_works(demo, settings, username: str) -> None:  # type: ignore[no-untyped-def]
    settings.SAMSYN_REQUIRE_2FA = False
    settings.SAMSYN_TILE_URL = ""
    client = Client()
    client.force_login(User.objects.get(username=username))
    fetched, faults = crawl(client, "/")
    assert faults == [], "\n".join(faults)
    # The crawl reached the app, not only a redirect; a reporter's own short menu
    # (report, my reports, check-in, notifications) leads to fewer pages.
    assert fetched > (5 if username == "reporter" else 25)


@pytest.mark.django_db
def test_every_link_an_anonymous_visitor_sees_works(demo, settings) -> None:  # type: ignore[no-untyped-def]
    starts = [
        "/accounts/login/",
        "/accessibility/",
        reverse("feedback:public", args=[demo.slug]),
        reverse("residents:report", args=[demo.slug]),
    ]
    for start in starts:
        fetched, faults = crawl(Client(), start)
        assert faults == [], "\n".join(faults)
        assert fetched >= 1
