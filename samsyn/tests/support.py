"""Factories and small helpers for tests (factory_boy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import factory
from django.db import transaction
from django.test import Client
from django.utils import timezone

from samsyn.accounts.models import ApiToken, User
from samsyn.areas.models import Area
from samsyn.lib.geo import area_km2, to_sweref
from samsyn.organisations.actions import seed_checklist
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.reports.models import Category, Report

# A small square in central Örebro and its neighbour to the east (WGS84).
SQUARE_WEST = {
    "type": "Polygon",
    "coordinates": [
        [[15.19, 59.26], [15.21, 59.26], [15.21, 59.28], [15.19, 59.28], [15.19, 59.26]]
    ],
}
SQUARE_EAST = {
    "type": "Polygon",
    "coordinates": [
        [[15.21, 59.26], [15.23, 59.26], [15.23, 59.28], [15.21, 59.28], [15.21, 59.26]]
    ],
}
INSIDE_WEST = (15.20, 59.27)  # lon, lat
INSIDE_EAST = (15.22, 59.27)


class CollaborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaboration
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"collab-{n}")
    name = factory.Sequence(lambda n: f"Samverkan {n}")
    municipality_code = "1880"

    @factory.post_generation
    def checklist(
        self: Collaboration, create: bool, extracted: Any, **kwargs: Any
    ) -> None:
        if create and extracted is not False:
            seed_checklist(self)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    collaboration = factory.SubFactory(CollaborationFactory)
    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


def member(organisation: Organisation, role: str, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_area(
    collaboration: Collaboration,
    *,
    ref: str = "A1",
    name: str = "Väster",
    geometry: dict[str, Any] | None = None,
    level: str = Area.Level.AREA,
    parent: Area | None = None,
) -> Area:
    geometry = geometry or SQUARE_WEST
    ring = geometry["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    area = Area.objects.create(
        collaboration=collaboration,
        level=level,
        ref=ref,
        name=name,
        geometry=geometry,
        min_lon=min(lons),
        max_lon=max(lons),
        min_lat=min(lats),
        max_lat=max(lats),
        area_km2=area_km2(geometry),
        parent=parent,
    )
    Collaboration.objects.filter(pk=collaboration.pk).update(
        areas_version=collaboration.areas_version + 1
    )
    collaboration.refresh_from_db(fields=["areas_version"])
    return area


def make_report(
    organisation: Organisation, *, category: str = "gathering", **overrides: Any
) -> Report:
    collab = organisation.collaboration
    lon, lat = overrides.pop("lonlat", INSIDE_WEST)
    x, y = to_sweref(lon, lat)
    cat = Category.objects.get(collaboration=collab, code=category)
    values: dict[str, Any] = {
        "collaboration": collab,
        "organisation": organisation,
        "category": cat,
        "occurred_at": timezone.now() - timedelta(hours=1),
        "lon": lon,
        "lat": lat,
        "x": x,
        "y": y,
        "area_id": Area.locate_id(collab, lon, lat),
        "status": Report.Status.REPORTED if cat.physical_environment else "",
    }
    values.update(overrides)
    return Report.objects.create(**values)


def api_client(user: User, *, read_only: bool = False, **headers: str) -> Client:
    """A test client that authenticates with a fresh API token of ``user``."""
    _token, raw = ApiToken.issue(user, read_only=read_only)
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


_NO_NAME_NEEDED = {"hidden", "submit", "button", "reset", "image"}


def markup_faults(html: str) -> list[str]:
    """What a page's markup gets wrong for assistive technology, one line per fault.

    Ids are unique; every `aria-describedby`, `aria-labelledby` and `label for`
    names an id on the page; every form control has a name (a label, aria-label,
    aria-labelledby or title); a group of checkboxes or radio buttons sits in a
    fieldset; every data table sits in the one scroll wrapper `.table-wrap`, so a
    wide table scrolls inside it instead of widening the page; no style attribute
    (the content policy refuses them, so a colour set there never shows).
    """
    from html.parser import HTMLParser

    class Page(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.ids: dict[str, int] = {}
            self.refs: list[tuple[str, str, str]] = []
            self.controls: list[tuple[str, dict[str, str], bool]] = []
            self.label_for: set[str] = set()
            self.stack: list[tuple[str, dict[str, str]]] = []
            self.tables: list[str] = []
            self.choices: dict[str, list[bool]] = {}
            self.styled: list[str] = []

        def handle_startendtag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            self.handle_starttag(tag, attrs)
            if self.stack and self.stack[-1][0] == tag:
                self.stack.pop()

        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            a = {k: v or "" for k, v in attrs}
            if "style" in a:
                self.styled.append(tag)
            if "id" in a:
                self.ids[a["id"]] = self.ids.get(a["id"], 0) + 1
            for attr in ("aria-describedby", "aria-labelledby"):
                for ref in a.get(attr, "").split():
                    self.refs.append((tag, attr, ref))
            if tag == "label" and "for" in a:
                if not a["for"]:
                    self.refs.append(("label", "for", ""))
                else:
                    self.refs.append(("label", "for", a["for"]))
                    self.label_for.add(a["for"])
            in_label = any(t == "label" for t, _ in self.stack)
            if tag in ("select", "textarea") or (
                tag == "input" and a.get("type", "text") not in _NO_NAME_NEEDED
            ):
                self.controls.append((tag, a, in_label))
            if (
                tag == "input"
                and a.get("type") in ("checkbox", "radio")
                and a.get("name")
            ):
                grouped = any(
                    t == "fieldset" or x.get("role") in ("group", "radiogroup")
                    for t, x in self.stack
                )
                self.choices.setdefault(a["name"], []).append(grouped)
            if tag == "table":
                wrapped = any(
                    "table-wrap" in x.get("class", "").split() for _, x in self.stack
                )
                if not wrapped and a.get("role") != "presentation":
                    self.tables.append(a.get("class", "") or a.get("id", "") or "table")
            if tag not in (
                "input",
                "br",
                "img",
                "meta",
                "link",
                "hr",
                "source",
                "col",
                "wbr",
            ):
                self.stack.append((tag, a))

        def handle_endtag(self, tag: str) -> None:
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break

    page = Page()
    page.feed(html)
    faults = [f"id {i!r} is used {n} times" for i, n in page.ids.items() if n > 1]
    for tag, attr, ref in page.refs:
        if ref not in page.ids:
            faults.append(f"<{tag} {attr}={ref!r}> names no element on the page")
    for tag, a, in_label in page.controls:
        named = (
            in_label
            or a.get("id", "\0") in page.label_for
            or a.get("aria-label")
            or a.get("aria-labelledby")
            or a.get("title")
        )
        if not named:
            faults.append(
                f"<{tag} name={a.get('name')!r} id={a.get('id')!r}> has no label"
            )
    faults += [f"<table class={t!r}> is outside .table-wrap" for t in page.tables]
    faults += [
        f"<{tag} style> is refused by the content policy (a legend without colours)"
        for tag in page.styled
    ]
    faults += [
        f"the choices {name!r} are not grouped in a fieldset with a legend"
        for name, grouped in page.choices.items()
        if len(grouped) > 1 and not all(grouped)
    ]
    return faults


def help_faults(html: str) -> list[str]:
    """Help is found in the same place on every page (WCAG 3.2.6): each full page
    (one with <main>) ends with the footer that links the accessibility statement,
    which says how to get help and whom to contact."""
    if "<main" not in html:
        return []
    footer = html.rfind('<footer class="footer"')
    if footer < html.find("<main") or 'href="/accessibility/"' not in html[footer:]:
        return ["no footer with the accessibility statement (help and contact)"]
    return []


# WCAG success criteria the automated tests hold at zero faults, and where. The
# accessibility statement may not list one of these as a known shortcoming.
TESTED_CRITERIA: dict[str, str] = {
    "1.1.1": "samsyn/tests/test_text_equivalents.py (charts give their values)",
    "1.3.1": "samsyn/tests/test_page_markup.py (hints, labels, fieldsets)",
    "1.4.1": "samsyn/tests/test_page_markup.py (no style attribute the policy refuses)",
    "1.4.10": "samsyn/tests/test_page_markup.py (tables in .table-wrap) and "
    "tests/browser/test_every_page.py (nothing scrolls sideways at 320 px)",
    "1.4.11": "samsyn/tests/test_focus_style.py and tests/browser/test_every_page.py",
    "2.4.11": "samsyn/tests/test_wcag22.py (scroll padding under the send bar) and "
    "tests/browser/test_every_page.py (no focused element under a fixed bar)",
    "2.5.7": "tests/browser/test_every_page.py (every map has pan buttons) and "
    "tests/browser/test_keyboard.py (a map moved with them)",
    "2.5.8": "samsyn/tests/test_wcag22.py",
    "3.1.2": "samsyn/tests/test_text_equivalents.py (stored text carries its language)",
    "3.2.6": "samsyn/tests/test_page_markup.py (help in the footer of every page)",
    "3.3.7": "samsyn/tests/test_redundant_entry.py",
    "3.3.8": "samsyn/tests/test_wcag22.py",
    "4.1.2": "samsyn/tests/test_page_markup.py, tests/browser/test_accessibility.py "
    "and tests/browser/test_every_page.py (axe-core and HTML_CodeSniffer)",
}


@contextmanager
def demo_in_rollback(
    django_db_blocker: Any, tmp_path_factory: Any, *, n_reports: int, now: datetime
) -> Iterator[Any]:
    """The Örebro demo loaded once for a module, in a transaction that is rolled back
    afterwards (module-scoped fixtures cannot use the `db` fixture). Yields the
    loader's result (`.collaboration`, `.data.truths`)."""
    from samsyn.demo.load import load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo(
                n_reports=n_reports,
                seed=2026,
                now=now,
                truths_path=tmp_path_factory.mktemp("demo") / "truths.json",
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
