"""Imports pages for coordinators: upload, preview (dry run), confirm, progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.lib.limits import max_body
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access
from samsyn.police.batches import (
    EVENTS_TOO_LARGE_ADVICE,
    EVENTS_WEB_MAX_BYTES,
    confirm_batch,
    events_too_large,
    save_mapping,
    stage_crimes,
    stage_events,
)
from samsyn.police.crimes import AmbiguousDates, mapping_from_snapshot
from samsyn.police.forms import CrimesUploadForm, EventsUploadForm, MappingForm
from samsyn.police.models import ColumnMapping, ImportBatch
from samsyn.police.tabular import MAX_BYTES, FileProblem

RECENT_BATCHES = 50


def _import_access(request: HttpRequest) -> Access:
    access = get_access(request)
    if not access.can(Cap.IMPORT_DATA):
        raise Http404
    return access


def _batch(access: Access, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.filter(collaboration=access.collaboration).defer("payload"),
        pk=pk,
    )


def _page(
    request: HttpRequest,
    access: Access,
    *,
    events_form: EventsUploadForm | None = None,
    crimes_form: CrimesUploadForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    collab = access.collaboration
    if collab is None:
        raise Http404
    return render(
        request,
        "police/imports.html",
        {
            "batches": ImportBatch.objects.filter(collaboration=collab)
            .defer("payload", "preview", "skipped")
            .select_related("created_by")[:RECENT_BATCHES],
            "mappings": ColumnMapping.objects.filter(collaboration=collab),
            "events_form": events_form or EventsUploadForm(),
            "crimes_form": crimes_form or CrimesUploadForm(collaboration=collab),
            "error": error,
        },
        status=status,
    )


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    return _page(request, _import_access(request))


@max_body(EVENTS_WEB_MAX_BYTES, advice=EVENTS_TOO_LARGE_ADVICE)
@login_required
@require_POST
def upload_events(request: HttpRequest) -> HttpResponse:
    access = _import_access(request)
    form = EventsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, access, events_form=form, status=422)
    upload = form.cleaned_data["file"]
    if upload.size > EVENTS_WEB_MAX_BYTES:  # a body sent without its length
        form.add_error("file", events_too_large(upload.size))
        return _page(request, access, events_form=form, status=422)
    try:
        batch = stage_events(
            access,
            upload.read(),
            upload.name,
            county=form.cleaned_data["county"].strip(),
            places=form.cleaned_data["places"],
        )
    except FileProblem as exc:
        form.add_error("file", _("Nothing was imported: %(e)s") % {"e": exc})
        return _page(request, access, events_form=form, status=422)
    return redirect("police:batch", pk=batch.pk)


@max_body(MAX_BYTES)
@login_required
@require_POST
def upload_crimes(request: HttpRequest) -> HttpResponse:
    access = _import_access(request)
    collab = access.collaboration
    if collab is None:
        raise Http404
    form = CrimesUploadForm(request.POST, request.FILES, collaboration=collab)
    if not form.is_valid():
        return _page(request, access, crimes_form=form, status=422)
    upload = form.cleaned_data["file"]
    try:
        batch = stage_crimes(
            access,
            upload.read(),
            upload.name,
            form.cleaned_data["mapping"],
            form.cleaned_data["date_order"],
        )
    except AmbiguousDates as exc:
        form.add_error("date_order", str(exc))
        return _page(request, access, crimes_form=form, status=422)
    except FileProblem as exc:
        form.add_error("file", _("Nothing was imported: %(e)s") % {"e": exc})
        return _page(request, access, crimes_form=form, status=422)
    return redirect("police:batch", pk=batch.pk)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    access = _import_access(request)
    item = _batch(access, pk)
    return render(request, "police/batch.html", {"batch": item})


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    access = _import_access(request)
    item = _batch(access, pk)
    response = render(request, "police/_progress.html", {"batch": item})
    if item.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the full result page
    return response


@login_required
@require_POST
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    access = _import_access(request)
    item = _batch(access, pk)
    if item.status != ImportBatch.Status.PREVIEW:
        messages.info(request, _("This import has already been started."))
    else:
        confirm_batch(access, item)
    return redirect("police:batch", pk=item.pk)


@login_required
def mapping_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = _import_access(request)
    collab = access.collaboration
    if collab is None:
        raise Http404
    if pk is None:
        instance = ColumnMapping(collaboration=collab)
        source = request.GET.get("batch", "")
        if source.isdigit():
            staged = _batch(access, int(source))
            if staged.kind == ImportBatch.Kind.CRIMES and staged.options.get("mapping"):
                instance = mapping_from_snapshot(staged.options["mapping"])
                instance.collaboration = collab
    else:
        instance = get_object_or_404(
            ColumnMapping.objects.filter(collaboration=collab), pk=pk
        )
    if request.method == "POST":
        form = MappingForm(request.POST, instance=instance, collaboration=collab)
        if form.is_valid():
            mapping = form.save(commit=False)
            save_mapping(access, mapping)
            messages.success(
                request, _("Mapping %(name)s saved.") % {"name": mapping.name}
            )
            return redirect("police:imports")
        status = 422
    else:
        form = MappingForm(instance=instance, collaboration=collab)
        status = 200
    return render(
        request,
        "police/mapping_form.html",
        {"form": form, "mapping": instance if pk else None},
        status=status,
    )
