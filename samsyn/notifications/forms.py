"""Input validation for notification settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.notifications.models import Kind


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("E-mail me when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
