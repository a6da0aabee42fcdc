from django.urls import path

from samsyn.walks import views

app_name = "walks"

urlpatterns = [
    path("", views.walk_list, name="list"),
    path("new/", views.walk_new, name="new"),
    path("<uuid:code>/", views.walk_detail, name="detail"),
    path("<uuid:code>/observe/", views.walk_observe, name="observe"),
    path("<uuid:code>/done/", views.walk_finish, name="finish"),
    path("<uuid:code>/pdf/", views.walk_report_pdf, name="pdf"),
    path(
        "observations/<uuid:code>/report/",
        views.observation_report,
        name="observation_report",
    ),
    path(
        "observations/<uuid:code>/intervention/",
        views.observation_intervention,
        name="observation_intervention",
    ),
    path(
        "observations/<uuid:code>/photo/",
        views.observation_photo,
        name="observation_photo",
    ),
]
