"""Input validation for the residents' page, the moderation queue and the settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place
from samsyn.lib.geo import in_sweden
from samsyn.lib.personal_data import find_personal_data
from samsyn.organisations.models import Collaboration
from samsyn.reports.forms import PERSONAL_DATA_LABELS
from samsyn.reports.models import Category
from samsyn.residents.models import ResidentReport, ResidentSettings

MAX_TEXT = 1000

EXTRA_LABELS = {
    "plate": _("a registration number"),
    "name": _("a name"),
}


def personal_data_error(text: str) -> str | None:
    """Say exactly what to remove, or None when the text looks fine."""
    findings = find_personal_data(text)
    if not findings:
        return None
    labels = {**PERSONAL_DATA_LABELS, **EXTRA_LABELS}
    found = ", ".join(f"{labels.get(f.kind, f.kind)} (“{f.text}”)" for f in findings)
    return str(
        _("Please remove %(found)s. Do not write anything that tells who someone is.")
        % {"found": found}
    )


class ResidentReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what it is about.")},
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    area = forms.ChoiceField(label=_("Or choose the area"), required=False)
    place = forms.ChoiceField(label=_("Or choose a place"), required=False)
    text = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        help_text=_("Do not write names, phone numbers or anything else about who."),
    )

    def __init__(
        self,
        *args: Any,
        collaboration: Collaboration,
        page: ResidentSettings,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        self.categories = {c.code: c for c in page.categories.filter(active=True)}
        self.fields["category"].choices = [
            (c.code, c.name) for c in self.categories.values()
        ]
        self.areas = {
            str(a.code): a
            for a in Area.objects.in_collaboration(collaboration).leaves()
        }
        self.fields["area"].choices = [("", "—")] + [
            (k, a.name) for k, a in sorted(self.areas.items(), key=lambda i: i[1].name)
        ]
        self.places = {
            str(p.code): p
            for p in Place.objects.in_collaboration(collaboration).order_by("name")
        }
        self.fields["place"].choices = [("", "—")] + [
            (k, p.name) for k, p in self.places.items()
        ]

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "").strip()
        message = personal_data_error(text)
        if message:
            raise forms.ValidationError(message, code="personal_data")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["category_obj"] = self.categories.get(data.get("category") or "")
        lat, lon = data.get("lat"), data.get("lon")
        place = self.places.get(data.get("place") or "")
        area = self.areas.get(data.get("area") or "")
        data["place_obj"], data["area_obj"] = place, area
        if lat is not None and lon is not None:
            if not in_sweden(lon, lat):
                self.add_error("lat", _("That place is not in Sweden."))
            elif self.areas and Area.locate_id(self.collaboration, lon, lat) is None:
                self.add_error(
                    "lat", _("That place is outside the area this page covers.")
                )
        elif place is not None:
            data["lat"], data["lon"] = place.lat, place.lon
        elif area is not None:
            data["lat"] = (area.min_lat + area.max_lat) / 2
            data["lon"] = (area.min_lon + area.max_lon) / 2
        else:
            self.add_error(
                "lat", _("Tap the map, or choose a place or an area from the list.")
            )
        return data


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accept", _("Accept")),
            ("merge", _("Merge")),
            ("reject", _("Reject")),
        ]
    )
    into = forms.CharField(required=False, max_length=80)
    reason = forms.CharField(required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Say why the report is rejected."))
        if data.get("decision") == "merge" and not data.get("into"):
            self.add_error("into", _("Choose the report to merge with."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ResidentSettings
        fields = ["enabled", "categories", "intro", "min_seconds"]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.in_collaboration(
            collaboration
        ).active()
        self.fields["min_seconds"].max_value = 600


__all__ = ["ModerationForm", "ResidentReportForm", "ResidentReport", "SettingsForm"]
