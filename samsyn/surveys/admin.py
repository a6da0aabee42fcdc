from django.contrib import admin

from samsyn.surveys.models import SurveyMapping, SurveyResult


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin):
    list_display = ("area", "year", "source", "indicator", "value", "respondents")
    list_filter = ("collaboration", "year", "source")


@admin.register(SurveyMapping)
class SurveyMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "collaboration", "source", "indicator")
