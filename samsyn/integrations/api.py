"""Exports over the API: /api/v1/exports/<kind>.<format>, same filters as the map."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from samsyn.api import api_access, field_errors
from samsyn.integrations import exports
from samsyn.integrations.forms import ExportForm, kind_choices
from samsyn.integrations.views import download, run_export
from samsyn.organisations.access import Cap
from samsyn.reports.views import _filtered

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
    qs, _params = _filtered(access, form)
    rows = exports.count_rows(access, kind, qs if kind == "reports" else None)
    limit = settings.SAMSYN_API_EXPORT_MAX_ROWS
    if rows > limit:
        # One response must finish within the server's timeout; bigger pulls page
        # through /api/v1/reports or run `samsyn export`.
        return field_errors(
            {
                "since": [
                    _(
                        "This export has %(rows)s rows, more than the API sends in "
                        "one response (%(limit)s). Narrow it with since, until or "
                        "area, page through /api/v1/reports, or ask the "
                        "administrator to run `samsyn export`."
                    )
                    % {"rows": rows, "limit": limit}
                ]
            },
            status=413,
        )
    return download(run_export(request, access, kind, fmt, form))


@router.get(
    "/reports.{fmt}",
    url_name="export_reports",
    summary="Export reports",
    description=(
        "Reports you may see as CSV (UTF-8 with BOM, `;`-separated), XLSX or "
        "GeoJSON. Filters: since, until (dates), category, area (code), "
        "organisation, status. Written to the audit log. One response holds at "
        "most `SAMSYN_API_EXPORT_MAX_ROWS` rows (100,000 by default); a bigger "
        "export is refused with status 413: narrow it, or page through "
        "/api/v1/reports."
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
