from django.contrib import admin

from samsyn.organisations.models import (
    AuditEvent,
    Collaboration,
    Membership,
    Organisation,
)


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "municipality_code", "period_kind")
    prepopulated_fields = {"slug": ("name",)}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "collaboration", "active")
    list_filter = ("collaboration", "kind")
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "actor",
        "action",
        "target_type",
        "target_code",
        "collaboration",
    )
    list_filter = ("action", "collaboration")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
