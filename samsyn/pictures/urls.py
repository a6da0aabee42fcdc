from django.urls import path

from samsyn.pictures import views

app_name = "pictures"

urlpatterns = [
    path("", views.picture_list, name="list"),
    path("generate/", views.generate, name="generate"),
    path("generating/<uuid:code>/", views.generating, name="generating"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/assessment/", views.assessment, name="assessment"),
    path("<uuid:code>/colours/", views.colours, name="colours"),
    path("<uuid:code>/ability/", views.ability, name="ability"),
    path("<uuid:code>/approve/", views.approve, name="approve"),
    path("<uuid:code>/new-version/", views.new_version, name="new_version"),
    path("<uuid:code>/pdf/", views.pdf, name="pdf"),
    path("<uuid:code>/trace/<str:key>/", views.trace, name="trace"),
]
