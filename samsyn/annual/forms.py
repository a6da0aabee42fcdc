"""Input validation for the annual report's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.annual.models import ActionPlanItem, AnnualReport
from samsyn.interventions.models import Intervention
from samsyn.organisations.models import Collaboration, Organisation


class TextsForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = [*AnnualReport.TEXT_FIELDS, "measures_needed", "follow_up_on"]
        widgets = {
            **{f: forms.Textarea(attrs={"rows": 5}) for f in AnnualReport.TEXT_FIELDS},
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }


class ItemForm(forms.ModelForm):
    # The detail page also holds the texts form, which has its own follow-up date.
    prefix = "item"

    class Meta:
        model = ActionPlanItem
        fields = [
            "goal",
            "measure",
            "owner",
            "indicator",
            "intervention",
            "follow_up_on",
        ]
        widgets = {
            "measure": forms.Textarea(attrs={"rows": 3}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the collaboration's own organisations and interventions can be chosen:
        # another collaboration's id is "not one of the available choices".
        self.fields["owner"].queryset = Organisation.objects.filter(
            collaboration=collaboration
        ).order_by("name")
        self.fields["intervention"].queryset = Intervention.objects.filter(
            collaboration=collaboration
        ).order_by("-starts_on", "title")
        self.fields["intervention"].empty_label = _("— not linked —")
