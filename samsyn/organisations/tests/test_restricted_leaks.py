"""Restricted reports never leak to people who may not see them.

The main test is differential: every endpoint that lists, counts, maps, exports,
analyses or summarises reports is read by a person without the right to see
restricted reports (sam, steering group; bob, reporter; an anonymous visitor; an
Open311 client), then 20 restricted police reports are added at a place of their own,
with a marker in the text, and the endpoint is read again. The two answers must be the
same: not only no code or text, but no count, cell or bin that moved. A control reads
the same endpoint as alice (coordinator, who may see them) and requires a change, so
the test would notice if the restricted reports were not in the endpoint's data at all.

Situation pictures and the annual report count restricted reports by design (counts
only, see samsyn/pictures/models.py); for them the test checks that no restricted
detail (code, place, text, point) reaches the page, the PDF, the API, the export or
the weekly digest e-mail. The audit part checks that views of restricted reports and
exports are logged with who, what, when and from where.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.accounts.models import ApiToken
from samsyn.areas.models import Area, Place
from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.integrations.actions import create_open311_key
from samsyn.lib.geo import to_sweref
from samsyn.organisations.access import Access
from samsyn.organisations.models import AuditEvent, Membership
from samsyn.reports.models import Report
from samsyn.tests.support import (
    INSIDE_EAST,
    INSIDE_WEST,
    api_client,
    make_report,
    member,
)

MARKER = "HEMLIG-ANTECKNING"
HIDDEN_PLACE = "Hemliga hörnet"
N_RESTRICTED = 20


@dataclass
class Leaks:
    north: Any
    orgs: dict[str, Any]
    users: dict[str, Any]
    west: Area
    place: Place
    open311_key: str


def _near(lonlat: tuple[float, float], i: int) -> tuple[float, float]:
    # Points spread over about 300 m, so density and hotspot cells differ.
    return lonlat[0] + (i % 5) * 0.0009, lonlat[1] + (i // 5 % 4) * 0.0006


@pytest.fixture
def leaks(
    north: Any,
    north_org: Any,
    north_police: Any,
    west_area: Any,
    east_area: Any,
    alice: Any,
    bob: Any,
    petra: Any,
    sam: Any,
    anna: Any,
) -> Leaks:
    lon, lat = INSIDE_WEST
    x, y = to_sweref(lon + 0.002, lat + 0.002)
    place = Place.objects.create(
        collaboration=north,
        area=west_area,
        name=HIDDEN_PLACE,
        lon=lon + 0.002,
        lat=lat + 0.002,
        x=x,
        y=y,
    )
    now = timezone.now()
    for i in range(40):
        make_report(
            north_org,
            category="unsafe_lighting" if i % 3 == 0 else "gathering",
            owner=north_org if i % 3 == 0 else None,
            reporter=bob,
            occurred_at=now - timedelta(days=1 + i * 1.7, hours=i % 7),
            lonlat=_near(INSIDE_WEST, i),
            description=f"Vanlig rapport {i}",
        )
    PublicFeedbackSettings.objects.create(collaboration=north, enabled=True)
    _row, raw_key = create_open311_key(north_org, label="city system")
    return Leaks(
        north=north,
        orgs={"kommun": north_org, "police": north_police},
        users={"alice": alice, "bob": bob, "sam": sam, "anna": anna},
        west=west_area,
        place=place,
        open311_key=raw_key,
    )


def add_restricted(w: Leaks) -> list[Report]:
    """20 restricted police reports at a place only they use, in the same weeks and
    streets as the open ones (so every count, cell and bin would move)."""
    now = timezone.now()
    return [
        make_report(
            w.orgs["police"],
            category="unsafe_lighting" if i % 2 else "gathering",
            owner=w.orgs["kommun"] if i % 2 else None,
            reporter=None,
            restricted=True,
            place=w.place,
            occurred_at=now - timedelta(days=1 + i * 2.9, hours=i % 5),
            lonlat=_near((w.place.lon, w.place.lat), i),
            description=f"{MARKER} {i}",
        )
        for i in range(N_RESTRICTED)
    ]


# --------------------------------------------------------------- normalising


def _pdf_text(raw: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(raw)).pages)


def _xlsx_cells(raw: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    out = []
    for sheet in book.worksheets:
        out.append(f"# {sheet.title}")
        out.extend(repr(row) for row in sheet.iter_rows(values_only=True))
    book.close()
    return "\n".join(out)


TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # CSRF tokens, masked anew on each page


def content(response: Any) -> str:
    """The answer's content as text, without what changes on every request."""
    assert response.status_code == 200, (response.status_code, response.content[:300])
    kind = response.get("Content-Type", "")
    raw = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if "pdf" in kind:
        return _pdf_text(raw)
    if "spreadsheetml" in kind:
        return _xlsx_cells(raw)
    return TOKEN.sub("TOKEN", raw.decode("utf-8-sig"))


