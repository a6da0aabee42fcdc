"""Browser tests: Playwright's sync API driving Debian's Chromium against live_server.

Playwright's sync API runs an event loop in the test thread, so Django's ORM calls from
the test would be refused as "async unsafe"; the test thread never shares a connection
with the server thread, so allowing them is safe here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def ui_locale() -> str:
    """Swedish when its translations are compiled (the product's language), else English,
    so that screenshots never show a mix of the two."""
    mo = Path(__file__).resolve().parents[2] / "locale/sv/LC_MESSAGES/django.mo"
    return "sv-SE" if mo.exists() else "en-GB"


# Module scope: Playwright's event loop should not outlive the browser tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Browser tests need Debian's Chromium at /usr/bin/chromium "
            "(`make browser-deps` installs it)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Browser tests need the playwright Python package.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def offline_map(settings):  # type: ignore[no-untyped-def]
    """No internet in tests: the maps show areas and points on a plain background."""
    settings.SAMSYN_TILE_URL = ""


def new_context(browser: Any, device: dict[str, Any], base_url: str) -> Any:
    context = browser.new_context(
        base_url=base_url, locale=ui_locale(), timezone_id="Europe/Stockholm", **device
    )
    context.set_default_timeout(10_000)
    # The browser's clock starts at the suite's pinned "now" (conftest.py) and runs on
    # from there, so the page and the server agree on what today is.
    context.clock.install(time=timezone.now())
    return context


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:
        # Scrolled to the end, a sticky footer bar is drawn where it belongs in a
        # full-page capture (from the top, Chromium draws it mid-page).
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)
