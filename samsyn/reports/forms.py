"""Input validation for reports, shared by the web form and the API."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place, PlaceType
from samsyn.lib.dates import DateField
from samsyn.lib.geo import in_sweden
from samsyn.lib.personal_data import find_personal_data
from samsyn.organisations.access import Access
from samsyn.organisations.models import Organisation
from samsyn.reports.models import Category, Report, Severity

PERSONAL_DATA_LABELS = {
    "personal_number": _("a personal identity number"),
    "coordination_number": _("a coordination number"),
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
    "plate": _("a vehicle registration plate"),
    "name": _("a person's name"),
}

# The area filter's value for reports outside every area of the collaboration.
OUTSIDE_AREAS = "outside"

# How far back a report may be dated: older events belong in an import, not a report.
MAX_AGE = timedelta(days=365)
# Phones' clocks drift; a few minutes into the future is accepted as "now".
CLOCK_SKEW = timedelta(minutes=10)


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What did you see?"))
    occurred_at = forms.DateTimeField(label=_("When did it happen?"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    place = forms.ChoiceField(label=_("Named place"), required=False)
    place_type = forms.ChoiceField(
        label=_("Type of place"),
        choices=[("", _("Not given"))] + list(PlaceType.choices),
        required=False,
    )
    people_count = forms.IntegerField(
        label=_("Number of people"), required=False, min_value=0, max_value=10000
    )
    severity = forms.TypedChoiceField(
        label=_("How does it affect safety?"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.LOW,
        required=False,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Describe what happened. Never write names, identity numbers or "
            "phone numbers."
        ),
    )
    restricted = forms.BooleanField(
        label=_("Restricted: only my organisation, coordinators and analysts"),
        required=False,
    )
    organisation = forms.ChoiceField(label=_("Reporting for"), required=False)

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access = access
        collab = access.collaboration
        self.categories = {
            c.code: c
            for c in Category.objects.in_collaboration(collab)
            .active()
            .select_related("default_owner")
        }
        self.fields["category"].choices = [
            (c, v.name) for c, v in self.categories.items()
        ]
        # Loaded when the form is drawn or a place is given, not for every API report.
        self.fields["place"].choices = lambda: (
            [("", "—")]
            + [
                (k, p.name)
                for k, p in sorted(self.places.items(), key=lambda kv: kv[1].name)
            ]
        )
        orgs = Organisation.objects.filter(pk__in=access.reporting_organisations())
        self.organisations = {o.slug: o for o in orgs}
        self.fields["organisation"].choices = [
            (o.slug, o.name) for o in self.organisations.values()
        ]

    @cached_property
    def places(self) -> dict[str, Place]:
        return {
            str(p.code): p
            for p in Place.objects.in_collaboration(self.access.collaboration)
        }

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data.get("occurred_at")
        now = timezone.now()
        if value is None:
            return now.replace(microsecond=0)
        if value > now + CLOCK_SKEW:
            raise forms.ValidationError(_("The time cannot be in the future."))
        if value < now - MAX_AGE:
            raise forms.ValidationError(_("The time cannot be more than a year ago."))
        return value

    def clean_severity(self) -> int:
        return self.cleaned_data.get("severity") or Severity.LOW

    def clean_description(self) -> str:
        text = (self.cleaned_data.get("description") or "").strip()
        findings = find_personal_data(text)
        if findings:
            parts = [
                _("%(what)s (“%(text)s”)")
                % {"what": PERSONAL_DATA_LABELS[f.kind], "text": f.text}
                for f in findings
            ]
            raise forms.ValidationError(
                _(
                    "The description seems to contain %(found)s. Remove it: reports "
                    "must not identify anyone."
                )
                % {"found": ", ".join(str(p) for p in parts)},
                code="personal_data",
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        place = data.get("place")
        data["place_obj"] = self.places.get(place) if place else None
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None or lon is None) and data["place_obj"] is not None:
            # A named place alone is enough: it stands for its own position.
            data["lat"], data["lon"] = data["place_obj"].lat, data["place_obj"].lon
        elif lat is None or lon is None:
            if "lat" not in self.errors and "lon" not in self.errors:
                self.add_error(
                    "lat", _("Give the position: use your location or tap the map.")
                )
        elif not in_sweden(lon, lat):
            self.add_error("lat", _("The position must be in Sweden."))
        code = data.get("category")
        category = self.categories.get(code) if code else None
        data["category_obj"] = category
        if category is not None and not category.counts_people:
            data["people_count"] = None
        slug = data.get("organisation")
        if slug:
            data["organisation_obj"] = self.organisations.get(slug)
        elif len(self.organisations) >= 1:
            data["organisation_obj"] = next(iter(self.organisations.values()))
        else:
            data["organisation_obj"] = None
        if data["organisation_obj"] is None:
            raise forms.ValidationError(
                _("You are not a reporter in any organisation of this collaboration.")
            )
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Report.Status.choices)
    owner = forms.ChoiceField(label=_("Responsible organisation"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["status"].choices = [
            (s, Report.Status(s).label) for s in report.allowed_transitions()
        ]
        self.owners = {
            o.slug: o
            for o in Organisation.objects.filter(
                collaboration=report.collaboration, active=True
            )
        }
        self.fields["owner"].choices = [("", "—")] + [
            (s, o.name) for s, o in self.owners.items()
        ]

    def clean_note(self) -> str:
        text = (self.cleaned_data.get("note") or "").strip()
        if find_personal_data(text):
            raise forms.ValidationError(
                _("The note seems to contain personal data. Remove it.")
            )
        return text


class ReportFilterForm(forms.Form):
    since = DateField(label=_("From"), required=False)
    until = DateField(label=_("To"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open issues"))]
        + list(Report.Status.choices),
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        collab = access.collaboration
        self.fields["category"].choices = [("", _("All"))] + [
            (c.code, c.name) for c in Category.objects.in_collaboration(collab)
        ]
        areas = Area.objects.in_collaboration(collab).order_by("level", "name")
        self.fields["area"].choices = (
            [("", _("All"))]
            + [
                (str(a.code), ("" if a.level == Area.Level.DISTRICT else "— ") + a.name)
                for a in areas
            ]
            + [(OUTSIDE_AREAS, _("Outside every area"))]
        )
        self.fields["organisation"].choices = [("", _("All"))] + [
            (o.slug, o.name) for o in Organisation.objects.filter(collaboration=collab)
        ]


class CategoryForm(forms.ModelForm):
    """Editing one line of the checklist (administrators and coordinators)."""

    class Meta:
        model = Category
        fields = [
            "code",
            "name_sv",
            "name_en",
            "group",
            "physical_environment",
            "counts_people",
            "default_owner",
            "harm_weight",
            "sort_order",
            "active",
        ]

    def __init__(self, *args: Any, collaboration: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        self.fields["default_owner"].queryset = Organisation.objects.filter(
            collaboration=collaboration
        )
        if self.instance.pk:
            # The code is what imports and the API refer to: it never changes.
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        clash = Category.objects.filter(collaboration=self.collaboration, code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A category with this code already exists."))
        return code
