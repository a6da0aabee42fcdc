"""Input validation for walks and their observations."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area
from samsyn.lib.geo import in_sweden
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category
from samsyn.residents.forms import personal_data_error
from samsyn.walks.models import PHOTO_TYPES

MAX_PHOTO_BYTES = 8 * 1024 * 1024


def parse_route(raw: str) -> dict[str, Any] | None:
    """A LineString from GeoJSON or from lines of "lat, lon" (the no-JS fallback)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.startswith("{"):
        try:
            geo = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The route is not valid GeoJSON.")) from None
        coords = geo.get("coordinates") if isinstance(geo, dict) else None
        if not isinstance(coords, list):
            raise forms.ValidationError(_("The route must be a line."))
        points = coords
    else:
        points = []
        for line in raw.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            try:
                lat, lon = (float(v) for v in line.split(","))
            except ValueError:
                raise forms.ValidationError(
                    _("Write one point per line as: latitude, longitude")
                ) from None
            points.append([lon, lat])
    clean = []
    for p in points:
        try:
            lon, lat = float(p[0]), float(p[1])
        except (TypeError, ValueError, IndexError):
            raise forms.ValidationError(_("The route has a bad point.")) from None
        if not in_sweden(lon, lat):
            raise forms.ValidationError(_("The route must be in Sweden."))
        clean.append([round(lon, 6), round(lat, 6)])
    if len(clean) < 2:
        raise forms.ValidationError(_("A route needs at least two points."))
    return {"type": "LineString", "coordinates": clean[:500]}


class WalkForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A name the participants recognise, e.g. the area and the route."),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("No particular area"),
        help_text=_("Where the walk takes place."),
    )
    route = forms.CharField(
        label=_("Route"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Tap the map to add points, or write one 'latitude, longitude' per line."
        ),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations taking part"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    residents_count = forms.IntegerField(
        label=_("Number of residents (no names)"),
        min_value=0,
        max_value=10000,
        initial=0,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "class": "input-short"}
        ),
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.in_collaboration(collaboration)
        self.fields["area"].queryset = areas
        # Districts first, then their areas, each group by name: a long list of
        # names is easier to scan in two groups.
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", field.empty_label),
            (
                _("Districts"),
                [(a.pk, a.name) for a in areas.districts().order_by("name")],
            ),
            (_("Areas"), [(a.pk, a.name) for a in areas.leaves().order_by("name")]),
        ]
        self.fields["organisations"].queryset = Organisation.objects.filter(
            collaboration=collaboration
        )

    def clean_route(self) -> dict[str, Any] | None:
        return parse_route(self.cleaned_data.get("route", ""))


class ObservationForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What is it?"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    note = forms.CharField(
        label=_("What we saw"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    suggested_action = forms.CharField(
        label=_("What should be done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.ImageField(label=_("Photo (optional, no faces)"), required=False)

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A walk looks at the physical environment: the things an owner can fix.
        self.fields["category"].queryset = (
            Category.objects.in_collaboration(collaboration)
            .active()
            .filter(physical_environment=True)
        )

    def _check(self, name: str) -> str:
        text = self.cleaned_data.get(name, "").strip()
        message = personal_data_error(text)
        if message:
            raise forms.ValidationError(message, code="personal_data")
        return text

    def clean_note(self) -> str:
        return self._check("note")

    def clean_suggested_action(self) -> str:
        return self._check("suggested_action")

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is too large (max 8 MB)."))
        # What the image is, from its content (ImageField opened it with Pillow),
        # never from its name: it is stored, and later served, as that.
        fmt = getattr(getattr(photo, "image", None), "format", None) or ""
        if fmt not in PHOTO_TYPES:
            raise forms.ValidationError(
                _("Send the photo as JPEG, PNG or WebP."), code="photo_type"
            )
        content_type, suffix = PHOTO_TYPES[fmt]
        photo.name = f"photo.{suffix}"
        photo.content_type = content_type
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None and not in_sweden(lon, lat):
            self.add_error("lat", _("That place is not in Sweden."))
        return data


class FollowUpForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            collaboration=collaboration
        )