# --------------------------------------------------------------- the endpoints


@dataclass
class Endpoint:
    who: str  # sam, bob, anonymous, open311
    path: Callable[[Leaks], str]
    control: bool = True  # alice's answer must change (the data include them)


def _evaluation(w: Leaks) -> str:
    start = (timezone.localdate() - timedelta(days=28)).isoformat()
    return (
        f"/api/v1/analysis/evaluation?start={start}"
        f"&lon={w.place.lon}&lat={w.place.lat}&target_radius_m=300&control=E"
    )


ENDPOINTS: dict[str, Endpoint] = {
    # analyses (steering group: VIEW_ANALYSIS without VIEW_RESTRICTED)
    "analysis weekly": Endpoint("sam", lambda w: "/api/v1/analysis/weekly"),
    "analysis hotspots": Endpoint("sam", lambda w: "/api/v1/analysis/hotspots"),
    "analysis density": Endpoint("sam", lambda w: "/api/v1/analysis/density"),
    "analysis emerging": Endpoint("sam", lambda w: "/api/v1/analysis/emerging"),
    "analysis near-repeat": Endpoint("sam", lambda w: "/api/v1/analysis/near-repeat"),
    "analysis evaluation": Endpoint("sam", _evaluation),
    "analysis priority": Endpoint("sam", lambda w: "/api/v1/analysis/priority"),
    # lists, filters and map counts
    "report list": Endpoint("sam", lambda w: "/reports/"),
    "report list filtered": Endpoint(
        "sam",
        lambda w: f"/reports/?category=unsafe_lighting&status=open&area={w.west.code}",
    ),
    "report list by organisation": Endpoint(
        "bob", lambda w: "/reports/?organisation=north-police"
    ),
    "home page counts": Endpoint("sam", lambda w: "/"),
    "api reports": Endpoint("bob", lambda w: "/api/v1/reports"),
    "api reports filtered": Endpoint(
        "sam",
        lambda w: (
            f"/api/v1/reports?category=unsafe_lighting,gathering&area={w.west.code}"
        ),
    ),
    "api reports by organisation": Endpoint(
        "sam", lambda w: "/api/v1/reports?organisation=north-police"
    ),
    # exports
    "export csv": Endpoint("bob", lambda w: "/api/v1/exports/reports.csv"),
    "export xlsx": Endpoint("sam", lambda w: "/api/v1/exports/reports.xlsx"),
    "export geojson": Endpoint("bob", lambda w: "/api/v1/exports/reports.geojson"),
    "export page csv": Endpoint(
        "sam", lambda w: "/integrations/export/?kind=reports&format=csv"
    ),
    # summaries for members
    "feedback summary": Endpoint("sam", lambda w: "/feedback/summary/"),
    "feedback summary pdf": Endpoint("sam", lambda w: "/feedback/summary/pdf/"),
    "residents api": Endpoint(
        "sam", lambda w: "/api/v1/residents/reports", control=False
    ),
    # public: never restricted reports, for anyone
    "public feedback page": Endpoint(
        "anonymous", lambda w: "/feedback/public/north/", control=False
    ),
    "public feedback embed": Endpoint(
        "anonymous", lambda w: "/feedback/public/north/embed/", control=False
    ),
    "public feedback area": Endpoint(
        "anonymous",
        lambda w: f"/feedback/public/north/{w.west.code}/",
        control=False,
    ),
    "open311 requests with key": Endpoint(
        "open311",
        lambda w: (
            f"/open311/v2/requests.json?jurisdiction_id=north&api_key={w.open311_key}"
        ),
        control=False,
    ),
    "open311 requests xml": Endpoint(
        "open311",
        lambda w: (
            f"/open311/v2/requests.xml?jurisdiction_id=north&api_key={w.open311_key}"
        ),
        control=False,
    ),
}


