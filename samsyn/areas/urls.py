from django.urls import path

from samsyn.areas import views

app_name = "areas"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<str:token>/", views.preview, name="preview"),
    path("import/<str:token>/confirm/", views.confirm, name="confirm"),
]
