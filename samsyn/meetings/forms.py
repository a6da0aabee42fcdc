"""Input validation for forums, minutes and decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.lib.personal_data import find_personal_data
from samsyn.meetings.models import DEFAULT_OVERDUE_DAYS, Decision, Forum
from samsyn.organisations.models import Collaboration, Organisation


def _no_personal_data(text: str) -> str:
    text = (text or "").strip()
    findings = find_personal_data(text)
    if findings:
        raise forms.ValidationError(
            _(
                "The text seems to contain personal data (%(found)s). Remove it: "
                "minutes and decisions must not identify anyone."
            )
            % {"found": ", ".join(f"“{f.text}”" for f in findings)},
            code="personal_data",
        )
    return text


def _people(collab: Collaboration) -> Any:
    return User.objects.filter(
        memberships__organisation__collaboration=collab, memberships__active=True
    ).distinct()


class ForumForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = [
            "name",
            "kind",
            "area",
            "organisations",
            "members",
            "weekday",
            "start_time",
            "duration_minutes",
            "recurrence",
            "starts_on",
            "location",
            "overdue_days",
            "active",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "organisations": forms.CheckboxSelectMultiple,
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(collaboration=collaboration)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            collaboration=collaboration, active=True
        )
        self.fields["members"].queryset = _people(collaboration)
        # Left empty (or not sent, as by older clients): the usual 14 days.
        self.fields["overdue_days"].required = False
        self.fields["overdue_days"].widget.attrs.update({"min": 1, "max": 365})

    def clean_overdue_days(self) -> int:
        value = self.cleaned_data.get("overdue_days")
        return DEFAULT_OVERDUE_DAYS if value is None else value


class MinutesForm(forms.Form):
    agenda_notes = forms.CharField(
        label=_("Other items"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("People present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations present"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _people(collaboration)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            collaboration=collaboration, active=True
        )

    def clean_minutes(self) -> str:
        return _no_personal_data(self.cleaned_data.get("minutes", ""))

    def clean_agenda_notes(self) -> str:
        return _no_personal_data(self.cleaned_data.get("agenda_notes", ""))


class DecisionForm(forms.Form):
    """Three fields, so a decision is written down in a few seconds."""

    text = forms.CharField(
        label=_("Decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=None,
    )
    due = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            collaboration=collaboration, active=True
        )

    def clean_text(self) -> str:
        return _no_personal_data(self.cleaned_data.get("text", ""))


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Decision.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def clean_note(self) -> str:
        return _no_personal_data(self.cleaned_data.get("note", ""))


class DecisionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("done", _("Done")),
            ("cancelled", _("Cancelled")),
            ("all", _("All")),
        ],
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    mine = forms.BooleanField(label=_("Asked of my organisation"), required=False)

    def __init__(self, *args: Any, collaboration: Collaboration, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("All organisations"))] + [
            (o.slug, o.name)
            for o in Organisation.objects.filter(collaboration=collaboration)
        ]
