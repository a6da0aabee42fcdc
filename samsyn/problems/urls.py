from django.urls import path

from samsyn.problems import views

app_name = "problems"

urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("start/", views.start, name="start"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/trace/<str:key>/", views.trace, name="trace"),
    path("<uuid:code>/intervention/", views.intervention, name="intervention"),
]
