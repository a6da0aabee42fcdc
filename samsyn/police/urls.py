from django.urls import path

from samsyn.police import views

app_name = "police"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/events/", views.upload_events, name="upload_events"),
    path("imports/crimes/", views.upload_crimes, name="upload_crimes"),
    path("imports/<int:pk>/", views.batch, name="batch"),
    path("imports/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("imports/<int:pk>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("mappings/new/", views.mapping_edit, name="mapping_new"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
]
