from django.urls import path

from samsyn.routing import views

app_name = "routing"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/<uuid:code>/", views.queue_item, name="queue_item"),
    path("photos/<uuid:code>/", views.fix_photo, name="photo"),
    path("rules/", views.rules, name="rules"),
    path("rules/<uuid:code>/delete/", views.rule_delete, name="rule_delete"),
    path("notices/", views.notices, name="notices"),
]