def read(w: Leaks, who: str, path: str) -> str:
    if who in ("anonymous", "open311"):
        return content(Client().get(path))
    if path.startswith("/api/v1/"):
        return content(api_client(w.users[who]).get(path))
    client = Client()
    client.force_login(w.users[who])
    return content(client.get(path))


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_restricted_reports_change_nothing_for_those_who_may_not_see_them(
    leaks: Leaks, settings: Any, name: str
) -> None:
    settings.SAMSYN_OPEN311_PUBLIC = False
    endpoint = ENDPOINTS[name]
    path = endpoint.path(leaks)
    before = read(leaks, endpoint.who, path)
    alice_before = read(leaks, "alice", path) if endpoint.control else ""
    hidden = add_restricted(leaks)

    after = read(leaks, endpoint.who, path)
    assert MARKER not in after
    assert not any(str(r.code) in after for r in hidden)
    assert after == before, f"{name}: the answer changed when restricted reports came"
    if endpoint.control:
        assert read(leaks, "alice", path) != alice_before, (
            f"{name}: a coordinator's answer did not change either, so this endpoint "
            "is not tested by the restricted reports"
        )


def test_the_report_list_and_map_count_them_for_those_who_may(leaks: Leaks) -> None:
    hidden = add_restricted(leaks)
    totals = {}
    for who in ("alice", "anna", "sam", "bob"):
        client = Client()
        client.force_login(leaks.users[who])
        page = client.get("/reports/?organisation=north-police").content.decode()
        match = re.search(r'data-total="(\d+)"', page)
        assert match, who
        totals[who] = int(match.group(1))
        sees = who in ("alice", "anna")
        assert any(str(r.code) in page for r in hidden) is sees, who
    # The map shows its default period: some of the 20, the same for both who may.
    assert 0 < totals["alice"] == totals["anna"] <= N_RESTRICTED
    assert totals["sam"] == totals["bob"] == 0


# --------------------------------------------------------------- pictures, annual


def _no_details(text: str, hidden: list[Report], where: str) -> None:
    assert MARKER not in text, where
    assert HIDDEN_PLACE not in text, where
    leaked = [str(r.code) for r in hidden if str(r.code) in text]
    assert not leaked, (where, leaked)


def test_pictures_show_no_restricted_detail_to_those_without_the_right(
    leaks: Leaks, django_capture_on_commit_callbacks: Any
) -> None:
    from samsyn.lib.weeks import period_for
    from samsyn.pictures.actions import (
        approve_picture,
        generate_picture,
        save_assessment,
    )

    w = leaks
    hidden = add_restricted(w)
    period = period_for("week", timezone.localdate() - timedelta(days=7))
    start = timezone.make_aware(
        timezone.datetime.combine(period.start, timezone.datetime.min.time())
    )
    # A cluster of restricted reports in the east, where no open report is, at the
    # place only restricted reports name: that place is the week's busiest whatever
    # the day (it does not hang on which cells the hotspot test finds significant).
    hidden += [
        make_report(
            w.orgs["police"],
            restricted=True,
            place=w.place,
            occurred_at=start + timedelta(hours=10 + i * 7),
            lonlat=(INSIDE_EAST[0] + (i % 3) * 0.0003, INSIDE_EAST[1]),
            description=f"{MARKER} öst {i}",
        )
        for i in range(18)
    ]
    alice = w.users["alice"]
    picture = generate_picture(w.north, "week", period, by=alice)
    only_restricted = [
        p["name"]
        for p in picture.figures["top_places"]
        if p["count"] == p["restricted_count"]
    ]
    # For a coordinator the summary's top places name the restricted-only place...
    assert only_restricted
    alice_client = Client()
    alice_client.force_login(alice)
    alice_page = content(alice_client.get(f"/pictures/{picture.code}/"))
    assert any(name in alice_page for name in only_restricted)

    def no_details(text: str, where: str) -> None:
        _no_details(text, hidden, where)
        assert not [n for n in only_restricted if n in text], where

    # ...and names it nowhere for the steering group and reporters.
    for who in ("sam", "bob"):
        client = Client()
        client.force_login(w.users[who])
        no_details(content(client.get(f"/pictures/{picture.code}/")), f"page, {who}")
        no_details(content(client.get(f"/pictures/{picture.code}/pdf/")), f"PDF, {who}")
        api = api_client(w.users[who]).get(f"/api/v1/pictures/{picture.code}")
        no_details(content(api), f"picture API for {who}")
        export = api_client(w.users[who]).get("/api/v1/exports/pictures.csv")
        no_details(content(export), f"picture export for {who}")

    # The weekly digest e-mail goes to every member: no restricted detail in it.
    from samsyn.notifications.models import Notification

    save_assessment(picture, "Lugn vecka.", by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        approve_picture(picture, Access.for_user(alice, w.north), by=alice)
    digests = Notification.objects.filter(kind="picture_digest")
    assert digests.filter(user=w.users["sam"]).exists()
    for note in digests.exclude(user__in=[alice, w.users["anna"]]):
        no_details(note.subject + note.body, f"digest to {note.user}")


def test_the_annual_report_shows_no_restricted_detail(leaks: Leaks) -> None:
    from samsyn.annual.actions import create_report

    w = leaks
    hidden = add_restricted(w)
    annual = create_report(w.north, timezone.localdate().year, by=w.users["alice"])
    for who in ("sam", "bob"):
        client = Client()
        client.force_login(w.users[who])
        for path in (f"/annual/{annual.code}/", f"/annual/{annual.code}/pdf/"):
            response = client.get(path)
            if response.status_code == 200:
                _no_details(content(response), hidden, f"{path} for {who}")


# --------------------------------------------------------------- guard plans


def _mask_codes(text: str) -> str:
    return re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<code>", text
    )


