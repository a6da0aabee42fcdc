"""Exports over the API: /api/v1/exports/<kind>.<format>, same filters as the map."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from samsyn.api import api_access, field_errors
from samsyn.integrations.forms import ExportForm, kind_choices
from samsyn.integrations.views import download, run_export
from samsyn.organisations.access import Cap

router = Router(tags=["exports"])


def _export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(403, _("Your role does not read reports."))
    if kind not in dict(kind_choices()):
        raise HttpError(404, _("Not available."))
    data = {**request.GET.dict(), "kind": kind, "format": fmt}
    form = ExportForm(data, access=access)
    if not form.is_valid():
        return field_errors({k: [str(e) for e in v] for k, v in form.errors.items()})
    return download(run_export(request, access, kind, fmt, form))


@router.get(
    "/reports.{fmt}",
    url_name="export_reports",
    summary="Export reports",
    description=(
        "Reports you may see as CSV (UTF-8 with BOM, `;`-separated), XLSX or "
        "GeoJSON. Filters: since, until (dates), category, area (code), "
        "organisation, status. Written to the audit log."
    ),
)
def export_reports(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, "reports", fmt)


@router.get("/interventions.{fmt}", url_name="export_interventions")
def export_interventions(request: HttpRequest, fmt: str) -> HttpResponse:
    """Interventions you may see (format csv, xlsx or geojson)."""
    return _export(request, "interventions", fmt)


@router.get("/pictures.{fmt}", url_name="export_pictures")
def export_pictures(request: HttpRequest, fmt: str) -> HttpResponse:
    """Situation pictures' figures: a summary row per picture and one per area."""
    return _export(request, "pictures", fmt)
