"""Every page a demo user or the public can reach, in Chromium with the
Content-Security-Policy on, at 320 px (WCAG 1.4.10's reflow width) and at 1440 px.

Which pages: the crawl of samsyn/tests/test_demo_links.py (the same rules as the link
and markup crawls: links followed from each demo user's start page and from the
public pages; no sign-out, downloads, language switch, Django's admin or the API's
docs page), one page per URL pattern and user. On each page:

- axe-core (WCAG 2.0, 2.1 and 2.2 A/AA and axe's best practices): 0 violations;
- HTML_CodeSniffer (WCAG2AA): 0 errors;
- at 320 px, nothing scrolls sideways (1.4.10);
- every focusable element shows a focus indicator of at least 3:1 against the
  background around it (1.4.11) and is not wholly covered by a fixed or sticky
  element when it has the focus (2.4.11);
- every legend swatch has a colour, every chart (svg role=img, canvas, .chart) a text
  equivalent with its values (1.1.1), and every map its pan buttons, so that it
  moves without dragging (2.5.7).

The engines come from node_modules (pinned in package.json) and are added to each page
from a test-only same-origin path (/__a11y__/...) that the browser context answers
itself: the page's own policy (script-src 'self') admits them, so nothing is checked
with the policy off. A failure names the rule, the page and the element.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from samsyn.accounts.models import User
from samsyn.demo.load import DEMO_PASSWORD, DEMO_USERS, find_data_dir, load_demo
from samsyn.tests.test_demo_links import NOW, crawl, url_name

from .conftest import DESKTOP, PHONE, log_in, new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("offline_map"),
    pytest.mark.skipif(find_data_dir() is None, reason="no DeSO data"),
]

ROOT = Path(__file__).resolve().parents[2]
ENGINES = {
    "/__a11y__/axe.min.js": ROOT / "node_modules/axe-core/axe.min.js",
    "/__a11y__/HTMLCS.js": ROOT / "node_modules/html_codesniffer/build/HTMLCS.js",
}
AXE_TAGS = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
]
WIDTHS = {
    "320": {**PHONE, "viewport": {"width": 320, "height": 640}},
    "1440": DESKTOP,
}
# Each user's pages: the start page, then the pages the crawl reached, one per URL
# pattern. The public pages are the starts of the anonymous crawl.
PUBLIC_STARTS = [
    "/accounts/login/",
    "/accessibility/",
    "/feedback/public/{slug}/",
    "/residents/{slug}/report/",
]
# With SAMSYN_A11Y_SHOTS=<dir>, every page checked is saved there.
SHOTS_DIR = os.environ.get("SAMSYN_A11Y_SHOTS", "")

# HTML_CodeSniffer's one finding that is not a failure: the language select in the
# footer submits its form when Enter is pressed, not when the choice changes (the
# keyboard test test_the_language_menu_changes_nothing_until_enter proves that), so
# it is no change of context on input (WCAG 3.2.2). HTMLCS flags any form whose only
# submit button is inside <noscript>; this allows exactly that form, nothing else.
HTMLCS_ALLOWED = {("WCAG2AA.Principle3.Guideline3_2.3_2_2.H32.2", "#lang-form")}

CHECKS = Path(__file__).with_name("page_checks.js").read_text()


@pytest.fixture
def demo(transactional_db: Any, settings: Any) -> Any:
    """The demo (a thousand reports, its pictures, meetings, interventions, walks,
    residents' reports ...) committed, so that the live server sees it."""
    settings.SAMSYN_REQUIRE_2FA = False
    return load_demo(n_reports=1_000, seed=2026, now=NOW).collaboration


# The order the users are crawled in: the widest rights first. A URL pattern one user
# has reached is not checked again for the next (the layout, fields and tables are the
# pattern's; what differs by role is which links and buttons show), except the page
# each user starts on, which is built for the role.
ORDER = ["coordinator", "admin", "police", "analyst", "steering", "reporter"]


def reachable(demo: Any) -> dict[str | None, list[str]]:
    """Per demo user (None: the public), the pages to check: one per URL pattern."""
    assert sorted(ORDER) == sorted(DEMO_USERS)
    found: dict[str | None, list[str]] = {}
    for username in ORDER:
        client = Client()
        client.force_login(User.objects.get(username=username))
        found[username] = []
        crawl(client, "/", pages=found[username])
    found[None] = []
    for start in PUBLIC_STARTS:
        crawl(Client(), start.format(slug=demo.slug), pages=found[None])
    checked: set[str | None] = set()
    result: dict[str | None, list[str]] = {}
    for who, paths in found.items():
        result[who] = []
        # The public's few pages are all checked: signed out, their header differs.
        mine: set[str | None] = set()
        for i, path in enumerate(paths):
            name = url_name(path)
            if name in mine:
                continue
            if who is None or name not in checked or i == 0:
                mine.add(name)
                checked.add(name)
                result[who].append(path)
    return result


def serve_engines(context: Any) -> None:
    """The engines at a same-origin path the page's policy admits, for tests only:
    the browser context answers it, the app never serves it."""
    for path, source in ENGINES.items():
        if not source.exists():
            pytest.fail(
                f"{source.relative_to(ROOT)} is missing: `make setup` (npm ci) "
                "installs the devDependencies axe-core and html_codesniffer."
            )
        body = source.read_bytes()
        context.route(
            f"**{path}",
            lambda route, _request, body=body: route.fulfill(
                status=200, body=body, content_type="text/javascript"
            ),
        )


def check_page(page: Any, width: str) -> list[dict[str, str]]:
    for path in ENGINES:
        page.add_script_tag(url=path)
    # One key press first: focus moved by the checks then shows as it does for a
    # keyboard user (:focus-visible).
    page.keyboard.press("Shift")
    return page.evaluate(
        CHECKS,
        {"axeTags": AXE_TAGS, "narrow": width == "320"},
    )


def wait_for_maps(page: Any) -> None:
    page.wait_for_function(
        """() => [...document.querySelectorAll('.leaflet-container')].every(
             (el) => !el.dataset.areasUrl
               || (el.samsynMap && el.samsynMap.samsynAreasLoaded))"""
    )


def visit(
    browser: Any, base_url: str, who: str | None, paths: list[str], width: str
) -> tuple[list[str], int]:
    """The problems on `who`'s pages, and how many pages were checked."""
    context = new_context(browser, WIDTHS[width], base_url)
    serve_engines(context)
    page = context.new_page()
    problems = []
    checked = 0
    try:
        if who is not None:
            log_in(page, who, DEMO_PASSWORD)
        for path in paths:
            response = page.goto(path)
            if response is None or response.status != 200:
                status = response.status if response else None
                problems.append(f"[{width}] {who}: {path} answered {status}")
                continue
            policy = response.header_value("content-security-policy") or ""
            if "script-src 'self'" not in policy or "unsafe-inline" in policy:
                problems.append(f"[{width}] {who}: {path} without its policy")
                continue
            page.wait_for_load_state("load")
            wait_for_maps(page)
            checked += 1
            if SHOTS_DIR:
                Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
                name = (url_name(path) or "page").replace(":", "-")
                page.screenshot(
                    path=f"{SHOTS_DIR}/{who or 'public'}-{name}-{width}.png",
                    full_page=True,
                )
            for p in check_page(page, width):
                if (p["rule"], p["selector"]) in HTMLCS_ALLOWED:
                    continue
                problems.append(
                    f"[{width}] {p['rule']} on {path} ({who or 'public'}): "
                    f"{p['selector']}: {p['detail']}"
                )
    finally:
        context.close()
    return problems, checked


def test_every_page_every_user_reaches_passes_both_engines_and_the_layout_checks(
    browser: Any, live_server: Any, demo: Any
) -> None:
    pages = reachable(demo)
    problems: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for width in WIDTHS:
        counts[width] = {}
        for who, paths in pages.items():
            found, checked = visit(browser, live_server.url, who, paths, width)
            problems += found
            counts[width][who or "public"] = checked
        # In the run's log (pytest -s): how many pages each user had checked.
        print(f"pages checked at {width} px: {counts[width]}")  # noqa: T201
    for width, checked in counts.items():
        assert sum(checked.values()) >= 50, (width, checked)
        assert all(checked[u] >= 1 for u in DEMO_USERS), (width, checked)
        assert checked["public"] >= 4, (width, checked)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


SELF_TEST = """<!doctype html><html lang="en"><head><title>Checks</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  .flat:focus { outline: 2px solid #f2a900; outline-offset: 2px; }
  .bar { position: fixed; left: 0; right: 0; bottom: 0; height: 200px; background: #fff; }
  .low { position: absolute; top: 560px; }
  .wide { width: 330px; }
  .pic-legend i { display: inline-block; width: 8px; height: 8px; }
</style></head><body><main><h1>Checks</h1>
<a class="flat" href="#x">A pale ring</a>
<div class="wide">Too wide for a phone</div>
<p class="pic-legend"><i></i> A swatch without colour</p>
<svg role="img" aria-label="Reports per month" width="40" height="20"></svg>
<button class="low">Hidden under the bar</button>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">
<form action="/x" method="post"><label for="q">Q</label><input id="q" name="q"></form>
<div class="leaflet-container">A map that only drags</div>
<div class="bar"></div>
</main></body></html>"""


def test_each_check_reports_what_it_finds(browser: Any, live_server: Any) -> None:
    """The checks can fail, and say where: a page with one fault of each kind,
    served with a policy that, like the app's, admits only same-origin scripts."""
    context = new_context(browser, WIDTHS["320"], live_server.url)
    serve_engines(context)
    context.route(
        "**/__a11y__/self-test",
        lambda route, _request: route.fulfill(
            status=200,
            body=SELF_TEST,
            content_type="text/html",
            headers={
                "Content-Security-Policy": "script-src 'self'; style-src 'unsafe-inline'"
            },
        ),
    )
    page = context.new_page()
    page.goto("/__a11y__/self-test")
    found = {(p["rule"], p["selector"]) for p in check_page(page, "320")}
    context.close()

    def named(rule: str, element: str) -> bool:
        return any(r == rule and sel.endswith(element) for r, sel in found)

    assert named("focus contrast (WCAG 1.4.11)", "a.flat"), found
    assert named("focus not obscured (WCAG 2.4.11)", "button.low"), "\n".join(
        map(str, sorted(found))
    )
    assert named("reflow (WCAG 1.4.10)", "div.wide"), found
    assert named("legend colour (WCAG 1.4.1)", "p.pic-legend > i"), found
    assert named("chart text equivalent (WCAG 1.1.1)", "svg"), found
    assert named("axe image-alt", "img"), found
    assert named("map without dragging (WCAG 2.5.7)", "div.leaflet-container"), found
    assert any(r.startswith("WCAG2AA.") and s.endswith("img") for r, s in found), found
