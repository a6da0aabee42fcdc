from django.urls import path

from samsyn.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_map, name="map"),
    path("map.geojson", views.map_data, name="map_data"),
    path("new/", views.new_report, name="new"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="manifest"),
    path("mine/", views.my_reports, name="mine"),
    path("where/", views.where, name="where"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/new/", views.category_edit, name="category_new"),
    path("checklist/<int:pk>/", views.category_edit, name="category_edit"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/status/", views.update_status, name="status"),
]
