from django.urls import path

from samsyn.coverage import views

app_name = "coverage"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("checkin/", views.checkin, name="checkin"),
    path(
        "organisations/<slug:slug>/areas/",
        views.organisation_areas,
        name="organisation_areas",
    ),
]
