"""The accessibility statement: public, in DIGG's structure, with the configured contact,
and linked from the footer of every page, the public ones included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.views import DIGG_REPORT_URL


@pytest.mark.django_db
def test_it_is_public_and_names_the_contact_and_the_supervisor(settings: Any) -> None:
    settings.SAMSYN_ACCESSIBILITY_CONTACT = "tillganglighet@kommun.example"
    response = Client().get("/accessibility/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="mailto:tillganglighet@kommun.example"' in body
    assert DIGG_REPORT_URL in body
    # DIGG's sections, in order: status, contact, reporting, enforcement, technical
    # information with the known shortcomings, how it was tested.
    ids = ["status", "contact", "report", "enforcement", "technical", "testing"]
    positions = [body.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert "axe-core" in body


@pytest.mark.django_db
def test_the_contact_defaults_to_the_sites_own_address() -> None:
    from django.conf import settings

    body = Client().get("/accessibility/").content.decode()
    assert f"mailto:{settings.SAMSYN_ACCESSIBILITY_CONTACT}" in body
    assert settings.SAMSYN_ACCESSIBILITY_CONTACT


def test_the_setting_falls_back_to_the_from_address(monkeypatch: Any) -> None:
    import importlib

    import samsyn.settings as module

    monkeypatch.delenv("SAMSYN_ACCESSIBILITY_CONTACT", raising=False)
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "est@orebro.example")
    try:
        assert importlib.reload(module).SAMSYN_ACCESSIBILITY_CONTACT == (
            "est@orebro.example"
        )
        monkeypatch.setenv("SAMSYN_ACCESSIBILITY_CONTACT", "a11y@orebro.example")
        assert importlib.reload(module).SAMSYN_ACCESSIBILITY_CONTACT == (
            "a11y@orebro.example"
        )
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.django_db
def test_every_kind_of_page_links_to_it(north: Any, bob: Any) -> None:
    PublicFeedbackSettings.objects.create(collaboration=north, enabled=True)
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(bob)
    pages = [
        (anonymous, "/accounts/login/"),
        (anonymous, "/feedback/public/north/"),
        (anonymous, "/feedback/public/north/embed/"),
        (signed_in, "/reports/new/"),
        (signed_in, "/reports/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'href="/accessibility/"' in response.content.decode(), path


@pytest.mark.django_db
def test_it_gives_the_configured_review_date(settings: Any) -> None:
    from datetime import date

    settings.SAMSYN_ACCESSIBILITY_REVIEWED = date(2027, 3, 5)
    body = Client().get("/accessibility/").content.decode()
    # Reviewed and updated, in the language of the page (English under test).
    assert body.count("5 March 2027") + body.count("5 mars 2027") == 2


def test_a_review_date_that_is_not_a_date_is_refused(monkeypatch: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from samsyn.settings import env_date

    monkeypatch.setenv("SAMSYN_ACCESSIBILITY_REVIEWED", "22/11/2026")
    with pytest.raises(ImproperlyConfigured, match="YYYY-MM-DD"):
        env_date("SAMSYN_ACCESSIBILITY_REVIEWED", "2026-11-22")
    monkeypatch.setenv("SAMSYN_ACCESSIBILITY_REVIEWED", "2026-11-01")
    assert str(env_date("SAMSYN_ACCESSIBILITY_REVIEWED", "2026-11-22")) == "2026-11-01"


@pytest.mark.django_db
def test_its_known_shortcomings_are_exactly_the_untested_ones(settings: Any) -> None:
    """What the statement says does not comply is rendered with its WCAG criterion,
    and none of it is a criterion the automated tests hold at zero: a fixed
    shortcoming comes off the list when its test arrives."""
    from samsyn.tests.support import TESTED_CRITERIA
    from samsyn.views import KNOWN_SHORTCOMINGS

    settings.LANGUAGE_CODE = "en"
    body = Client().get("/accessibility/").content.decode()
    listed = re.findall(r'data-criterion="([\d.]+)"', body)
    assert listed == [c for c, _ in KNOWN_SHORTCOMINGS]
    assert not set(listed) & set(TESTED_CRITERIA)
    for criterion in listed:
        assert f"WCAG success criterion {criterion}" in body
    # DIGG's model: what does not comply, the burden claimed, what is out of scope,
    # how to report, and how to reach DIGG (its form and its site).
    for section in (
        "non-compliance",
        "burden",
        "out-of-scope",
        "report",
        "enforcement",
    ):
        assert f'id="{section}"' in body
    assert "Anmäl brister i tillgänglighet" in body
    assert 'href="https://www.digg.se"' in body
    assert "WCAG 2.2" in body
