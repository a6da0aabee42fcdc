from django.contrib import admin

from samsyn.coverage.models import CheckIn, Coverage


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ("organisation", "area", "active")
    list_filter = ("collaboration", "active")


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "area",
        "iso_year",
        "iso_week",
        "status",
        "is_current",
    )
    list_filter = ("collaboration", "status", "is_current")
