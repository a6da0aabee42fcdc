"""Input validation for the intervention pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place
from samsyn.interventions.models import Intervention, Partnership
from samsyn.lib.geo import in_sweden
from samsyn.lib.personal_data import find_personal_data
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category

MAX_UPLOAD = 10 * 1024 * 1024
START_STATUSES = [
    (Intervention.Status.PROPOSED, _("Proposed")),
    (Intervention.Status.DECIDED, _("Decided")),
    (Intervention.Status.ONGOING, _("Ongoing")),
]


def _no_personal_data(text: str) -> str:
    text = (text or "").strip()
    if find_personal_data(text):
        raise forms.ValidationError(
            _("The text seems to contain personal data. Remove it.")
        )
    return text


class _CollaborationForm(forms.Form):
    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        orgs = Organisation.objects.filter(collaboration=collaboration, active=True)
        areas = Area.objects.in_collaboration(collaboration).order_by("level", "name")
        places = Place.objects.in_collaboration(collaboration)
        cats = Category.objects.in_collaboration(collaboration).active()
        for name, qs in (
            ("owner", orgs),
            ("area", areas),
            ("areas", areas),
            ("place", places),
            ("places", places),
            ("categories", cats),
        ):
            if name in self.fields:
                self.fields[name].queryset = qs  # type: ignore[attr-defined]


class QuickForm(_CollaborationForm):
    """The weekly meeting's form: what, which kind, where, who, when."""

    mark_optional = True  # templates/forms/field.html says "(optional)"

    title = forms.CharField(label=_("What will be done"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Intervention.Kind.choices)
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=_("or area"), queryset=Area.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=START_STATUSES, initial=Intervention.Status.DECIDED
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    problem = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    trigger_text = forms.CharField(
        label=_("Triggered by"), max_length=300, required=False
    )
    # The code of the situation picture it was recorded from; the view checks it
    # against the user's access again when the form is sent.
    picture = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, collaboration=collaboration, **kwargs)
        self.fields["category"].queryset = Category.objects.in_collaboration(  # type: ignore[attr-defined]
            collaboration
        ).active()

    def clean_title(self) -> str:
        return _no_personal_data(self.cleaned_data["title"])

    def clean_problem(self) -> str:
        return _no_personal_data(self.cleaned_data["problem"])

    def clean_trigger_text(self) -> str:
        return _no_personal_data(self.cleaned_data["trigger_text"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        s, e = data.get("starts_on"), data.get("ends_on")
        if s and e and e < s:
            self.add_error("ends_on", _("The end must not be before the start."))
        return data

    def intervention_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "kind": d["kind"],
            "owner": d["owner"],
            "starts_on": d["starts_on"],
            "ends_on": d.get("ends_on"),
            "status": d["status"],
            "problem": d.get("problem") or "",
            "trigger_text": d.get("trigger_text") or "",
            "places": [d["place"]] if d.get("place") else [],
            "areas": [d["area"]] if d.get("area") else [],
            "categories": [d["category"]] if d.get("category") else [],
        }


class InterventionForm(_CollaborationForm):
    """The full register entry."""

    mark_optional = True  # templates/forms/field.html says "(optional)"

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Intervention.Kind.choices)
    problem = forms.CharField(
        label=_("Problem"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.none(), required=False
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"), queryset=Area.objects.none(), required=False
    )
    places = forms.ModelMultipleChoiceField(
        label=_("Places"), queryset=Place.objects.none(), required=False
    )
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    target_radius_m = forms.IntegerField(
        label=_("Target radius (m)"), min_value=10, max_value=2000, initial=100
    )
    buffer_radius_m = forms.IntegerField(
        label=_("Buffer radius (m)"), min_value=20, max_value=5000, initial=500
    )
    trigger_text = forms.CharField(
        label=_("Triggered by"), max_length=300, required=False
    )
    goal = forms.CharField(
        label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    indicator = forms.CharField(
        label=_("Indicator"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.none()
    )
    starts_on = forms.DateField(
        label=_("Start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_hours = forms.DecimalField(
        label=_("Planned hours"), required=False, min_value=0, decimal_places=1
    )
    planned_cost = forms.DecimalField(
        label=_("Planned cost (SEK)"), required=False, min_value=0, decimal_places=0
    )
    published_to_residents = forms.BooleanField(
        label=_("Publish to residents"), required=False
    )

    def clean_title(self) -> str:
        return _no_personal_data(self.cleaned_data["title"])

    def clean_problem(self) -> str:
        return _no_personal_data(self.cleaned_data["problem"])

    def clean_goal(self) -> str:
        return _no_personal_data(self.cleaned_data["goal"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            self.add_error("lon", _("Give both latitude and longitude, or neither."))
        elif lat is not None and not in_sweden(lon, lat):
            self.add_error("lon", _("The point is not in Sweden."))
        t, b = data.get("target_radius_m"), data.get("buffer_radius_m")
        if t and b and b <= t:
            self.add_error("buffer_radius_m", _("The buffer must be larger."))
        s, e = data.get("starts_on"), data.get("ends_on")
        if s and e and e < s:
            self.add_error("ends_on", _("The end must not be before the start."))
        return data

    @classmethod
    def initial_for(cls, iv: Intervention) -> dict[str, Any]:
        names = list(cls.base_fields)
        init = {
            n: getattr(iv, n)
            for n in names
            if n not in ("categories", "areas", "places", "owner")
        }
        init["owner"] = iv.owner_id
        init["categories"] = list(iv.categories.values_list("pk", flat=True))
        init["areas"] = list(iv.areas.values_list("pk", flat=True))
        init["places"] = list(iv.places.values_list("pk", flat=True))
        return init


class FilterForm(_CollaborationForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Intervention.Status.choices),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All"))] + list(Intervention.Kind.choices),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("All"),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Intervention.Status.choices)
    note = forms.CharField(max_length=500, required=False)

    def clean_note(self) -> str:
        return _no_personal_data(self.cleaned_data["note"])


class EffortForm(forms.Form):
    spent_hours = forms.DecimalField(
        label=_("Hours spent"), required=False, min_value=0, decimal_places=1
    )
    spent_cost = forms.DecimalField(
        label=_("Cost spent (SEK)"), required=False, min_value=0, decimal_places=0
    )


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.CharField(label=_("What is asked of them"), max_length=300)

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            collaboration_id=intervention.collaboration_id, active=True
        ).exclude(pk=intervention.owner_id)

    def clean_role(self) -> str:
        return _no_personal_data(self.cleaned_data["role"])


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[
            (Partnership.Status.ACCEPTED, _("Accept")),
            (Partnership.Status.DECLINED, _("Decline")),
        ]
    )
    note = forms.CharField(max_length=500, required=False)

    def clean_note(self) -> str:
        return _no_personal_data(self.cleaned_data["note"])


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Document"), required=False)

    def clean_text(self) -> str:
        return _no_personal_data(self.cleaned_data["text"])

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        if f is not None and f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return f

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError(_("Write a note or attach a document."))
        return data


class EvaluateForm(forms.Form):
    control = forms.ChoiceField(label=_("Control area"), required=False)

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.in_collaboration(collaboration).leaves().order_by("name")
        self.fields["control"].choices = [
            ("", _("Automatic (similar, not adjacent)"))
        ] + [  # type: ignore[attr-defined]
            (a.ref, f"{a.name} ({a.ref})" if a.name != a.ref else a.ref) for a in areas
        ]


def default_year() -> int:
    return timezone.localdate().year
