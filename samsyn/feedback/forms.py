from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.reports.models import Category

# An origin for CSP frame-ancestors: scheme://host[:port], nothing else (no quotes,
# semicolons or paths that could change the policy).
ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9*.-]+(:\d{1,5})?$")


class PublicSettingsForm(forms.ModelForm):
    class Meta:
        model = PublicFeedbackSettings
        fields = [
            "enabled",
            "delay_days",
            "period_weeks",
            "intro",
            "categories",
            "frame_ancestors",
        ]
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "intro": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "delay_days": forms.NumberInput(
                attrs={"min": 7, "inputmode": "numeric", "class": "input-short"}
            ),
            "period_weeks": forms.NumberInput(
                attrs={
                    "min": 1,
                    "max": 104,
                    "inputmode": "numeric",
                    "class": "input-short",
                }
            ),
            "frame_ancestors": forms.TextInput(
                attrs={"placeholder": "https://www.kommun.se", "inputmode": "url"}
            ),
        }
        help_texts = {
            "enabled": _(
                "When on, anyone can read the page at its link; it shows counts "
                "only, never single reports."
            ),
            "intro": _(
                "A few sentences at the top of the page: who you are and what the "
                "figures mean. Plain text."
            ),
        }

    def __init__(self, *args, collaboration, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # The model field's own minimum (0) would replace the widget's.
        self.fields["delay_days"].widget.attrs["min"] = 7
        self.fields["categories"].queryset = Category.objects.in_collaboration(
            collaboration
        ).active()

    def clean_delay_days(self) -> int:
        value = self.cleaned_data["delay_days"]
        if value < 7:
            raise forms.ValidationError(_("Use a delay of at least 7 days."))
        return value

    def clean_period_weeks(self) -> int:
        value = self.cleaned_data["period_weeks"]
        if not 1 <= value <= 104:
            raise forms.ValidationError(_("Between 1 and 104 weeks."))
        return value

    def clean_frame_ancestors(self) -> str:
        origins = self.cleaned_data["frame_ancestors"].split()
        bad = [o for o in origins if not ORIGIN_RE.match(o)]
        if bad:
            raise forms.ValidationError(
                _("Not a web origin (like https://www.kommun.se): %(bad)s")
                % {"bad": ", ".join(bad)}
            )
        return " ".join(origins)
