"""Pages of the annual report: list, document with section editing, action plan,
approval, new version, PDF. Editing pages need APPROVE_PICTURE (coordinators);
everyone else gets a 404, as does another collaboration's report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from samsyn.annual.actions import (
    AnnualError,
    PersonalDataFound,
    add_item,
    approve_report,
    change_item,
    create_report,
    remove_item,
    save_texts,
)
from samsyn.annual.charts import monthly_chart
from samsyn.annual.forms import ItemForm, TextsForm
from samsyn.annual.models import ActionPlanItem, AnnualReport
from samsyn.lib.svgchart import sparkline
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.reports.models import Severity

HOTSPOT_LABELS = {
    "new_hot": gettext_lazy("New hotspot"),
    "consecutive_hot": gettext_lazy("Consecutive hotspot"),
    "intensifying_hot": gettext_lazy("Intensifying hotspot"),
    "persistent_hot": gettext_lazy("Persistent hotspot"),
    "oscillating_hot": gettext_lazy("Oscillating hotspot"),
    "sporadic_hot": gettext_lazy("Sporadic hotspot"),
}
# The months' initials under the annual chart, January to December.
MONTHS = [
    pgettext_lazy("month initial", "J"),
    pgettext_lazy("month initial", "F"),
    pgettext_lazy("month initial", "M"),
    pgettext_lazy("month initial", "A"),
    pgettext_lazy("month initial", "M"),
    pgettext_lazy("month initial", "J"),
    pgettext_lazy("month initial", "J"),
    pgettext_lazy("month initial", "A"),
    pgettext_lazy("month initial", "S"),
    pgettext_lazy("month initial", "O"),
    pgettext_lazy("month initial", "N"),
    pgettext_lazy("month initial", "D"),
]
PERSONAL_DATA = gettext_lazy(
    "The text seems to contain personal data (a personal identity number, phone "
    "number or e-mail address). Remove it and save again."
)


def _report(
    request: HttpRequest, code: Any, cap: Cap = Cap.VIEW_REPORTS
) -> tuple[Access, AnnualReport]:
    access = require_access(request, cap)
    qs = AnnualReport.objects.visible_to(access).select_related(
        "collaboration", "created_by", "approved_by"
    )
    return access, get_object_or_404(qs, code=code)


def _error_text(exc: AnnualError) -> str:
    return str(PERSONAL_DATA) if isinstance(exc, PersonalDataFound) else str(exc)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    reports = AnnualReport.objects.visible_to(access).select_related("approved_by")
    years: dict[int, list[AnnualReport]] = {}
    for r in reports.order_by("-year", "-version"):
        years.setdefault(r.year, []).append(r)
    return render(
        request,
        "annual/list.html",
        {
            "years": sorted(years.items(), reverse=True),
            "can_create": access.can(Cap.APPROVE_PICTURE),
            "default_year": timezone.localdate().year - 1,
        },
    )


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.APPROVE_PICTURE)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    if not 2000 <= year <= timezone.localdate().year:
        messages.error(request, _("Choose a year from 2000 to this year."))
        return redirect("annual:list")
    report = create_report(access.collaboration, year, by=request.user)
    return redirect("annual:detail", code=report.code)


def document_context(report: AnnualReport) -> dict[str, Any]:
    """Everything the page and the PDF render, from the frozen figures and texts."""
    fig = report.figures
    sit = fig.get("situation", {})
    years = sit.get("years", [])
    monthly = sit.get("monthly", {})
    this = monthly.get(str(report.year), [0] * 12)
    prev = monthly.get(str(report.year - 1))
    chart = monthly_chart(
        this,
        prev,
        months=[str(m) for m in MONTHS],
        label=_("Reports per month, %(y)s and %(p)s")
        % {"y": report.year, "p": report.year - 1},
        legend=(str(report.year), str(report.year - 1)),
    )
    categories = [
        {
            **row,
            "spark": mark_safe(  # noqa: S308 (numbers and an escaped label)
                sparkline(
                    row["years"], label=row["name"], points=[str(y) for y in years]
                )
            ),
        }
        for row in sit.get("categories", [])
    ]
    severity_names = dict(Severity.choices)
    total = sum(s["n"] for s in sit.get("severity", [])) or 1
    severity = [
        {
            **s,
            "name": severity_names.get(s["level"], s["level"]),
            "pct": round(100 * s["n"] / total),
        }
        for s in sit.get("severity", [])
    ]
    return {
        "report": report,
        "fig": fig,
        "sit": sit,
        "police": fig.get("police", {}),
        "analysis": fig.get("analysis", {}),
        "hotspots": [
            {**s, "label": HOTSPOT_LABELS.get(s["class"], s["class"])}
            for s in fig.get("analysis", {}).get("hotspots", [])
        ],
        "followup": fig.get("followup", {}),
        "categories": categories,
        "severity": severity,
        "year_totals": list(zip(years, sit.get("totals", []), strict=False)),
        "chart": mark_safe(chart),  # noqa: S308 (escaped in monthly_chart)
        "items": list(
            report.items.select_related("owner", "intervention").order_by(
                "created", "id"
            )
        ),
    }


@login_required
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    access, report = _report(request, code)
    ctx = document_context(report)
    can_manage = access.can(Cap.APPROVE_PICTURE)
    editable = can_manage and report.is_draft
    ctx.update(
        {
            "can_edit": editable,
            "can_manage": can_manage,
            "texts_form": TextsForm(instance=report) if editable else None,
            "item_form": (
                ItemForm(collaboration=report.collaboration) if editable else None
            ),
            "events": report.events.select_related("actor"),
            "versions": AnnualReport.objects.filter(
                collaboration=report.collaboration, year=report.year
            )
            .only("code", "version", "status")
            .order_by("version"),
        }
    )
    return render(request, "annual/detail.html", ctx)


@login_required
@require_POST
def texts(request: HttpRequest, code: Any) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    form = TextsForm(request.POST, instance=AnnualReport(year=report.year))
    if not form.is_valid():
        messages.error(request, _("Check the follow-up date."))
        return redirect("annual:detail", code=report.code)
    data = form.cleaned_data
    try:
        # Each section posts only its own fields; the others stay as they are.
        save_texts(
            report,
            {k: data[k] for k in AnnualReport.TEXT_FIELDS if k in request.POST},
            measures_needed=(
                data["measures_needed"]
                if "measures_needed_present" in request.POST
                else None
            ),
            follow_up_on=data["follow_up_on"],
            by=request.user,
        )
        messages.success(request, _("The texts are saved."))
    except AnnualError as exc:
        messages.error(request, _error_text(exc))
    return redirect("annual:detail", code=report.code)


def _item_values(form: ItemForm) -> dict[str, Any]:
    return {f: form.cleaned_data[f] for f in ItemForm.Meta.fields}


@login_required
@require_POST
def item_add(request: HttpRequest, code: Any) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    form = ItemForm(request.POST, collaboration=report.collaboration)
    if not form.is_valid():
        messages.error(request, _("The action was not added: check the fields."))
        return render(
            request,
            "annual/item.html",
            {"report": report, "form": form, "item": None},
            status=422,
        )
    try:
        add_item(report, _item_values(form), by=request.user)
        messages.success(request, _("The action is added to the plan."))
    except AnnualError as exc:
        messages.error(request, _error_text(exc))
    return redirect(f"{report_url(report)}#plan")


def report_url(report: AnnualReport) -> str:
    from django.urls import reverse

    return reverse("annual:detail", kwargs={"code": report.code})


def _item(report: AnnualReport, item_id: int) -> ActionPlanItem:
    return get_object_or_404(
        ActionPlanItem.objects.select_related("report"), report=report, pk=item_id
    )


@login_required
def item_edit(request: HttpRequest, code: Any, item: int) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    row = _item(report, item)
    if report.is_approved:
        messages.error(request, _("An approved annual report is read-only."))
        return redirect("annual:detail", code=report.code)
    form = ItemForm(
        request.POST or None, instance=row, collaboration=report.collaboration
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_item(row, _item_values(form), by=request.user)
            messages.success(request, _("The action is saved."))
            return redirect(f"{report_url(report)}#plan")
        except AnnualError as exc:
            messages.error(request, _error_text(exc))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "annual/item.html",
        {"report": report, "form": form, "item": row},
        status=status,
    )


@login_required
@require_POST
def item_remove(request: HttpRequest, code: Any, item: int) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    try:
        remove_item(_item(report, item), by=request.user)
        messages.success(request, _("The action is removed from the plan."))
    except AnnualError as exc:
        messages.error(request, _error_text(exc))
    return redirect(f"{report_url(report)}#plan")


@login_required
@require_POST
def approve(request: HttpRequest, code: Any) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    try:
        approve_report(report, access, by=request.user)
        messages.success(request, _("The annual report is approved and read-only."))
    except AnnualError as exc:
        messages.error(request, _error_text(exc))
    return redirect("annual:detail", code=report.code)


@login_required
@require_POST
def new_version(request: HttpRequest, code: Any) -> HttpResponse:
    access, report = _report(request, code, Cap.APPROVE_PICTURE)
    new = create_report(
        report.collaboration, report.year, by=request.user, new_version=True
    )
    messages.success(request, _("Version %(v)s created.") % {"v": new.version})
    return redirect("annual:detail", code=new.code)


@login_required
def pdf(request: HttpRequest, code: Any) -> HttpResponse:
    from samsyn.annual.tasks import queue_annual_pdf

    access, report = _report(request, code)
    job = None
    if not report.pdf or report.pdf_built_for != report.updated:
        job = queue_annual_pdf(report, by=request.user)
        report.refresh_from_db(fields=["pdf", "pdf_built_for", "updated"])
    if not report.pdf or report.pdf_built_for != report.updated:
        ctx = {"report": report, "job": job}
        return render(request, "annual/pdf_pending.html", ctx)
    filename = f"arsrapport-{report.year}-v{report.version}.pdf"
    with report.pdf.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
