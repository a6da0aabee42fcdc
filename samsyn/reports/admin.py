from django.contrib import admin

from samsyn.reports.models import Category, Report


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_sv",
        "name_en",
        "physical_environment",
        "counts_people",
        "default_owner",
        "active",
    )  # noqa: E501
    list_filter = ("collaboration", "physical_environment", "active")
    list_editable = ("active",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "category",
        "organisation",
        "area",
        "status",
        "restricted",
    )
    list_filter = ("collaboration", "category", "status")
    raw_id_fields = ("reporter", "area", "place", "category", "organisation", "owner")
    readonly_fields = ("code", "lon", "lat", "x", "y", "created", "idempotency_key")
