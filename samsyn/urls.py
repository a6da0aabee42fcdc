from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from samsyn import views
from samsyn.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("collaboration/", views.switch_collaboration, name="switch_collaboration"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("samsyn.accounts.urls")),
    path("reports/", include("samsyn.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
