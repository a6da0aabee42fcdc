"""Web pages for interventions: register, quick capture, detail, follow-up, annual."""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.interventions import actions, followup, prefill, verdicts
from samsyn.interventions.forms import (
    MAX_UPLOAD,
    AnswerForm,
    EffortForm,
    EvaluateForm,
    FilterForm,
    InterventionForm,
    NoteForm,
    PartnerForm,
    QuickForm,
    StatusForm,
)
from samsyn.interventions.models import Evaluation, Intervention, Partnership
from samsyn.lib.limits import max_body
from samsyn.lib.svgchart import describe
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access


def _get(access: Access, code: uuid.UUID) -> Intervention:
    return get_object_or_404(
        Intervention.objects.visible_to(access).select_related(
            "owner", "collaboration"
        ),
        code=code,
    )


def _updatable(request: HttpRequest, code: uuid.UUID) -> Intervention:
    access = require_access(request, Cap.VIEW_REPORTS)
    iv = _get(access, code)
    if not iv.can_update(access):
        raise Http404
    return iv


def _managed(request: HttpRequest, code: uuid.UUID) -> tuple[Access, Intervention]:
    access = require_access(request, Cap.MANAGE_INTERVENTIONS)
    return access, _get(access, code)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    form = FilterForm(request.GET or None, collaboration=access.collaboration)
    qs = Intervention.objects.visible_to(access).select_related("owner")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("owner"):
        qs = qs.filter(owner=data["owner"])
    if data.get("area"):
        a = data["area"]
        qs = qs.filter(
            Q(areas=a)
            | Q(areas__parent=a)
            | Q(places__area=a)
            | Q(places__area__parent=a)
        ).distinct()
    qs = qs.prefetch_related(
        "areas",
        "places",
        Prefetch(
            "evaluations", queryset=Evaluation.objects.order_by("-created", "-id")
        ),
        Prefetch(
            "partnerships", queryset=Partnership.objects.select_related("organisation")
        ),
    )
    page = Paginator(qs.order_by("-starts_on", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "interventions/register.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_manage": access.can(Cap.MANAGE_INTERVENTIONS),
        },
    )


