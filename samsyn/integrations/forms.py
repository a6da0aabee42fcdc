"""Input validation for exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.integrations import exports
from samsyn.integrations.models import Webhook
from samsyn.organisations.access import Access, Cap
from samsyn.reports.forms import ReportFilterForm
from samsyn.reports.models import Category


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

    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("readable", _("Readable: headings and values in words")),
            (
                "machine",
                _("Machine-readable: fixed keys and codes, for integrations"),
            ),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text=_("GeoJSON is always machine-readable."),
    )

    field_order = ["kind", "format", "layout", "since", "until", "category", "area"]

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, access=access, **kwargs)
        self.fields["kind"].choices = kind_choices()


class CategoryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class WebhookForm(forms.ModelForm):
    """A webhook's receiver and filter; the secret is made by the app, never typed."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Where new reports are posted (https). The receiver checks the "
            "X-Samsyn-Signature header with the secret shown when it is created."
        ),
    )
    categories = CategoryChoice(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Categories"),
        help_text=_("None ticked: every category."),
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "categories", "include_restricted"]
        help_texts = {
            "include_restricted": _(
                "Also send reports restricted to their organisation. Only for "
                "receivers that may see them."
            ),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(
            collaboration=access.collaboration, active=True
        ).order_by("sort_order", "code")
        if self.instance.pk:
            self.initial.setdefault(
                "categories",
                list(self.instance.categories.values_list("pk", flat=True)),
            )
        # Restricted reports may only be sent on by someone who may read them; a
        # change made by anyone else turns sending them off (else whoever may not
        # read them could point a coordinator's hook at an address of their own).
        self.turns_off_restricted = False
        if not access.can(Cap.VIEW_RESTRICTED):
            del self.fields["include_restricted"]
            self.turns_off_restricted = bool(self.instance.include_restricted)

    def _post_clean(self) -> None:
        super()._post_clean()
        if "include_restricted" not in self.fields:
            self.instance.include_restricted = False

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give an http or https address."))
        return url
