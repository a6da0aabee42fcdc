from django.urls import path

from samsyn.feedback import views

app_name = "feedback"

urlpatterns = [
    path("summary/", views.summary, name="summary"),
    path("summary/pdf/", views.summary_pdf, name="summary_pdf"),
    path("mine/", views.mine, name="mine"),
    path("settings/", views.public_settings, name="settings"),
    path("public/<slug:slug>/", views.public, name="public"),
    path("public/<slug:slug>/embed/", views.public_embed, name="public_embed"),
    path("public/<slug:slug>/<uuid:code>/", views.public_area, name="public_area"),
    path(
        "public/<slug:slug>/<uuid:code>/embed/",
        views.public_area_embed,
        name="public_area_embed",
    ),
]
