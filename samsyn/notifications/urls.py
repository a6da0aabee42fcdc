from django.urls import path

from samsyn.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("log/", views.delivery_log, name="log"),
]