def test_guard_plans_reveal_no_restricted_place_or_count(leaks: Leaks) -> None:
    """A coordinator (who may see restricted reports) makes and publishes a guard
    plan; reporters, the steering group and the guards read it. Restricted reports,
    20 of them at a place only they name and in the same streets as the open ones,
    must change nothing they see: not a visit, a square, an hour or a figure."""
    from samsyn.patrols.actions import generate_patrol_plan, publish_patrol_plan
    from samsyn.patrols.models import PatrolSettings

    w = leaks
    alice = w.users["alice"]
    # Shifts round the clock, so that every report's hour could draw a visit.
    PatrolSettings.objects.create(
        collaboration=w.north,
        teams=2,
        shifts={str(d): ["00:00", "23:45"] for d in range(7)},
        hotspot_cells=20,
    )
    year, week, _ = (timezone.localdate() + timedelta(days=7)).isocalendar()

    def plan_as_read() -> tuple[Any, dict[str, str]]:
        plan = generate_patrol_plan(w.north, year, week, by=alice)
        publish_patrol_plan(plan, by=alice)
        seen = {}
        for who in ("sam", "bob"):
            client = Client()
            client.force_login(w.users[who])
            page = content(client.get(f"/patrols/plans/{plan.code}/"))
            api = content(
                api_client(w.users[who]).get(f"/api/v1/patrols/plans/{plan.code}")
            )
            seen[who] = _mask_codes(page) + _mask_codes(
                re.sub(r'"(created|published_at)": "[^"]*"', "", api)
            )
        return plan, seen

    before_plan, before = plan_as_read()
    assert before_plan.visits.exists(), "the open reports alone draw visits"
    hidden = add_restricted(w)
    after_plan, after = plan_as_read()
    for who in ("sam", "bob"):
        # (The hidden place lies within reach of open reports too, so its name
        # may appear; what must not move is anything the restricted ones add.)
        assert MARKER not in after[who]
        assert not any(str(r.code) in after[who] for r in hidden)
        assert after[who] == before[who], f"the guard plan {who} reads changed"
    assert after_plan.inputs["n_reports"] == before_plan.inputs["n_reports"]


# --------------------------------------------------------------- notifications, webhooks


