"""The project's URLs plus Open311 at /open311/v2/, until samsyn/urls.py mounts it."""

from django.urls import include, path

from samsyn.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("open311/v2/", include("samsyn.integrations.open311_urls")),
]
