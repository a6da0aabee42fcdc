from django.urls import path

from samsyn.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.perceived, name="perceived"),
    path("import/", views.upload, name="upload"),
    path("mappings/new/", views.mapping_edit, name="mapping_new"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
]
