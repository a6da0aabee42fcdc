"""Input validation for the guard planning pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.lib.personal_data import find_personal_data
from samsyn.organisations.models import Collaboration
from samsyn.patrols.models import WEEKDAYS, PatrolSettings, VisitReport
from samsyn.reports.models import Category


def next_week(today: date | None = None) -> tuple[int, int]:
    iso = ((today or timezone.localdate()) + timedelta(days=7)).isocalendar()
    return iso[0], iso[1]


class GenerateForm(forms.Form):
    iso_year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    iso_week = forms.IntegerField(label=_("Week"), min_value=1, max_value=53)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "iso_year" in data and "iso_week" in data:
            try:
                date.fromisocalendar(data["iso_year"], data["iso_week"], 1)
            except ValueError:
                raise forms.ValidationError(_("No such week.")) from None
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PatrolSettings
        fields = [
            "teams",
            "visit_minutes",
            "speed_kmh",
            "history_weeks",
            "max_visits_per_place",
            "hotspot_cells",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].validators.append(_range(1, 10))
        self.fields["visit_minutes"].validators.append(_range(5, 240))
        self.fields["history_weeks"].validators.append(_range(2, 104))
        self.fields["hotspot_cells"].validators.append(_range(0, 50))
        self.fields["max_visits_per_place"].validators.append(_range(1, 7))
        self.fields["speed_kmh"].validators.append(_range(1, 120))
        shifts = self.instance.shifts or {}
        self.days = []
        for d, name in enumerate(WEEKDAYS):
            pair = shifts.get(str(d)) or ["", ""]
            start = forms.TimeField(
                label=_("%(day)s from") % {"day": name}, required=False
            )
            end = forms.TimeField(label=_("%(day)s to") % {"day": name}, required=False)
            start.widget.input_type = end.widget.input_type = "time"
            self.fields[f"start_{d}"] = start
            self.fields[f"end_{d}"] = end
            self.initial.setdefault(f"start_{d}", pair[0])
            self.initial.setdefault(f"end_{d}", pair[1])
            self.days.append((name, f"start_{d}", f"end_{d}"))

    def day_rows(self) -> list[tuple[str, Any, Any]]:
        return [(name, self[s], self[e]) for name, s, e in self.days]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        shifts: dict[str, list[str]] = {}
        for d in range(7):
            start, end = data.get(f"start_{d}"), data.get(f"end_{d}")
            if start is None and end is None:
                continue
            if start is None or end is None or end <= start:
                self.add_error(
                    f"end_{d}",
                    _(
                        "Give both times; the shift must end after it starts, the same day."
                    ),
                )
                continue
            shifts[str(d)] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
        self.instance.shifts = shifts
        return data


def _range(lo: float, hi: float) -> Any:
    def check(value: float) -> None:
        if value is not None and not lo <= value <= hi:
            raise forms.ValidationError(
                _("Between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}
            )

    return check


class VisitReportForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What did you do?"),
        choices=VisitReport.Outcome.choices,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=_("What was it about? (dialogue or action)"), required=False
    )
    people_count = forms.IntegerField(
        label=_("Number of people (optional)"),
        min_value=0,
        max_value=500,
        required=False,
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("No names, personal numbers, phone numbers or plates."),
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {
            c.code: c
            for c in Category.objects.in_collaboration(collaboration)
            .active()
            .filter(physical_environment=False)
        }
        self.fields["category"].choices = [("", "—")] + [
            (code, c.name) for code, c in self.categories.items()
        ]

    def clean_note(self) -> str:
        text = (self.cleaned_data.get("note") or "").strip()
        if find_personal_data(text):
            raise forms.ValidationError(
                _(
                    "The note seems to contain personal data. Remove it: notes must not identify anyone."
                ),
                code="personal_data",
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") in VisitReport.INCIDENT_OUTCOMES:
            code = data.get("category")
            if not code:
                self.add_error(
                    "category", _("Choose what the dialogue or action was about.")
                )
            else:
                data["category_obj"] = self.categories[code]
        else:
            data["category_obj"] = None
        return data
