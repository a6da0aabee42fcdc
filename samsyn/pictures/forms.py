"""The one form that opens or generates a situation picture: a kind of period, then
the period itself picked from a list (newest first, the running one marked)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samsyn.areas.models import Area
from samsyn.lib.weeks import localtime, parse_period, period_for, period_name
from samsyn.organisations.models import Collaboration
from samsyn.pictures.models import SituationPicture
from samsyn.reports.models import Report

# How far back the lists go when the reports go further (and when there are none).
MAX_YEARS_BACK = 5
EMPTY_YEARS_BACK = 1


def period_choices(
    kind: str, today: date, first: date, collaboration: Any = None
) -> list[tuple[str, str]]:
    """The periods of ``kind`` from the one holding ``first`` to the one holding
    ``today``, newest first; the running one is marked "ongoing"."""
    out = []
    period = period_for(kind, today, collaboration)
    while period.end > first:
        name = period_name(period)
        if period.start <= today < period.end:
            name = _("%(period)s (ongoing)") % {"period": name}
        out.append((period.label, name))
        period = period_for(kind, period.start - timedelta(days=1), collaboration)
    return out


class PictureForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of period"), widget=forms.RadioSelect
    )
    scope = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        queryset=Area.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Whole collaboration"),
    )

    def __init__(
        self, *args: Any, collaboration: Collaboration, today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.collaboration = collaboration
        self.kinds = ["week", "month", collaboration.period_kind, "year"]
        first_seen = Report.objects.filter(collaboration=collaboration).aggregate(
            first=Min("occurred_at")
        )["first"]
        # From the first report (at most MAX_YEARS_BACK), and at least the year
        # before this one, so a new collaboration can still pick last year.
        floor = today.replace(year=today.year - MAX_YEARS_BACK, month=1, day=1)
        recent = today.replace(year=today.year - EMPTY_YEARS_BACK, month=1, day=1)
        first = recent
        if first_seen is not None:
            first = max(min(localtime(first_seen).date(), recent), floor)
        self.fields["kind"].choices = [
            (k, SituationPicture.Kind(k).label) for k in self.kinds
        ]
        self.fields["kind"].initial = "week"
        # The weekly meeting looks back on the last complete week; the longer
        # periods are usually asked for while they run ("so far").
        last_week = period_for("week", today - timedelta(days=7)).label
        for kind in self.kinds:
            choices = period_choices(kind, today, first, collaboration)
            field = forms.ChoiceField(
                label=SituationPicture.Kind(kind).label,
                choices=choices,
                required=False,
                initial=last_week if kind == "week" else choices[0][0],
            )
            field.widget.attrs["data-picture-period"] = kind
            self.fields[kind] = field
        scope = self.fields["scope"]
        scope.queryset = Area.objects.in_collaboration(collaboration).order_by(  # type: ignore[attr-defined]
            "level", "name"
        )

    def period_fields(self) -> list[Any]:
        return [self[k] for k in self.kinds]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind not in self.kinds:
            return data
        text = data.get(kind)
        if not text:
            self.add_error(kind, _("Choose the period to show."))
            return data
        try:
            data["period"] = parse_period(kind, text)
        except ValueError:
            self.add_error(kind, _("Not a valid period: %(p)s") % {"p": text})
        return data
