"""Input validation for exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.integrations import exports
from samsyn.organisations.access import Access
from samsyn.reports.forms import ReportFilterForm


def kind_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("reports", _("Reports"))]
    if exports.interventions_available():
        choices.append(("interventions", _("Interventions")))
    if exports.pictures_available():
        choices.append(("pictures", _("Situation pictures (figures)")))
    return choices


class ExportForm(ReportFilterForm):
    """The map page's filters, plus what to export and in which format."""

    kind = forms.ChoiceField(label=_("What to export"), initial="reports")
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV (Excel, semicolon-separated)")),
            ("xlsx", _("Excel workbook (XLSX)")),
            ("geojson", _("GeoJSON (maps, GIS)")),
        ],
        initial="csv",
    )

    field_order = ["kind", "format", "since", "until", "category", "area"]

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, access=access, **kwargs)
        self.fields["kind"].choices = kind_choices()
