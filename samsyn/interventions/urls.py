from django.urls import path

from samsyn.interventions import views

app_name = "interventions"

urlpatterns = [
    path("", views.register, name="list"),
    path("quick/", views.quick, name="quick"),
    path("new/", views.new, name="new"),
    path("annual/", views.annual, name="annual"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/status/", views.status, name="status"),
    path("<uuid:code>/effort/", views.effort, name="effort"),
    path("<uuid:code>/partners/", views.add_partner, name="add_partner"),
    path("<uuid:code>/partners/<uuid:partner>/answer/", views.answer, name="answer"),
    path("<uuid:code>/notes/", views.add_note, name="add_note"),
    path("<uuid:code>/notes/<int:pk>/file/", views.note_file, name="note_file"),
    path("<uuid:code>/evaluate/", views.evaluate, name="evaluate"),
]
