"""Open311 GeoReport v2, mounted at /open311/v2/ (see samsyn/urls.py)."""

from django.urls import re_path

from samsyn.integrations import open311

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^services\.{FMT}$", open311.services, name="services"),
    re_path(rf"^requests\.{FMT}$", open311.requests_view, name="requests"),
    re_path(
        rf"^requests/(?P<request_id>[0-9a-fA-F-]{{36}})\.{FMT}$",
        open311.request_detail,
        name="request",
    ),
]
