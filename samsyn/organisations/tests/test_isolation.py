"""The access matrix: every URL × every principal, generated from the URL resolver.

Each URL name needs an entry in ROUTES saying what each principal gets. A new URL
without an entry fails `test_it_declares_every_url`, so new endpoints must be added
here. Besides the status codes, every response is searched for the codes of reports
that principal must not see: nothing of north may ever reach carl (south), and a
restricted police report never reaches bob, sam or adam.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import samsyn
from samsyn.areas.models import Area
from samsyn.reports.models import Report
from samsyn.tests.support import SQUARE_EAST, make_area, make_report

ANON, ALICE, BOB, PETRA, ANNA, SAM, ADAM, CARL = PRINCIPALS = (
    "anonymous",
    "alice",  # coordinator, north municipality
    "bob",  # reporter, north municipality
    "petra",  # reporter, north police
    "anna",  # analyst, north municipality
    "sam",  # steering, north municipality
    "adam",  # admin, north municipality
    "carl",  # coordinator of south
)
LOGIN = "login"  # a redirect to the login page
SKIP_PREFIXES = ("admin/", "static/", "media/")
SKIP_NAMES = {"api:openapi-json", "api:openapi-view", "api:api-root"}


def walk(patterns: list[Any], prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else p.namespace or ns
            found += walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else str(p.name)
            found.append((prefix + str(p.pattern), name))
    return found


def discovered() -> dict[str, str]:
    out = {}
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or name in SKIP_NAMES:
            continue
        out[name] = route
    return out


@dataclass
class World:
    public: Report  # physical-environment report by bob, owned by north kommun
    restricted: Report  # restricted physical report by petra's police organisation
    south: Report  # carl's collaboration
    users: dict[str, Any]
    orgs: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # objects made by app modules


@dataclass
class Route:
    method: str
    path: Callable[[World], str]
    expect: dict[str, int | str]
    data: Callable[[World], dict[str, Any]] | None = None
    json: bool = False


def everyone(value: int | str, anonymous: int | str = LOGIN, **overrides: Any):
    return {ANON: anonymous, **dict.fromkeys(PRINCIPALS[1:], value), **overrides}


def fresh_physical(w: World, *, restricted: bool = False) -> Report:
    org = w.orgs["police"] if restricted else w.orgs["kommun"]
    return make_report(
        org,
        category="unsafe_lighting",
        reporter=w.users[PETRA if restricted else BOB],
        owner=w.orgs["kommun"],
        restricted=restricted,
    )


def report_in_api(w: World) -> dict[str, Any]:
    return {"category": "gathering", "lat": 59.27, "lon": 15.20, "people_count": 4}


PAGE_NEEDS_CREATE = everyone(200, **{ANNA: 404, SAM: 404, ADAM: 404})
PAGE_NEEDS_CHECKLIST = everyone(404, **{ALICE: 200, ADAM: 200, CARL: 200})

ROUTES: dict[str, Route] = {
    "home": Route(
        "GET", lambda w: "/", everyone(200, **{BOB: 302, PETRA: 302})
    ),  # reporters start on the form
    "healthz": Route("GET", lambda w: "/healthz", everyone(200, anonymous=200)),
    # The accessibility statement is public (site-wide page in samsyn/views.py).
    "accessibility": Route(
        "GET", lambda w: "/accessibility/", everyone(200, anonymous=200)
    ),
    "switch_collaboration": Route(
        "POST",
        lambda w: "/collaboration/",
        everyone(302),
        data=lambda w: {"collaboration": "north", "next": "/reports/"},
    ),
    "set_language": Route(
        "POST",
        lambda w: "/i18n/setlang/",
        everyone(302, anonymous=302),
        data=lambda w: {"language": "en", "next": "/"},
    ),
    "accounts:login": Route("GET", lambda w: "/accounts/login/", everyone(200, 200)),
    "accounts:logout": Route("POST", lambda w: "/accounts/logout/", everyone(LOGIN)),
    "reports:map": Route("GET", lambda w: "/reports/", everyone(200)),
    "reports:new": Route("GET", lambda w: "/reports/new/", PAGE_NEEDS_CREATE),
    "reports:mine": Route("GET", lambda w: "/reports/mine/", PAGE_NEEDS_CREATE),
    "reports:checklist": Route(
        "GET", lambda w: "/reports/checklist/", PAGE_NEEDS_CHECKLIST
    ),
    "reports:category_new": Route(
        "GET", lambda w: "/reports/checklist/new/", PAGE_NEEDS_CHECKLIST
    ),
    # carl manages south's checklist, never north's categories.
    "reports:category_edit": Route(
        "GET",
        lambda w: f"/reports/checklist/{w.public.category_id}/",
        {**PAGE_NEEDS_CHECKLIST, CARL: 404},
    ),
    "reports:detail": Route(
        "GET", lambda w: f"/reports/{w.public.code}/", everyone(200, **{CARL: 404})
    ),
    # The owner organisation (north kommun) may change the status; steering may not;
    # petra belongs to the police; carl to another collaboration.
    "reports:status": Route(
        "POST",
        lambda w: f"/reports/{fresh_physical(w).code}/status/",
        everyone(302, **{PETRA: 404, SAM: 404, CARL: 404}),
        data=lambda w: {"status": "fixed"},
    ),
    "api:list_categories": Route(
        "GET", lambda w: "/api/v1/categories", everyone(200, anonymous=401)
    ),
    "api:create_report": Route(
        "POST",
        lambda w: "/api/v1/reports",
        everyone(201, anonymous=401, **{ANNA: 403, SAM: 403, ADAM: 403}),
        data=report_in_api,
        json=True,
    ),
    "api:list_reports": Route(
        "GET", lambda w: "/api/v1/reports", everyone(200, anonymous=401)
    ),
    "api:get_report": Route(
        "GET",
        lambda w: f"/api/v1/reports/{w.public.code}",
        everyone(200, anonymous=401, **{CARL: 404}),
    ),
    "api:post_status": Route(
        "POST",
        lambda w: f"/api/v1/reports/{fresh_physical(w).code}/status",
        everyone(200, anonymous=401, **{PETRA: 403, SAM: 403, CARL: 404}),
        data=lambda w: {"status": "fixed"},
        json=True,
    ),
    "api:ping": Route("GET", lambda w: "/api/v1/ping", everyone(200, anonymous=401)),
    "api:list_areas": Route(
        "GET", lambda w: "/api/v1/areas", everyone(200, anonymous=401)
    ),
    "api:list_places": Route(
        "GET", lambda w: "/api/v1/places", everyone(200, anonymous=401)
    ),
}

# Analyses: roles with VIEW_ANALYSIS (coordinator, analyst, steering) see their own
# collaboration's; reporters and admins are refused.
ANALYSIS = everyone(200, anonymous=401, **{BOB: 403, PETRA: 403, ADAM: 403})
for _name, _path in [
    ("weekly", "weekly"),
    ("hotspots", "hotspots"),
    ("density", "density"),
    ("emerging", "emerging"),
    ("near_repeat", "near-repeat"),
    ("evaluation", "evaluation?start=2026-06-01&lon=15.2&lat=59.27&control=E"),
    ("priority", "priority"),
]:
    ROUTES[f"api:analysis_{_name}"] = Route(
        "GET", lambda w, p=_path: f"/api/v1/analysis/{p}", ANALYSIS
    )

# Object URLs checked again with the restricted police report: only the police
# organisation itself, coordinators and analysts may see it.
RESTRICTED_ROUTES: dict[str, Route] = {
    "reports:detail": Route(
        "GET",
        lambda w: f"/reports/{w.restricted.code}/",
        {ANON: LOGIN, ALICE: 200, BOB: 404, PETRA: 200, ANNA: 200}
        | {SAM: 404, ADAM: 404, CARL: 404},
    ),
    "reports:status": Route(
        "POST",
        lambda w: f"/reports/{fresh_physical(w, restricted=True).code}/status/",
        {ANON: LOGIN, ALICE: 302, BOB: 404, PETRA: 404, ANNA: 302}
        | {SAM: 404, ADAM: 404, CARL: 404},
        data=lambda w: {"status": "fixed"},
    ),
    "api:get_report": Route(
        "GET",
        lambda w: f"/api/v1/reports/{w.restricted.code}",
        {ANON: 401, ALICE: 200, BOB: 404, PETRA: 200, ANNA: 200}
        | {SAM: 404, ADAM: 404, CARL: 404},
    ),
    "api:post_status": Route(
        "POST",
        lambda w: f"/api/v1/reports/{fresh_physical(w, restricted=True).code}/status",
        {ANON: 401, ALICE: 200, BOB: 404, PETRA: 403, ANNA: 200}
        | {SAM: 404, ADAM: 404, CARL: 404},
        data=lambda w: {"status": "fixed"},
        json=True,
    ),
}

# Whose eyes each report is for.
MAY_SEE_RESTRICTED = {ALICE, PETRA, ANNA}

# Apps declare their own URLs in samsyn/<app>/tests/access_routes.py, so that adding
# an app does not mean editing this file:
#   def routes(kit) -> dict[str, Route]            every URL name of the app
#   def restricted_routes(kit) -> dict[str, Route] (optional) URLs that take a code
#   def build(world, kit) -> None                  (optional) make objects in world.extra
# `kit` carries Route, everyone, LOGIN and the principals' names (ANON, ALICE, ...).
KIT = types.SimpleNamespace(
    Route=Route,
    everyone=everyone,
    LOGIN=LOGIN,
    PRINCIPALS=PRINCIPALS,
    ANON=ANON,
    ALICE=ALICE,
    BOB=BOB,
    PETRA=PETRA,
    ANNA=ANNA,
    SAM=SAM,
    ADAM=ADAM,
    CARL=CARL,
    make_report=make_report,
)


def app_route_modules() -> list[types.ModuleType]:
    found = []
    for info in sorted(pkgutil.iter_modules(samsyn.__path__), key=lambda i: i.name):
        tests = f"samsyn.{info.name}.tests"
        if not info.ispkg or importlib.util.find_spec(tests) is None:
            continue
        name = f"{tests}.access_routes"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


APP_MODULES = app_route_modules()
for _module in APP_MODULES:
    ROUTES.update(_module.routes(KIT))
    if hasattr(_module, "restricted_routes"):
        RESTRICTED_ROUTES.update(_module.restricted_routes(KIT))


@pytest.fixture
def world(
    north_org,
    north_police,
    south_org,
    east_area,
    alice,
    bob,
    petra,
    anna,
    sam,
    adam,
    carl,
) -> World:
    users = {
        ALICE: alice,
        BOB: bob,
        PETRA: petra,
        ANNA: anna,
        SAM: sam,
        ADAM: adam,
        CARL: carl,
    }
    orgs = {"kommun": north_org, "police": north_police, "south": south_org}
    # South has the same geography, so its analyses have a study area too.
    make_area(south_org.collaboration, ref="W", name="Väster")
    make_area(south_org.collaboration, ref="E", name="Öster", geometry=SQUARE_EAST)
    w = World(
        public=None,  # type: ignore[arg-type]
        restricted=None,  # type: ignore[arg-type]
        south=make_report(south_org, reporter=carl),
        users=users,
        orgs=orgs,
    )
    w.public = fresh_physical(w)
    w.restricted = fresh_physical(w, restricted=True)
    for module in APP_MODULES:
        if hasattr(module, "build"):
            module.build(w, KIT)
    return w


def invisible_codes(w: World, principal: str) -> set[str]:
    """Codes of every report the principal must never be shown."""
    south = str(w.south.code)
    north = {str(r.code) for r in Report.objects.filter(collaboration__slug="north")}
    if principal == ANON:
        return north | {south}
    if principal == CARL:
        return north
    hidden = {south}
    if principal not in MAY_SEE_RESTRICTED:
        hidden |= {
            str(r.code)
            for r in Report.objects.filter(collaboration__slug="north", restricted=True)
        }
    return hidden


def request(w: World, route: Route, principal: str) -> Any:
    client = Client()
    if principal != ANON:
        client.force_login(w.users[principal])
    path = route.path(w)
    if route.method == "GET":
        return client.get(path)
    data = route.data(w) if route.data else {}
    if route.json:
        return client.post(path, json.dumps(data), content_type="application/json")
    return client.post(path, data)


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def check_matrix(w: World, route: Route) -> None:
    got, leaks = {}, {}
    for principal in PRINCIPALS:
        response = request(w, route, principal)
        got[principal] = outcome(response)
        # PDFs and other binary answers are searched as text too (codes are ASCII).
        body = response.content.decode(errors="replace")
        leaked = {c for c in invisible_codes(w, principal) if c in body}
        if leaked:
            leaks[principal] = leaked
    assert got == route.expect
    assert leaks == {}


def test_it_declares_every_url():
    names = set(discovered())
    missing = names - set(ROUTES)
    assert not missing, (
        f"URL(s) without an access expectation: {sorted(missing)}. Declare them in "
        "the app's tests/access_routes.py (see APP_MODULES in this file)."
    )
    assert set(ROUTES) - names == set(), "ROUTES names URLs that no longer exist"
    assert set(RESTRICTED_ROUTES) <= set(ROUTES)


def test_it_covers_every_url_that_takes_a_code():
    with_code = {n for n, route in discovered().items() if "code" in route}
    assert with_code == set(RESTRICTED_ROUTES)


@pytest.mark.parametrize("name", sorted(discovered()))
def test_it_answers_each_principal_as_declared(world, name):
    assert name in ROUTES, f"{name} has no entry in ROUTES"
    check_matrix(world, ROUTES[name])


@pytest.mark.parametrize("name", sorted(RESTRICTED_ROUTES))
def test_it_guards_restricted_reports_on_object_urls(world, name):
    check_matrix(world, RESTRICTED_ROUTES[name])


def page_total(body: str) -> int:
    match = re.search(r'data-total="(\d+)"', body)
    assert match, "the map page shows its count in data-total"
    return int(match.group(1))


@pytest.mark.parametrize(
    "principal", [ALICE, BOB, PETRA, ANNA, SAM, ADAM], ids=lambda p: p
)
def test_it_shows_restricted_reports_only_to_those_allowed(world, principal):
    sees = principal in MAY_SEE_RESTRICTED
    code = str(world.restricted.code)
    client = Client()
    client.force_login(world.users[principal])

    page = client.get("/reports/").content.decode()
    assert (code in page) is sees
    assert page_total(page) == (2 if sees else 1)

    api = client.get("/api/v1/reports").json()
    assert (code in {f["id"] for f in api["features"]}) is sees
    assert api["numberReturned"] == (2 if sees else 1)

    detail = client.get(f"/api/v1/reports/{code}")
    assert detail.status_code == (200 if sees else 404)

    home = client.get("/")
    if home.status_code == 200:  # reporters are sent on to the form
        body = home.content.decode()
        assert (code in body) is sees
        assert home.context["open_issues"] == (2 if sees else 1)


def test_it_gives_another_collaboration_empty_lists(world):
    client = Client()
    client.force_login(world.users[CARL])
    api = client.get("/api/v1/reports").json()
    assert [f["id"] for f in api["features"]] == [str(world.south.code)]
    page = client.get("/reports/").content.decode()
    assert page_total(page) == 1
    assert client.get("/").context["open_issues"] == 0
    areas = client.get("/api/v1/areas").json()
    south_areas = Area.objects.filter(collaboration__slug="south")
    assert {f["id"] for f in areas["features"]} == {str(a.code) for a in south_areas}
    categories = client.get("/api/v1/categories").json()
    assert len(categories) == 20  # south's own checklist, not north's as well


def test_it_ignores_a_session_pointing_at_a_foreign_collaboration(world):
    client = Client()
    client.force_login(world.users[CARL])
    client.post("/collaboration/", {"collaboration": "north"})
    api = client.get("/api/v1/reports").json()
    assert [f["id"] for f in api["features"]] == [str(world.south.code)]
    assert client.get(f"/reports/{world.public.code}/").status_code == 404
