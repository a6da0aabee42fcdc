"""axe-core on every main page, at a desktop and a phone viewport: zero WCAG 2.1 A/AA
violations (the level the Swedish law on accessible public digital services requires),
and none of axe's best-practice findings either. At 320 CSS px (WCAG 1.4.10) the
same pages are checked for reflow instead: nothing scrolls sideways except inside the
one table wrapper, and a failure names the elements that stick out.

One collaboration with data for every page is built per viewport; each role signs in
once and visits its pages in one browser context. With SAMSYN_SCREENSHOTS=1 the same
run saves a screenshot of each main screen to docs/screenshots/ (listed in
docs/screens.md): desktop for everyone, phone too for what reporters, residents and
guards use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.annual.actions import add_item, create_report
from samsyn.coverage.models import Coverage
from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.integrations.models import Webhook
from samsyn.interventions import actions as iv_actions
from samsyn.lib.weeks import period_for
from samsyn.meetings.actions import add_decision, generate_agenda
from samsyn.meetings.models import Forum, Meeting
from samsyn.notifications.models import Kind, Notification
from samsyn.organisations.models import Membership, record
from samsyn.patrols.actions import generate_patrol_plan, publish_patrol_plan
from samsyn.patrols.models import PatrolVisit
from samsyn.pictures.actions import generate_picture
from samsyn.police.models import ImportBatch
from samsyn.problems.actions import start_analysis
from samsyn.residents.actions import submit_resident_report
from samsyn.residents.models import ResidentSettings
from samsyn.tests.support import OrganisationFactory, make_report
from samsyn.walks.models import Walk
from samsyn.walks.tests.helpers import make_observation

from .conftest import DESKTOP, PHONE, log_in, new_context, screenshot
from .world import (
    PASSWORD,
    housing,
    kommun,
    orebro,
    police,
    stortorget,
    user,
    west_and_east,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices (landmarks, heading order, one main
# heading, empty table headers ...), which also hold at zero.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SCREENSHOTS = os.environ.get("SAMSYN_SCREENSHOTS") == "1"
# WCAG 1.4.10 reflow: at 320 CSS px nothing scrolls sideways but inside .table-wrap.
NARROW = {**PHONE, "viewport": {"width": 320, "height": 640}}
# With SAMSYN_A11Y_SHOTS=<dir>, every visited page is saved there, per device.
SHOTS_DIR = os.environ.get("SAMSYN_A11Y_SHOTS", "")
OVERFLOW = r"""() => {
  const doc = document.documentElement;
  const extra = doc.scrollWidth - doc.clientWidth;
  if (extra <= 0) { return null; }
  // The elements that reach past the right edge, outside any scroll wrapper.
  const wide = [...document.querySelectorAll("body *")].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width && r.right > doc.clientWidth + 1 && !el.closest(".table-wrap, .leaflet-container");
  }).slice(0, 5).map((el) => el.tagName.toLowerCase()
    + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""));
  return { extra, wide };
}"""

ROLES = {
    "coordinator": ("kalle", "kommun", Membership.Role.COORDINATOR),
    "reporter": ("rut", "housing", Membership.Role.REPORTER),
    "analyst": ("anna", "kommun", Membership.Role.ANALYST),
    "steering": ("sam", "kommun", Membership.Role.STEERING),
    "admin": ("adam", "kommun", Membership.Role.ADMIN),
    "guard": ("vakt", "guards", Membership.Role.REPORTER),
}
EARLIER = [
    ("gathering", (15.195, 59.275)),
    ("gathering", (15.196, 59.274)),
    ("littering", (15.205, 59.265)),
    ("vandalism_graffiti", (15.202, 59.268)),
    ("drugs", (15.215, 59.272)),
    ("unsafe_lighting", (15.222, 59.277)),
]


@dataclass(frozen=True)
class Screen:
    name: str  # also the screenshot's file name
    role: str | None  # None: anonymous
    path: Callable[[dict[str, Any]], str]
    phone_shot: bool = False  # a phone screenshot too (reporters, residents, guards)
    ready: str | None = None  # "map" waits for a Leaflet map; else a selector


def _p(path: str) -> Callable[[dict[str, Any]], str]:
    return lambda c: path


SCREENS = [
    Screen("login", None, _p("/accounts/login/"), phone_shot=True),
    Screen("accessibility-statement", None, _p("/accessibility/"), phone_shot=True),
    Screen("home-coordinator", "coordinator", _p("/")),
    Screen("home-analyst", "analyst", _p("/")),
    Screen("home-steering", "steering", _p("/")),
    Screen("home-admin", "admin", _p("/")),
    Screen("home-reporter", "reporter", _p("/"), phone_shot=True),
    Screen(
        "report-form", "reporter", _p("/reports/new/"), phone_shot=True, ready="map"
    ),
    Screen("my-reports", "reporter", _p("/reports/mine/"), phone_shot=True),
    Screen("checkin", "reporter", _p("/coverage/checkin/"), phone_shot=True),
    Screen("feedback-mine", "reporter", _p("/feedback/mine/"), phone_shot=True),
    Screen("map", "coordinator", _p("/reports/"), ready="map"),
    Screen(
        "map-filtered",
        "coordinator",
        lambda c: (
            f"/reports/?category=gathering&area={c['west'].code}&since="
            f"{(timezone.localdate() - timedelta(days=30)).isoformat()}"
        ),
        ready="map",
    ),
    Screen(
        "report-detail",
        "coordinator",
        lambda c: f"/reports/{c['physical'].code}/",
        ready="map",
    ),
    Screen(
        "report-detail-reporter",
        "reporter",
        lambda c: f"/reports/{c['own'].code}/",
        phone_shot=True,
        ready="map",
    ),
    Screen("pictures", "coordinator", _p("/pictures/")),
    Screen(
        "picture-detail", "coordinator", lambda c: f"/pictures/{c['picture'].code}/"
    ),
    Screen(
        "picture-tertial", "coordinator", lambda c: f"/pictures/{c['tertial'].code}/"
    ),
    Screen("problems", "coordinator", _p("/problems/")),
    Screen(
        "problem-analysis", "coordinator", lambda c: f"/problems/{c['analysis'].code}/"
    ),
    Screen(
        "problem-intervention",
        "coordinator",
        lambda c: f"/problems/{c['analysis'].code}/intervention/",
    ),
    Screen("meetings", "coordinator", _p("/meetings/")),
    Screen("forum", "coordinator", lambda c: f"/meetings/forums/{c['forum'].code}/"),
    Screen("meeting", "coordinator", lambda c: f"/meetings/{c['meeting'].code}/"),
    Screen("decisions", "coordinator", _p("/meetings/decisions/")),
    Screen("interventions", "coordinator", _p("/interventions/")),
    Screen(
        "intervention-detail",
        "coordinator",
        lambda c: f"/interventions/{c['intervention'].code}/",
    ),
    Screen("intervention-quick", "coordinator", _p("/interventions/quick/")),
    Screen("intervention-new", "coordinator", _p("/interventions/new/")),
    Screen("intervention-evaluation", "coordinator", _p("/interventions/annual/")),
    Screen("annual-reports", "coordinator", _p("/annual/")),
    Screen("annual-report", "coordinator", lambda c: f"/annual/{c['annual'].code}/"),
    Screen("guard-plans", "coordinator", _p("/patrols/")),
    Screen("guard-plan", "coordinator", lambda c: f"/patrols/plans/{c['plan'].code}/"),
    Screen("guard-today", "guard", _p("/patrols/today/"), phone_shot=True),
    Screen(
        "guard-visit",
        "guard",
        lambda c: f"/patrols/visits/{c['visit'].code}/",
        phone_shot=True,
    ),
    Screen("feedback-summary", "coordinator", _p("/feedback/summary/")),
    Screen("feedback-settings", "coordinator", _p("/feedback/settings/")),
    Screen("public-feedback", None, _p("/feedback/public/orebro/"), phone_shot=True),
    Screen("public-feedback-embed", None, _p("/feedback/public/orebro/embed/")),
    Screen(
        "residents-report",
        None,
        _p("/residents/orebro/report/"),
        phone_shot=True,
        ready="map",
    ),
    Screen("residents-moderation", "coordinator", _p("/residents/")),
    Screen("coverage", "analyst", _p("/coverage/")),
    Screen("perceived-safety", "analyst", _p("/surveys/")),
    Screen("walks", "coordinator", _p("/walks/")),
    Screen("walk", "coordinator", lambda c: f"/walks/{c['walk'].code}/"),
    Screen(
        "walk-observe",
        "reporter",
        lambda c: f"/walks/{c['walk'].code}/observe/",
        phone_shot=True,
        ready="map",
    ),
    Screen("police-imports", "coordinator", _p("/police/imports/")),
    Screen(
        "police-import", "coordinator", lambda c: f"/police/imports/{c['batch'].pk}/"
    ),
    Screen("areas-import", "coordinator", _p("/areas/import/")),
    Screen("checklist", "coordinator", _p("/reports/checklist/")),
    Screen("audit", "admin", _p("/accounts/audit/")),
    Screen("export", "coordinator", _p("/integrations/export/")),
    Screen("webhooks", "admin", _p("/integrations/webhooks/")),
    Screen("notifications", "coordinator", _p("/notifications/")),
    Screen("notifications-log", "admin", _p("/notifications/log/")),
    Screen("two-factor", "coordinator", _p("/accounts/2fa/")),
]


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    """One collaboration with something on every page."""
    collab = orebro()
    orgs = {
        "kommun": kommun(collab),
        "police": police(collab),
        "housing": housing(collab),
        "guards": OrganisationFactory(
            collaboration=collab, slug="vaktbolaget", name="Vaktbolaget", kind="guard"
        ),
    }
    west, east = west_and_east(collab)
    users = {role: user(orgs[org], r, name) for role, (name, org, r) in ROLES.items()}
    kalle = users["coordinator"]
    square = stortorget(collab, west)
    now = timezone.now()
    last_week = period_for("week", timezone.localdate() - timedelta(days=7))
    for back in range(4):
        start = local_midnight(last_week.start - timedelta(weeks=back))
        for i, (category, lonlat) in enumerate(EARLIER):
            make_report(
                orgs["kommun"],
                category=category,
                lonlat=lonlat,
                occurred_at=start + timedelta(hours=10 + 13 * i),
                created=start + timedelta(hours=11 + 13 * i),
            )
    physical = make_report(
        orgs["kommun"], category="unsafe_lighting", owner=orgs["kommun"]
    )
    own = make_report(orgs["housing"], category="littering", reporter=users["reporter"])
    picture = generate_picture(collab, "week", last_week, by=kalle)
    tertial = generate_picture(
        collab, "tertial", period_for("tertial", timezone.localdate(), collab), by=kalle
    )
    analysis = start_analysis(
        collab,
        west,
        collab.categories.get(code="gathering"),
        last_week,
        [last_week.label],
        by=kalle,
    )

    forum = Forum.objects.create(
        collaboration=collab,
        name="Veckomöte EST",
        kind="weekly",
        location="Stadshuset, rum 3",
        duration_minutes=90,
    )
    forum.organisations.set([orgs["kommun"], orgs["police"]])
    today = timezone.localdate()
    held = Meeting.objects.create(
        collaboration=collab,
        forum=forum,
        starts_at=forum.start_of(today - timedelta(days=7)),
        status="held",
    )
    add_decision(
        held,
        by=kalle,
        text="Laga belysningen i tunneln",
        owner=orgs["kommun"],
        due=today + timedelta(days=5),
    )
    meeting = Meeting.objects.create(
        collaboration=collab, forum=forum, starts_at=forum.start_of(today)
    )
    generate_agenda(meeting, by=kalle)

    intervention = iv_actions.register_intervention(
        collab,
        {
            "title": "Belysning vid gångvägen",
            "kind": "situational",
            "owner": orgs["kommun"],
            "starts_on": today - timedelta(days=21),
            "areas": [west],
            "status": "ongoing",
        },
        by=kalle,
        partners=[(orgs["police"], "Patrullering")],
    )
    try:
        iv_actions.evaluate_intervention(intervention, kalle)
    except iv_actions.EvaluationError:
        pass  # too little data for an evaluation: the page shows that instead

    annual = create_report(collab, today.year - 1, by=kalle)
    add_item(
        annual,
        {"goal": "Färre bränder", "measure": "Belysning", "owner": orgs["kommun"]},
        by=kalle,
    )

    iso = today.isocalendar()
    plan = publish_patrol_plan(
        generate_patrol_plan(collab, iso[0], iso[1], by=kalle), by=kalle
    )
    start = now.replace(microsecond=0)
    visit = PatrolVisit.objects.create(
        plan=plan,
        team=1,
        x=square.x,
        y=square.y,
        label="Stortorget",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        reason="history 1.00/wk",
    )

    PublicFeedbackSettings.objects.create(collaboration=collab, enabled=True)
    residents = ResidentSettings.objects.create(
        collaboration=collab, enabled=True, min_seconds=1
    )
    residents.categories.set(
        collab.categories.filter(code__in=["littering", "unsafe_lighting"])
    )
    submit_resident_report(
        collab,
        {
            "lon": 15.2,
            "lat": 59.27,
            "category_obj": collab.categories.get(code="littering"),
            "text": "Skräp vid lekplatsen",
        },
        form_digest="a11y-resident",
    )
    Coverage.objects.create(
        collaboration=collab, organisation=orgs["housing"], area=west
    )
    walk = Walk.objects.create(
        collaboration=collab,
        title="Kvällsvandring Väster",
        date=date(today.year, 5, 4),
        route={"type": "LineString", "coordinates": [[15.195, 59.27], [15.205, 59.27]]},
    )
    make_observation(walk)
    batch = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.DONE,
        file_name="brott.csv",
    )
    hook = Webhook.objects.create(
        collaboration=collab, name="Ärendesystem", url="https://example.org/hook"
    )
    hook.categories.set(collab.categories.filter(code="unsafe_lighting"))
    Notification.objects.create(
        collaboration=collab,
        user=kalle,
        kind=Kind.REPORT_ASSIGNED,
        key="a11y",
        subject="Ny rapport: Trasig belysning",
    )
    record(kalle, "report.viewed_restricted", physical)
    return {
        "collab": collab,
        "west": west,
        "east": east,
        "physical": physical,
        "own": own,
        "picture": picture,
        "tertial": tertial,
        "analysis": analysis,
        "forum": forum,
        "meeting": meeting,
        "intervention": intervention,
        "annual": annual,
        "plan": plan,
        "visit": visit,
        "walk": walk,
        "batch": batch,
    }


def with_axe(context: Any) -> Any:
    """Every page of the context gets axe-core before its own scripts. An init script,
    not a <script> tag: the pages' Content-Security-Policy refuses inline scripts, and
    the pages are checked as they are served, CSP included."""
    if not AXE.exists():
        pytest.fail(
            f"{AXE.relative_to(ROOT)} is missing: `make setup` (npm ci) installs the "
            "axe-core devDependency."
        )
    context.add_init_script(path=str(AXE))
    return context


def run_axe(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {
            runOnly: { type: "tag", values: tags },
            resultTypes: ["violations"],
          });
          return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.map((n) => n.target.join(" ")),
          }));
        }""",
        TAGS,
    )


