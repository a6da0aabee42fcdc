"""Forms of the owner's queue and the rules page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category, Report
from samsyn.routing.models import RoutingRule
from samsyn.walks.forms import MAX_PHOTO_BYTES
from samsyn.walks.models import PHOTO_TYPES


class DoneForm(forms.Form):
    """An owner marks a report fixed or not fixable, with a note and a photo."""

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Report.Status.FIXED, _("Fixed")),
            (Report.Status.CLOSED_NOT_FIXED, _("Cannot be fixed")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.ImageField(label=_("Photo (optional, no faces)"), required=False)

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is too large (max 8 MB)."))
        fmt = getattr(getattr(photo, "image", None), "format", None) or ""
        if fmt not in PHOTO_TYPES:
            raise forms.ValidationError(
                _("Send the photo as JPEG, PNG or WebP."), code="photo_type"
            )
        return photo


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not yours?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The coordinators see this, and the rule is marked for review."),
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "category",
            "where",
            "area",
            "property_owner",
            "owner",
            "promised_days",
            "active",
        ]

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.collaboration = collaboration
        orgs = Organisation.objects.filter(collaboration=collaboration, active=True)
        self.fields["owner"].queryset = orgs
        self.fields["property_owner"].queryset = orgs
        self.fields["category"].queryset = (
            Category.objects.in_collaboration(collaboration)
            .active()
            .filter(physical_environment=True)
        )
        self.fields["category"].empty_label = _("Every physical category")
        self.fields["area"].queryset = Area.objects.in_collaboration(collaboration)
        self.fields["promised_days"].min_value = 1
        self.fields["promised_days"].widget.attrs["min"] = 1
