from django.contrib import admin

from samsyn.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "kind",
        "label",
        "collaboration",
        "status",
        "done",
        "total",
    ]
    list_filter = ["status", "kind", "collaboration"]
    readonly_fields = [f.name for f in Job._meta.fields]