def wait_ready(page: Any, screen: Screen) -> None:
    if screen.ready == "map":
        # Leaflet has drawn every map, and those that load areas have them.
        page.wait_for_function(
            """() => [...document.querySelectorAll('.leaflet-container')].every(
                 (el) => !el.dataset.areasUrl
                   || (el.samsynMap && el.samsynMap.samsynAreasLoaded))"""
        )
    elif screen.ready:
        page.wait_for_selector(screen.ready)
    page.wait_for_load_state("load")


def visit_all(browser: Any, base_url: str, cast: dict[str, Any], device: str) -> str:
    """Visits every screen; returns a report of the violations (empty: none)."""
    viewport = {"desktop": DESKTOP, "phone": PHONE, "narrow": NARROW}[device]
    contexts: dict[str | None, Any] = {}
    problems = []
    try:
        for screen in SCREENS:
            if screen.role not in contexts:
                context = with_axe(new_context(browser, viewport, base_url))
                page = context.new_page()
                if screen.role is not None:
                    log_in(page, ROLES[screen.role][0], PASSWORD)
                contexts[screen.role] = (context, page)
            page = contexts[screen.role][1]
            response = page.goto(screen.path(cast))
            status = response.status if response else None
            if status != 200:
                problems.append(
                    f"[{device}] {screen.name}: {page.url} answered {status}"
                )
                continue
            try:
                wait_ready(page, screen)
            except Exception as exc:  # noqa: BLE001 - reported with the page's name
                problems.append(f"[{device}] {screen.name}: not ready: {exc}")
                continue
            if SHOTS_DIR:
                Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=f"{SHOTS_DIR}/{screen.name}-{device}.png", full_page=True
                )
            if device == "narrow":
                overflow = page.evaluate(OVERFLOW)
                if overflow:
                    problems.append(
                        f"[{device}] {screen.name} ({page.url}): scrolls sideways by "
                        f"{overflow['extra']} px (WCAG 1.4.10): "
                        + ", ".join(overflow["wide"])
                    )
                continue  # axe runs at the other two sizes
            for v in run_axe(page):
                problems.append(
                    f"[{device}] {screen.name} ({page.url}): {v['id']} "
                    f"({v['impact']}) {v['help']}\n    "
                    + "\n    ".join(v["targets"][:8])
                )
            if SCREENSHOTS and (device == "desktop" or screen.phone_shot):
                suffix = "" if device == "desktop" else "-phone"
                screenshot(page, f"screen-{screen.name}{suffix}.png")
    finally:
        for context, _page in contexts.values():
            context.close()
    return "\n".join(problems)


@pytest.mark.parametrize("device", ["desktop", "phone", "narrow"])
def test_every_main_page_has_no_wcag_violations(
    browser: Any, live_server: Any, cast: dict[str, Any], device: str
) -> None:
    problems = visit_all(browser, live_server.url, cast, device)
    assert not problems, "axe-core found accessibility violations:\n" + problems


def test_it_reports_a_violation_it_is_shown(browser: Any, live_server: Any) -> None:
    """The check itself can fail: a page with an unlabelled field and poor contrast."""
    context = with_axe(new_context(browser, DESKTOP, live_server.url))
    page = context.new_page()
    page.set_content(
        '<html lang="sv"><head><title>t</title></head><body><main>'
        '<input type="text"><p style="color:#ccc;background:#fff">grå</p>'
        "</main></body></html>"
    )
    ids = {v["id"] for v in run_axe(page)}
    context.close()
    assert {"label", "color-contrast"} <= ids
