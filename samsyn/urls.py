from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from samsyn import views
from samsyn.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("collaboration/", views.switch_collaboration, name="switch_collaboration"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("samsyn.accounts.urls")),
    path("reports/", include("samsyn.reports.urls")),
    path("police/", include("samsyn.police.urls")),
    path("areas/", include("samsyn.areas.urls")),
    path("pictures/", include("samsyn.pictures.urls")),
    path("meetings/", include("samsyn.meetings.urls")),
    path("interventions/", include("samsyn.interventions.urls")),
    path("problems/", include("samsyn.problems.urls")),
    path("feedback/", include("samsyn.feedback.urls")),
    path("patrols/", include("samsyn.patrols.urls")),
    path("integrations/", include("samsyn.integrations.urls")),
    path("notifications/", include("samsyn.notifications.urls")),
    path("coverage/", include("samsyn.coverage.urls")),
    path("residents/", include("samsyn.residents.urls")),
    path("walks/", include("samsyn.walks.urls")),
    path("surveys/", include("samsyn.surveys.urls")),
    path("annual/", include("samsyn.annual.urls")),
    path("jobs/", include("samsyn.jobs.urls")),
    path("routing/", include("samsyn.routing.urls")),
    path("onboarding/", include("samsyn.organisations.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("samsyn.integrations.open311_urls")),
    path("admin/", admin.site.urls),
]
