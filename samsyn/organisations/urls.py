from django.urls import path

from samsyn.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.onboarding, name="onboarding"),
    path("checklist/", views.onboarding_checklist, name="onboarding_checklist"),
]
