from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration
from samsyn.police.models import ColumnMapping
from samsyn.reports.models import Category


class EventsUploadForm(forms.Form):
    prefix = "events"  # shares the imports page with the crimes form

    file = forms.FileField(
        label=_("Events file (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        help_text=_(
            "At most 20 MB here. A larger archive: `samsyn import_police_events FILE "
            "--collaboration SLUG` reads files of any size."
        ),
    )
    county = forms.CharField(
        label=_("County"),
        required=False,
        max_length=100,
        help_text=_("E.g. Örebro län: keeps county-wide events as context."),
    )
    places = forms.CharField(
        label=_("Towns in the municipality"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated."),
    )

    def clean_places(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["places"].split(",") if p.strip()]


class CrimesUploadForm(forms.Form):
    prefix = "crimes"  # shares the imports page with the events form

    file = forms.FileField(
        label=_("Crime extract (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"),
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label=_("Suggest from the file's headers"),
    )
    date_order = forms.ChoiceField(
        label=_("Dates like 03/05/2024"),
        required=False,
        choices=[
            ("", _("Decide from the file")),
            ("dmy", _("Day first: 3 May 2024")),
            ("mdy", _("Month first: 5 March 2024")),
        ],
        help_text=_(
            "Only needed when no date in the file shows the order. Dates like "
            "2024-05-03 are always read year first."
        ),
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = ColumnMapping.objects.filter(  # type: ignore[attr-defined]
            collaboration=collaboration
        )


class MappingForm(forms.ModelForm):
    categories = forms.CharField(
        label=_("Crime type → checklist category"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: the police's crime type or code, '=', a category code. "
            "Crimes not listed keep the police's own category."
        ),
    )

    class Meta:
        model = ColumnMapping
        fields = [
            "name",
            "time_column",
            "time_format",
            "clock_column",
            "case_column",
            "code_column",
            "type_column",
            "x_column",
            "y_column",
            "crs",
        ]

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        if not self.is_bound:
            self.initial["categories"] = "\n".join(
                f"{k} = {v}" for k, v in (self.instance.category_map or {}).items()
            )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = ColumnMapping.objects.filter(
            collaboration=self.collaboration, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A mapping with this name exists."))
        return name

    def clean_categories(self) -> dict[str, str]:
        codes = set(
            Category.objects.in_collaboration(self.collaboration).values_list(
                "code", flat=True
            )
        )
        out: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["categories"].splitlines(), 1):
            if not line.strip():
                continue
            police, sep, code = line.rpartition("=")
            police, code = police.strip(), code.strip()
            if not sep or not police or not code:
                raise forms.ValidationError(
                    _("Line %(n)s: write it as 'crime type = category code'.")
                    % {"n": n}
                )
            if code not in codes:
                raise forms.ValidationError(
                    _("Line %(n)s: no checklist category with the code %(code)s.")
                    % {"n": n, "code": code}
                )
            out[police] = code
        return out

    def save(self, commit: bool = True) -> ColumnMapping:
        self.instance.category_map = self.cleaned_data["categories"]
        return super().save(commit=commit)
