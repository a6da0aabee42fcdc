"""WCAG 2.2 beyond the law: accessible authentication (3.3.8), target size (2.5.8),
focus not obscured by the sticky send bar (2.4.11), and help found in the same place
on every page (3.2.6). The crawl in test_page_markup.py checks the last on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from samsyn.tests.support import help_faults

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static/css/site.css").read_text()


def _attrs(html: str, name: str) -> dict[str, str]:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)))


@pytest.mark.django_db
def test_sign_in_lets_password_managers_fill_and_paste_in() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert _attrs(html, "username")["autocomplete"] == "username"
    assert _attrs(html, "password")["autocomplete"] == "current-password"
    assert not re.search(r"on(paste|copy|cut)=", html)


def test_the_two_factor_code_can_be_filled_in_by_the_phone() -> None:
    from samsyn.accounts.forms import OtpForm

    html = str(OtpForm()["token"])
    assert 'autocomplete="one-time-code"' in html
    assert "onpaste" not in html


def test_no_script_blocks_pasting() -> None:
    for script in (ROOT / "static/js").glob("*.js"):
        text = script.read_text()
        assert not re.search(r"""["']paste["']|onpaste""", text), script.name


def test_checkboxes_and_radio_buttons_are_at_least_24_px() -> None:
    rule = re.search(r"input\[type=checkbox\], input\[type=radio\] {([^}]*)}", CSS)
    assert rule
    assert "width: 1.5rem" in rule.group(1) and "height: 1.5rem" in rule.group(1)
    # No later rule makes them smaller again.
    for body in re.findall(r"[^{}]*input[^{}]*{([^}]*)}", CSS):
        for size in re.findall(r"(?:width|height):\s*(\d+)px", body):
            assert int(size) >= 24 or "type=" not in body


def test_focus_scrolls_clear_of_the_sticky_send_bar() -> None:
    assert (
        "html:has(.submit-bar) { scroll-padding-bottom: calc(var(--submit-bar-height)"
        in CSS
    )
    bar = re.search(r"\.submit-bar {([^}]*)}", CSS)
    assert bar and "min-height: var(--submit-bar-height)" in bar.group(1)


def test_the_help_check_finds_a_page_without_it() -> None:
    assert help_faults("<main><h1>x</h1></main>") == [
        "no footer with the accessibility statement (help and contact)"
    ]
    assert (
        help_faults(
            '<main></main><footer class="footer"><a href="/accessibility/">x</a></footer>'
        )
        == []
    )
    assert help_faults("<p>an embedded widget without main</p>") == []
