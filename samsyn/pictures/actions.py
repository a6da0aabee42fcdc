"""State changes of situation pictures. Each one leaves an audit entry and a
PictureEvent (the picture's own append-only history)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.lib.personal_data import find_personal_data
from samsyn.lib.weeks import Period
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, record
from samsyn.pictures.figures import COLOURS, compute_figures
from samsyn.pictures.models import (
    AreaAbility,
    PictureEvent,
    SituationPicture,
    current_abilities,
)


class PictureError(Exception):
    """A change that is not allowed (approved picture, personal data, rights)."""


class PictureReadOnly(PictureError):
    pass


class AssessmentMissing(PictureError):
    """Approval asked for before the assessment was written."""


class PersonalDataFound(PictureError):
    def __init__(self, kinds: list[str]) -> None:
        super().__init__("The text seems to contain personal data: " + ", ".join(kinds))
        self.kinds = kinds


def _event(
    picture: SituationPicture, kind: str, by: User | None, data: dict[str, Any]
) -> None:
    PictureEvent.objects.create(picture=picture, kind=kind, actor=by, data=data)
    record(by, f"picture.{kind}", picture, data={"label": picture.label, **data})


@transaction.atomic
def generate_picture(
    collab: Collaboration,
    kind: str,
    period: Period,
    scope: Area | None = None,
    *,
    by: User | None,
    new_version: bool = False,
    stage: Callable[[str], None] | None = None,
) -> SituationPicture:
    """The picture of `period`: the existing latest version, or a new one.

    Figures are computed and frozen only when no picture exists yet, or when a new
    version is asked for explicitly (the earlier versions stay as they were).
    ``stage`` hears the name of each step of the computation (for a job's progress).
    """
    if kind != period.kind:
        raise ValueError("Kind and period do not match.")
    if scope is not None and scope.collaboration_id != collab.pk:
        raise ValueError("Area of another collaboration.")
    existing = SituationPicture.objects.filter(
        collaboration=collab, kind=kind, scope=scope, period_start=period.start
    )
    latest = existing.aggregate(v=Max("version"))["v"]
    if latest and not new_version:
        return existing.get(version=latest)
    figures, trace = compute_figures(
        collab, period, scope, stage=stage or (lambda _name: None)
    )
    picture = SituationPicture.objects.create(
        collaboration=collab,
        kind=kind,
        scope=scope,
        period_start=period.start,
        period_end=period.end,
        label=period.label,
        version=(latest or 0) + 1,
        figures=figures,
        trace=trace,
        created_by=by,
    )
    if latest:
        # The forum's assessments carry over to the new version (its own history
        # stays with the version it was made in).
        before = existing.get(version=latest)
        AreaAbility.objects.bulk_create(
            AreaAbility(
                picture=picture,
                area=ab.area,
                level=ab.level,
                reason=ab.reason,
                set_by=ab.set_by,
                created=ab.created,
            )
            for ab in current_abilities(before).values()
        )
    kind_ev = PictureEvent.Kind.REGENERATED if latest else PictureEvent.Kind.GENERATED
    _event(picture, kind_ev, by, {"version": picture.version})
    return picture


def _check_editable(picture: SituationPicture) -> None:
    if picture.is_approved:
        raise PictureReadOnly(_("An approved picture is read-only."))


@transaction.atomic
def save_assessment(
    picture: SituationPicture, text: str, *, by: User
) -> SituationPicture:
    picture = SituationPicture.objects.select_for_update().get(pk=picture.pk)
    _check_editable(picture)
    found = find_personal_data(text)
    if found:
        raise PersonalDataFound(sorted({f.kind for f in found}))
    picture.assessment = text.strip()
    picture.updated = timezone.now()
    picture.save(update_fields=["assessment", "updated"])
    _event(picture, PictureEvent.Kind.EDITED, by, {"field": "assessment"})
    return picture


@transaction.atomic
def set_area_colours(
    picture: SituationPicture, colours: dict[str, str], *, by: User
) -> SituationPicture:
    picture = SituationPicture.objects.select_for_update().get(pk=picture.pk)
    _check_editable(picture)
    known = {a["code"] for a in picture.figures.get("area_status", [])}
    clean = {k: v for k, v in colours.items() if k in known and v in COLOURS}
    picture.area_colours = clean
    picture.updated = timezone.now()
    picture.save(update_fields=["area_colours", "updated"])
    _event(picture, PictureEvent.Kind.EDITED, by, {"field": "area_colours"})
    return picture


@transaction.atomic
def approve_picture(
    picture: SituationPicture, access: Access, *, by: User
) -> SituationPicture:
    if not access.can(Cap.APPROVE_PICTURE):
        raise PictureError(_("Only coordinators approve pictures."))
    picture = SituationPicture.objects.select_for_update().get(pk=picture.pk)
    _check_editable(picture)
    if not picture.assessment.strip():
        # The partners read the figures with the coordinator's reading of them; a
        # picture approved without one reaches them as raw numbers.
        raise AssessmentMissing(
            _("Write the coordinator's assessment before approving the picture.")
        )
    picture.status = SituationPicture.Status.APPROVED
    picture.approved_by = by
    picture.approved_at = timezone.now()
    picture.updated = picture.approved_at
    picture.save(update_fields=["status", "approved_by", "approved_at", "updated"])
    _event(picture, PictureEvent.Kind.APPROVED, by, {"version": picture.version})
    return picture


ABILITY_REASON_MAX = 1000


@transaction.atomic
def set_area_ability(
    picture: SituationPicture, area: Area, level: str, reason: str, *, by: User
) -> AreaAbility:
    """Record the forum's ability to influence in `area` (a new row; the earlier
    assessments stay as history)."""
    picture = SituationPicture.objects.select_for_update().get(pk=picture.pk)
    _check_editable(picture)
    if area.collaboration_id != picture.collaboration_id:
        raise PictureError(_("Area of another collaboration."))
    if level not in AreaAbility.Level.values:
        raise PictureError(_("Choose low, medium or high."))
    reason = " ".join((reason or "").split())
    if len(reason) > ABILITY_REASON_MAX:
        raise PictureError(
            _("The reason is too long (at most %(n)s characters).")
            % {"n": ABILITY_REASON_MAX}
        )
    found = find_personal_data(reason)
    if found:
        raise PersonalDataFound(sorted({f.kind for f in found}))
    ab = AreaAbility.objects.create(
        picture=picture, area=area, level=level, reason=reason, set_by=by
    )
    picture.updated = timezone.now()
    picture.save(update_fields=["updated"])
    _event(
        picture,
        PictureEvent.Kind.EDITED,
        by,
        {"field": "ability", "area": area.ref, "level": level},
    )
    return ab
