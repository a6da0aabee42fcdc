"""Pages: perceived safety beside reported events; survey upload; column mappings."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.lib.dates import in_range
from samsyn.lib.limits import max_body
from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import require_access
from samsyn.surveys.actions import (
    MAX_UPLOAD_BYTES,
    apply_survey_import,
    default_mapping,
    plan_survey_import,
    save_mapping,
)
from samsyn.surveys.forms import MappingForm, UploadForm
from samsyn.surveys.models import SurveyImport, SurveyMapping, SurveyResult
from samsyn.surveys.summary import perceived_for_year

MAX_UPLOAD = MAX_UPLOAD_BYTES


@login_required
def perceived(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_ANALYSIS)
    years = sorted(
        set(
            SurveyResult.objects.filter(collaboration=access.collaboration)
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    try:
        year = int(request.GET.get("year", ""))
        in_range(date(year, 1, 1))
    except (ValueError, OverflowError):  # not a year, or outside the range
        year = years[0] if years else timezone.localdate().year
    summary = perceived_for_year(access.collaboration, year)  # type: ignore[arg-type]
    return render(
        request,
        "surveys/perceived.html",
        {
            "summary": summary,
            "years": years,
            "year": year,
            "can_import": access.can(Cap.IMPORT_DATA),
        },
    )


@max_body(MAX_UPLOAD)
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.IMPORT_DATA)
    collab = access.collaboration
    plan = None
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, collaboration=collab)
        if form.is_valid():
            f = form.cleaned_data["file"]
            if f.size > MAX_UPLOAD:
                form.add_error("file", _("The file is larger than 5 MB."))
                status = 422
            else:
                mapping = form.cleaned_data["mapping"] or default_mapping(collab)  # type: ignore[arg-type]
                plan = plan_survey_import(collab, f.read(), mapping, f.name)  # type: ignore[arg-type]
                if not plan.ok:
                    status = 422
                elif not form.cleaned_data["dry_run"]:
                    imp = apply_survey_import(plan, by=request.user)
                    messages.success(
                        request,
                        _(
                            "Imported: %(c)s new, %(u)s updated, %(n)s unchanged, "
                            "%(s)s skipped."
                        )
                        % {
                            "c": imp.created_count,
                            "u": imp.updated_count,
                            "n": imp.unchanged_count,
                            "s": imp.skipped_count,
                        },
                    )
                    return redirect("surveys:upload")
        else:
            status = 422
    else:
        form = UploadForm(collaboration=collab)
    return render(
        request,
        "surveys/upload.html",
        {
            "form": form,
            "plan": plan,
            "mappings": SurveyMapping.objects.filter(collaboration=collab),
            "imports": SurveyImport.objects.filter(collaboration=collab)[:20],
        },
        status=status,
    )


@login_required
def mapping_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = require_access(request, Cap.IMPORT_DATA)
    instance = None
    if pk is not None:
        instance = get_object_or_404(
            SurveyMapping.objects.filter(collaboration=access.collaboration), pk=pk
        )
    form = MappingForm(
        request.POST or None,
        instance=instance,
        collaboration=access.collaboration,  # type: ignore[arg-type]
    )
    if request.method == "POST":
        if form.is_valid():
            save_mapping(form.save(commit=False), by=request.user)
            messages.success(request, _("Mapping saved."))
            return redirect("surveys:upload")
        status = 422
    else:
        status = 200
    return render(
        request,
        "surveys/mapping_form.html",
        {"form": form, "mapping": instance},
        status=status,
    )