def test_assignment_mails_go_only_to_those_who_may_see_the_report(
    leaks: Leaks, django_capture_on_commit_callbacks: Any
) -> None:
    from samsyn.notifications.models import Notification
    from samsyn.reports.actions import change_status

    w = leaks
    lead = member(w.orgs["kommun"], Membership.Role.ORG_LEAD, "lena")
    coordinator = member(w.orgs["kommun"], Membership.Role.COORDINATOR, "cora")
    report = add_restricted(w)[1]  # physical environment, owned by the municipality
    open_report = Report.objects.filter(
        restricted=False, category__physical_environment=True
    ).first()
    assert open_report is not None
    for r in (report, open_report):
        with django_capture_on_commit_callbacks(execute=True):
            change_status(
                r,
                by=w.users["alice"],
                status=Report.Status.ASSIGNED,
                owner=w.orgs["kommun"],
            )
    about = Notification.objects.filter(key__contains=str(report.code))
    told = set(about.values_list("user__username", flat=True))
    assert coordinator.username in told and lead.username not in told
    # The organisation lead hears of the open report, never of the restricted one.
    lead_notes = Notification.objects.filter(user=lead)
    assert lead_notes.count() == 1
    assert all(str(report.code) not in n.body + n.key for n in lead_notes)
    assert all(
        MARKER not in n.body for n in Notification.objects.exclude(user=coordinator)
    )


def test_webhooks_carry_restricted_reports_only_when_allowed(leaks: Leaks) -> None:
    from samsyn.integrations.models import Webhook, WebhookDelivery

    w = leaks
    Webhook.objects.create(collaboration=w.north, name="N", url="http://127.0.0.1:9/")
    hidden = add_restricted(w)
    payloads = json.dumps(
        list(WebhookDelivery.objects.values_list("payload", flat=True))
    )
    _no_details(payloads, hidden, "webhook payloads")


def test_a_hook_changed_by_someone_without_the_right_sends_no_restricted_report(
    leaks: Leaks, adam: Any
) -> None:
    """A coordinator's hook sends restricted reports; an administrator, who may not
    read them, changes its address: from then on it carries none of them."""
    from samsyn.integrations.models import Webhook, WebhookDelivery

    w = leaks
    hook = Webhook.objects.create(
        collaboration=w.north,
        name="Polisen",
        url="https://police.example.org/hook",
        include_restricted=True,
    )
    client = Client()
    client.force_login(adam)
    response = client.post(
        f"/integrations/webhooks/{hook.code}/edit/",
        {"name": "Polisen", "url": "https://elsewhere.example.org/hook"},
    )
    assert response.status_code == 302
    hidden = add_restricted(w)
    payloads = json.dumps(
        list(WebhookDelivery.objects.values_list("payload", flat=True))
    )
    _no_details(payloads, hidden, "webhook payloads after the change")


# --------------------------------------------------------------- the audit log


def test_views_and_exports_are_audited_with_who_what_when_and_where(
    leaks: Leaks,
) -> None:
    w = leaks
    hidden = add_restricted(w)[0]
    alice = w.users["alice"]
    start = timezone.now()

    page = Client(REMOTE_ADDR="198.51.100.7")
    page.force_login(alice)
    assert page.get(f"/reports/{hidden.code}/").status_code == 200
    _token, raw = ApiToken.issue(alice)
    api = Client(REMOTE_ADDR="198.51.100.8", headers={"Authorization": f"Bearer {raw}"})
    assert api.get(f"/api/v1/reports/{hidden.code}").status_code == 200
    assert page.get("/integrations/export/?kind=reports&format=csv").status_code == 200
    assert api.get("/api/v1/exports/reports.geojson").status_code == 200

    views = AuditEvent.objects.filter(action="report.viewed_restricted").order_by("pk")
    assert [(v.actor, v.target_code, v.ip) for v in views] == [
        (alice, str(hidden.code), "198.51.100.7"),
        (alice, str(hidden.code), "198.51.100.8"),
    ]
    exports = AuditEvent.objects.filter(action="export.reports").order_by("pk")
    assert [(e.actor, e.ip, e.data["format"]) for e in exports] == [
        (alice, "198.51.100.7", "csv"),
        (alice, "198.51.100.8", "geojson"),
    ]
    assert all(e.data["count"] == 40 + N_RESTRICTED for e in exports)
    for event in [*views, *exports]:
        assert start <= event.created <= timezone.now()
        assert event.collaboration_id == w.north.pk

    # A member who may not see it gets a 404, and nothing is logged as a view.
    sam = Client(REMOTE_ADDR="198.51.100.9")
    sam.force_login(w.users["sam"])
    assert sam.get(f"/reports/{hidden.code}/").status_code == 404
    assert views.count() == 2
