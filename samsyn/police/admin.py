from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from samsyn.police.models import PoliceEvent


@admin.register(PoliceEvent)
class PoliceEventAdmin(admin.ModelAdmin):
    """Read-only: events come from the feed through import_police_events.

    Deleting stays allowed so that deleting a collaboration is not blocked."""

    list_display = (
        "occurred_at",
        "published_at",
        "time_source",
        "type",
        "place_name",
        "precision",
        "is_summary",
        "collaboration",
    )
    list_filter = ("collaboration", "precision", "time_source", "is_summary", "type")
    search_fields = ("name", "summary", "place_name")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
