from django.contrib import admin

from samsyn.areas.models import Area, Place


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "ref", "level", "parent", "population", "collaboration")
    list_filter = ("collaboration", "level")
    search_fields = ("name", "ref")
    exclude = ("geometry",)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "place_type", "area", "collaboration")
    list_filter = ("collaboration",)
