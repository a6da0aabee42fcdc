"""From "new collaboration" to a working EST: the steps, each done or not, computed
from the collaboration's own data (nothing is ticked by hand, so the page cannot say
"done" about something that is not there). The administrator's onboarding page shows
them; ``samsyn doctor --collaboration SLUG`` checks the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from samsyn.areas.models import Area
from samsyn.lib.weeks import local_tz
from samsyn.meetings.models import Forum
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.police.models import PoliceEvent
from samsyn.reports.checklist import STANDARD_CHECKLIST
from samsyn.reports.models import Category

# The organisations an EST cannot work without: the municipality and the police.
NEEDED_KINDS = (Organisation.Kind.MUNICIPALITY, Organisation.Kind.POLICE)


@dataclass
class Step:
    key: str
    title: str
    done: bool
    # What is there now ("82 areas in 9 districts"), and what to do when not done.
    status: str
    todo: str = ""
    # Figures for the page (and the tests) beside the sentence.
    figures: dict[str, int] = field(default_factory=dict)


def _municipality(collab: Collaboration) -> Step:
    done = bool(collab.municipality_name.strip() and collab.municipality_code.strip())
    return Step(
        "municipality",
        _("The collaboration's municipality"),
        done,
        _("%(name)s, municipality code %(code)s")
        % {
            "name": collab.municipality_name or "—",
            "code": collab.municipality_code or "—",
        },
        ""
        if done
        else _(
            "Give the collaboration its municipality's name and SCB code: the "
            "police events are matched by the name, areas by the code."
        ),
    )


def _areas(collab: Collaboration) -> Step:
    counts = Area.objects.filter(collaboration=collab, active=True).aggregate(
        areas=Count("pk", filter=Q(level=Area.Level.AREA)),
        districts=Count("pk", filter=~Q(level=Area.Level.AREA)),
    )
    done = counts["areas"] + counts["districts"] > 0
    return Step(
        "areas",
        _("Boundaries: districts and areas"),
        done,
        _("%(areas)s areas in %(districts)s districts") % counts,
        ""
        if done
        else _(
            "Import the boundaries (SCB's DeSO or RegSO, or the municipality's own "
            "districts): check the preview, then confirm."
        ),
        figures=counts,
    )


def _checklist(collab: Collaboration) -> Step:
    have = set(
        Category.objects.filter(collaboration=collab).values_list("code", flat=True)
    )
    missing = [c.code for c in STANDARD_CHECKLIST if c.code not in have]
    done = not missing
    return Step(
        "checklist",
        _("The standard EST checklist"),
        done,
        _("%(have)s categories, %(missing)s of the standard ones missing")
        % {"have": len(have), "missing": len(missing)},
        "" if done else _("Add the standard checklist's missing categories."),
        figures={"categories": len(have), "missing": len(missing)},
    )


def _organisations(collab: Collaboration) -> Step:
    orgs = list(
        Organisation.objects.filter(collaboration=collab, active=True).annotate(
            people=Count("memberships", filter=Q(memberships__active=True))
        )
    )
    kinds = {o.kind for o in orgs}
    missing_kinds = [k for k in NEEDED_KINDS if k not in kinds]
    empty = [o.name for o in orgs if not o.people]
    done = not missing_kinds and not empty
    todo = []
    if missing_kinds:
        todo.append(
            _("Add the organisations missing: %(kinds)s.")
            % {
                "kinds": ", ".join(
                    str(Organisation.Kind(k).label) for k in missing_kinds
                )
            }
        )
    if empty:
        todo.append(
            _("Invite someone to %(names)s.") % {"names": ", ".join(sorted(empty))}
        )
    return Step(
        "organisations",
        _("Organisations"),
        done,
        _("%(n)s organisations: %(names)s")
        % {"n": len(orgs), "names": ", ".join(o.name for o in orgs) or "—"},
        " ".join(todo),
        figures={"organisations": len(orgs), "without_people": len(empty)},
    )


def _people(collab: Collaboration) -> Step:
    roles = dict(
        Membership.objects.filter(
            organisation__collaboration=collab, active=True, user__is_active=True
        )
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    needed = (Membership.Role.COORDINATOR, Membership.Role.REPORTER)
    missing = [r for r in needed if not roles.get(r)]
    done = not missing
    return Step(
        "people",
        _("People and their roles"),
        done,
        _("%(coordinators)s coordinators, %(reporters)s reporters, %(total)s people")
        % {
            "coordinators": roles.get(Membership.Role.COORDINATOR, 0),
            "reporters": roles.get(Membership.Role.REPORTER, 0),
            "total": sum(roles.values()),
        },
        ""
        if done
        else _("Invite at least one coordinator and one reporter (missing: %(roles)s).")
        % {"roles": ", ".join(str(Membership.Role(r).label) for r in missing)},
        figures={str(k): v for k, v in roles.items()},
    )


def _police(collab: Collaboration) -> Step:
    events = PoliceEvent.objects.filter(collaboration=collab).aggregate(
        own=Count("pk", filter=~Q(precision=PoliceEvent.Precision.COUNTY)),
        county=Count("pk", filter=Q(precision=PoliceEvent.Precision.COUNTY)),
        latest=Max("occurred_at"),
    )
    done = events["own"] > 0
    latest = events["latest"]
    status = _("%(own)s events in the municipality, %(county)s county events") % events
    if latest is not None:
        status += " " + _("(latest %(date)s)") % {
            "date": latest.astimezone(local_tz()).strftime("%Y-%m-%d")
        }
    return Step(
        "police",
        _("The police events for the county and the municipality"),
        done,
        status,
        ""
        if done
        else _(
            "Import the police events feed with the county's name (e.g. Örebro län) "
            "so that county-wide events are kept as context; an archive of earlier "
            "years goes in with the command."
        ),
        figures={"own": events["own"], "county": events["county"]},
    )


def _forum(collab: Collaboration) -> Step:
    forum = (
        Forum.objects.filter(collaboration=collab, kind=Forum.Kind.WEEKLY, active=True)
        .order_by("pk")
        .first()
    )
    done = forum is not None
    status = (
        _("%(name)s, %(weekday)s at %(time)s")
        % {
            "name": forum.name,
            "weekday": forum.get_weekday_display(),
            "time": forum.start_time.strftime("%H:%M"),
        }
        if forum
        else _("No weekly forum yet")
    )
    return Step(
        "forum",
        _("The first weekly forum"),
        done,
        status,
        ""
        if done
        else _(
            "Create the weekly EST meeting: its day, time and member organisations."
        ),
    )


def onboarding_steps(collab: Collaboration) -> list[Step]:
    """Every onboarding step of the collaboration, in the order they are done."""
    return [
        _municipality(collab),
        _areas(collab),
        _checklist(collab),
        _organisations(collab),
        _people(collab),
        _police(collab),
        _forum(collab),
    ]
