from django.urls import path

from samsyn.patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("plans/<uuid:code>/", views.plan_detail, name="plan"),
    path("plans/<uuid:code>/publish/", views.publish, name="publish"),
    path("today/", views.today, name="today"),
    path("visits/<uuid:code>/", views.visit_report, name="visit"),
    path("settings/", views.settings_page, name="settings"),
]
