from django.contrib import admin

from samsyn.integrations.models import Open311Key, Webhook, WebhookDelivery


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "label", "active", "created", "last_used"]
    list_filter = ["active", "collaboration"]
    readonly_fields = ["key_hash", "last_used"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "collaboration", "url", "active"]
    list_filter = ["active", "collaboration"]
    filter_horizontal = ["categories"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "webhook",
        "event_id",
        "status",
        "attempts",
        "status_code",
    ]
    list_filter = ["status"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