@login_required
def quick(request: HttpRequest) -> HttpResponse:
    """Quick capture; from a situation picture with GET parameters that prefill it
    (see `samsyn.interventions.prefill`; anything not visible is ignored)."""
    access = require_access(request, Cap.MANAGE_INTERVENTIONS)
    initial = {
        "starts_on": timezone.localdate(),
        "status": Intervention.Status.DECIDED,
        "owner": min(access.organisation_ids, default=None),
    }
    picture = None
    if request.method != "POST":
        pre = prefill.from_query(access, request.GET)
        initial.update(pre.initial)
        picture = pre.picture
    form = QuickForm(
        request.POST or None, initial=initial, collaboration=access.collaboration
    )
    if request.method == "POST":
        picture = prefill.visible_picture(access, request.POST.get("picture"))
    if request.method == "POST" and form.is_valid():
        data = form.intervention_data()
        if picture is not None:
            data["trigger_type"] = prefill.TRIGGER_PICTURE
            data["trigger_code"] = str(picture.code)
            data["trigger_text"] = data["trigger_text"] or prefill.trigger_text(
                picture, data["problem"]
            )
        iv = actions.register_intervention(
            access.collaboration,  # type: ignore[arg-type]
            data,
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(
            request,
            _("The intervention “%(title)s” was recorded.") % {"title": iv.title},
        )
        if request.POST.get("another"):
            url = reverse("interventions:quick")
            if picture is not None:
                url += "?" + urlencode({"picture": str(picture.code)})
            return redirect(url)
        return redirect("interventions:detail", code=iv.code)
    return render(
        request,
        "interventions/quick.html",
        {
            "form": form,
            "picture": picture,
            "picture_name": prefill.picture_name(picture) if picture else "",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_INTERVENTIONS)
    form = InterventionForm(
        request.POST or None,
        initial={"starts_on": timezone.localdate()},
        collaboration=access.collaboration,
    )
    if request.method == "POST" and form.is_valid():
        iv = actions.register_intervention(
            access.collaboration,  # type: ignore[arg-type]
            form.cleaned_data,
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("The intervention was registered."))
        return redirect("interventions:detail", code=iv.code)
    return render(
        request,
        "interventions/form.html",
        {"form": form, "intervention": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def edit(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access, iv = _managed(request, code)
    form = InterventionForm(
        request.POST or None,
        initial=InterventionForm.initial_for(iv),
        collaboration=access.collaboration,
    )
    if request.method == "POST" and form.is_valid():
        actions.update_intervention(iv, form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The intervention was saved."))
        return redirect("interventions:detail", code=iv.code)
    return render(
        request,
        "interventions/form.html",
        {"form": form, "intervention": iv},
        status=422 if request.method == "POST" else 200,
    )


def _change(c: dict[str, int]) -> str:
    before, after = c.get("before", 0), c.get("after", 0)
    if not before:
        return "—"
    return f"{100.0 * (after - before) / before:+.0f} %"


SERIES = (("target", "#b3261e"), ("buffer", "#c77700"), ("control", "#1f4e79"))


def _chart(weekly: dict[str, list[int]], weeks: int) -> str:
    """A small SVG line chart of the weekly series, each scaled to its own maximum
    (the shapes matter, not the volumes), with the start of the intervention."""
    if not weekly or not weeks:
        return ""
    names = {"target": _("target"), "buffer": _("buffer"), "control": _("control")}
    w, h, pad = 800, 150, 6
    n = max(len(v) for v in weekly.values())
    if n < 2:
        return ""
    # The text equivalent gives each series' weekly values (weeks numbered from the
    # first), not only the shapes.
    weeks_n = [str(i + 1) for i in range(n)]
    text = ". ".join(
        [str(_("Events per week"))]
        + [
            describe(str(names[name]), weeks_n, weekly.get(name) or [])
            for name, _colour in SERIES
            if weekly.get(name)
        ]
    )
    parts = [
        f'<svg viewBox="0 0 {w} {h}" class="iv-svg" role="img" '
        f'aria-label="{escape(text)}">'
    ]
    x_start = pad + (w - 2 * pad) * weeks / (n - 1)
    parts.append(
        f'<line x1="{x_start:.1f}" y1="0" x2="{x_start:.1f}" y2="{h}" '
        'stroke="#555" stroke-dasharray="4 3"/>'
    )
    for name, colour in SERIES:
        values = weekly.get(name) or []
        top = max(values or [0]) or 1
        pts = " ".join(
            f"{pad + (w - 2 * pad) * i / (n - 1):.1f},"
            f"{h - pad - (h - 2 * pad) * v / top:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="iv-key iv-key-{name}">{names[name]}</span>'
        for name, colour in SERIES
    )
    return "".join(parts) + f'<p class="iv-legend">{legend}</p>'


def evaluation_context(ev: Evaluation | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    r = ev.results
    counts = r.get("counts", {})
    return {
        "row": ev,
        "r": r,
        "changes": {
            k: _change(counts.get(k, {}))
            for k in ("target", "buffer", "control", "rest")
        },
        "chart": _chart(r.get("weekly") or {}, int(ev.inputs.get("weeks") or 0)),
        "said": followup.verdict(ev),
        "wdq_line": verdicts.wdq_line(r.get("wdq"), ev.displacement),
        "wdd_note": verdicts.wdd_note(r),
    }


@login_required
def detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    iv = _get(access, code)
    can_update = iv.can_update(access)
    can_manage = access.can(Cap.MANAGE_INTERVENTIONS)
    partners = list(
        iv.partnerships.select_related("organisation", "answered_by").prefetch_related(
            "events__changed_by"
        )
    )
    for p in partners:
        p.may_answer = p.can_answer(access)  # type: ignore[attr-defined]
    evaluations = list(iv.evaluations.select_related("evaluated_by"))
    trigger_picture = (
        prefill.visible_picture(access, iv.trigger_code)
        if iv.trigger_type == prefill.TRIGGER_PICTURE
        else None
    )
    trigger_analysis = (
        iv.problem_analyses.visible_to(access).first()
        if iv.trigger_type == "problem_analysis"
        else None
    )
    return render(
        request,
        "interventions/detail.html",
        {
            "iv": iv,
            "trigger_picture": trigger_picture,
            "trigger_analysis": trigger_analysis,
            "history": iv.events.select_related("changed_by"),
            "partners": partners,
            "notes": iv.notes.select_related("author"),
            "can_update": can_update,
            "can_manage": can_manage,
            "transitions": iv.manual_transitions() if can_update else [],
            "effort_form": EffortForm(
                initial={"spent_hours": iv.spent_hours, "spent_cost": iv.spent_cost}
            ),
            "partner_form": PartnerForm(intervention=iv) if can_manage else None,
            "note_form": NoteForm() if can_update else None,
            "evaluate_form": (
                EvaluateForm(collaboration=iv.collaboration)
                if can_manage and iv.can_evaluate()
                else None
            ),
            "evaluation": evaluation_context(evaluations[0] if evaluations else None),
            "older_evaluations": evaluations[1:],
        },
    )


@login_required
@require_POST
def status(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    iv = _updatable(request, code)
    form = StatusForm(request.POST)
    if form.is_valid() and form.cleaned_data["status"] != Intervention.Status.EVALUATED:
        try:
            actions.change_status(
                iv,
                status=form.cleaned_data["status"],
                by=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The status was changed."))
        except actions.TransitionNotAllowed:
            messages.error(request, _("That status change is not allowed."))
    else:
        messages.error(request, _("The status could not be changed."))
    return redirect("interventions:detail", code=iv.code)


@login_required
@require_POST
def effort(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    iv = _updatable(request, code)
    form = EffortForm(request.POST)
    if form.is_valid():
        actions.record_effort(
            iv,
            by=request.user,  # type: ignore[arg-type]
            spent_hours=form.cleaned_data["spent_hours"],
            spent_cost=form.cleaned_data["spent_cost"],
        )
        messages.success(request, _("The effort was recorded."))
    else:
        messages.error(request, _("Give hours and cost as positive numbers."))
    return redirect("interventions:detail", code=iv.code)


@login_required
@require_POST
def add_partner(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access, iv = _managed(request, code)
    form = PartnerForm(request.POST, intervention=iv)
    if form.is_valid():
        actions.ask_partner(
            iv,
            form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("The organisation was asked to take part."))
    else:
        messages.error(request, _("Choose an organisation and say what is asked."))
    return redirect("interventions:detail", code=iv.code)


@login_required
@require_POST
def answer(request: HttpRequest, code: uuid.UUID, partner: uuid.UUID) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    iv = _get(access, code)
    p = get_object_or_404(iv.partnerships.select_related("organisation"), code=partner)
    if not p.can_answer(access):
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        actions.answer_partnership(
            p,
            accept=form.cleaned_data["answer"] == Partnership.Status.ACCEPTED,
            by=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Your answer was recorded."))
    else:
        messages.error(request, _("The answer could not be recorded."))
    return redirect("interventions:detail", code=iv.code)


@max_body(MAX_UPLOAD)
@login_required
@require_POST
def add_note(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    iv = _updatable(request, code)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        actions.add_note(
            iv,
            by=request.user,  # type: ignore[arg-type]
            text=form.cleaned_data["text"],
            file=form.cleaned_data.get("file"),
        )
        messages.success(request, _("The note was added."))
    else:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    return redirect("interventions:detail", code=iv.code)


@login_required
def note_file(request: HttpRequest, code: uuid.UUID, pk: int) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    iv = _get(access, code)
    note = get_object_or_404(iv.notes.exclude(file=""), pk=pk)
    try:
        with note.file.open("rb") as fh:
            body = fh.read()  # uploads are at most 10 MB
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(body, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        True, note.file_name or "document"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evaluate(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access, iv = _managed(request, code)
    form = EvaluateForm(request.POST, collaboration=iv.collaboration)
    control = form.cleaned_data["control"] if form.is_valid() else ""
    try:
        actions.evaluate_intervention(iv, request.user, control or None)  # type: ignore[arg-type]
        messages.success(request, _("The intervention was evaluated."))
    except actions.EvaluationError as exc:
        messages.error(request, _("It could not be evaluated: %(why)s") % {"why": exc})
    return redirect("interventions:detail", code=iv.code)


@login_required
def annual(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    result = followup.annual_analysis(access.collaboration, year)
    return render(
        request,
        "interventions/annual.html",
        {
            "a": result,
            "year": year,
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )
