from django.urls import path

from samsyn.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("settings/", views.page_settings, name="settings"),
    path("<uuid:code>/moderate/", views.moderate, name="moderate"),
    path("<slug:slug>/report/", views.public_report, name="report"),
    path("<slug:slug>/where/", views.public_where, name="where"),
]
