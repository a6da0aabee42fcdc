from django.urls import path

from samsyn.integrations import views

app_name = "integrations"

urlpatterns = [
    path("export/", views.export, name="export"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("health", views.health, name="health"),
    path("metrics", views.metrics_view, name="metrics"),
]
