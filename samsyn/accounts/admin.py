from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from samsyn.accounts.models import ApiToken, OidcIdentity, User

admin.site.register(User, UserAdmin)
UserAdmin.search_fields = ("username", "email")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "name",
        "hint",
        "read_only",
        "created",
        "last_used",
        "revoked_at",
    )
    readonly_fields = ("key_hash", "hint", "created", "last_used")


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "issuer", "subject", "email", "last_login")
    search_fields = ("user__username", "subject", "email")
    readonly_fields = ("created", "last_login")
