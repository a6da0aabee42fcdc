from django.urls import path

from samsyn.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/progress/", views.progress, name="progress"),
]
