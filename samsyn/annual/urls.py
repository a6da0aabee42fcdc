from django.urls import path

from samsyn.annual import views

app_name = "annual"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("create/", views.create, name="create"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/texts/", views.texts, name="texts"),
    path("<uuid:code>/items/", views.item_add, name="item_add"),
    path("<uuid:code>/items/<int:item>/", views.item_edit, name="item_edit"),
    path("<uuid:code>/items/<int:item>/remove/", views.item_remove, name="item_remove"),
    path("<uuid:code>/approve/", views.approve, name="approve"),
    path("<uuid:code>/new-version/", views.new_version, name="new_version"),
    path("<uuid:code>/pdf/", views.pdf, name="pdf"),
]
