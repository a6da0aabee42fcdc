from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.models import Collaboration
from samsyn.surveys.models import SurveyMapping


class MappingForm(forms.ModelForm):
    class Meta:
        model = SurveyMapping
        fields = [
            "name",
            "source",
            "indicator",
            "area_column",
            "year_column",
            "value_column",
            "respondents_column",
            "scale_min",
            "scale_max",
            "higher_is_worse",
        ]

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.collaboration = collaboration
        self.collaboration = collaboration

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = SurveyMapping.objects.filter(
            collaboration=self.collaboration, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A mapping with this name exists."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lo, hi = data.get("scale_min"), data.get("scale_max")
        if lo is not None and hi is not None and lo >= hi:
            self.add_error("scale_max", _("Must be above the lowest value."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    mapping = forms.ModelChoiceField(
        label=_("Mapping"),
        queryset=SurveyMapping.objects.none(),
        required=False,
        empty_label=_("Standard (area, year, value, respondents; 0–6)"),
    )
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = SurveyMapping.objects.filter(  # type: ignore[attr-defined]
            collaboration=collaboration
        )
