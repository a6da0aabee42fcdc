"""Every change to problem analyses: start one from a proposal, write the forum's
text, make an intervention from it. Each leaves an audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.areas.models import Area
from samsyn.lib.personal_data import find_personal_data
from samsyn.lib.weeks import Period
from samsyn.organisations.models import Collaboration, record
from samsyn.problems import figures as problem_figures
from samsyn.problems.models import TEXT_FIELDS_ALL, ProblemAnalysis
from samsyn.problems.recurrence import window
from samsyn.reports.models import Category

if TYPE_CHECKING:
    from samsyn.accounts.models import User
    from samsyn.interventions.models import Intervention
    from samsyn.pictures.models import SituationPicture

TEXT_MAX = 5000


class AnalysisError(ValueError):
    """Input that cannot be saved; the message is for the reader."""


def start_analysis(
    collab: Collaboration,
    area: Area,
    category: Category,
    period: Period,
    flagged: list[str],
    *,
    by: User | None,
    picture: SituationPicture | None = None,
) -> ProblemAnalysis:
    """The analysis of this area, category and period: the existing one, or a new one
    with its figures frozen now."""
    existing = ProblemAnalysis.objects.filter(
        collaboration=collab,
        area=area,
        category=category,
        period_kind=period.kind,
        period_label=period.label,
    ).first()
    if existing is not None:
        return existing
    periods = window(period, collab)
    full, open_, trace = problem_figures.build(collab, area, category, periods, flagged)
    try:
        with transaction.atomic():
            analysis = ProblemAnalysis.objects.create(
                collaboration=collab,
                area=area,
                category=category,
                period_kind=period.kind,
                period_label=period.label,
                periods=[p.label for p in periods],
                flagged=list(flagged),
                since=periods[0].start,
                until=periods[-1].end,
                picture=picture,
                figures=full,
                figures_open=open_,
                trace=trace,
                created_by=by,
            )
            record(
                by,
                "problem_analysis.started",
                analysis,
                collaboration=collab,
                data={"area": area.ref, "category": category.code},
            )
    except IntegrityError:  # started at the same moment by someone else
        return ProblemAnalysis.objects.get(
            collaboration=collab,
            area=area,
            category=category,
            period_kind=period.kind,
            period_label=period.label,
        )
    return analysis


@transaction.atomic
def save_text(
    analysis: ProblemAnalysis, data: dict[str, Any], *, by: User
) -> ProblemAnalysis:
    """The forum's own analysis; refused whole if a field holds personal data."""
    clean = {}
    for name in TEXT_FIELDS_ALL:
        text = (data.get(name) or "").strip()
        if len(text) > TEXT_MAX:
            raise AnalysisError(
                _("A text is too long (at most %(n)s characters).") % {"n": TEXT_MAX}
            )
        if find_personal_data(text):
            raise AnalysisError(
                _(
                    "The text seems to contain personal data (a personal identity "
                    "number, phone number or e-mail address). Remove it and save "
                    "again."
                )
            )
        clean[name] = text
    changed = sorted(k for k, v in clean.items() if getattr(analysis, k) != v)
    for k, v in clean.items():
        setattr(analysis, k, v)
    analysis.updated = timezone.now()
    analysis.save()
    record(by, "problem_analysis.edited", analysis, data={"fields": changed})
    return analysis


@transaction.atomic
def link_intervention(
    analysis: ProblemAnalysis, iv: Intervention, *, by: User | None
) -> None:
    analysis.interventions.add(iv)
    record(
        by,
        "problem_analysis.intervention",
        analysis,
        data={"intervention": str(iv.code)},
    )


def tried(analysis: ProblemAnalysis) -> list[Intervention]:
    """Interventions in the register for this area and category: linked to the
    area, its district or a place in it, and to the category or to none; and every
    intervention made from the analysis."""
    from samsyn.interventions.models import Intervention

    where = Q(areas=analysis.area) | Q(places__area=analysis.area)
    if analysis.area.parent_id:
        where |= Q(areas=analysis.area.parent_id)
    what = Q(categories=analysis.category) | Q(categories__isnull=True)
    ids = set(
        Intervention.objects.filter(collaboration=analysis.collaboration)
        .filter(where)
        .filter(what)
        .values_list("pk", flat=True)
    ) | set(analysis.interventions.values_list("pk", flat=True))
    return list(
        Intervention.objects.filter(pk__in=ids)
        .select_related("owner")
        .prefetch_related("evaluations")
        .order_by("-starts_on", "-pk")
    )
