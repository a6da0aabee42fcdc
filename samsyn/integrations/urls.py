from django.urls import path

from samsyn.integrations import views

app_name = "integrations"

urlpatterns = [
    path("export/", views.export, name="export"),
    path(
        "export/<uuid:code>/download/",
        views.export_download,
        name="export_download",
    ),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook_new"),
    path("webhooks/<uuid:code>/", views.webhook_detail, name="webhook"),
    path("webhooks/<uuid:code>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<uuid:code>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<uuid:code>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<uuid:code>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<uuid:code>/delete/", views.webhook_delete, name="webhook_delete"),
    path("health", views.health, name="health"),
    path("metrics", views.metrics_view, name="metrics"),
]
