from django.urls import path

from samsyn.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.forums, name="forums"),
    path("forums/new/", views.forum_edit, name="forum_new"),
    path("forums/<uuid:code>/", views.forum, name="forum"),
    path("forums/<uuid:code>/edit/", views.forum_edit, name="forum_edit"),
    path("forums/<uuid:code>/plan/", views.forum_plan, name="forum_plan"),
    path(
        "forums/<uuid:code>/calendar.ics",
        views.forum_calendar_ics,
        name="forum_calendar",
    ),
    path("calendar/link/", views.calendar_link, name="calendar_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("decisions/", views.decisions, name="decisions"),
    path(
        "decisions/<uuid:code>/status/", views.decision_status, name="decision_status"
    ),
    path("<uuid:code>/", views.meeting, name="meeting"),
    path("<uuid:code>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("<uuid:code>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("<uuid:code>/status/", views.meeting_status, name="meeting_status"),
    path("<uuid:code>/decisions/", views.decision_add, name="decision_add"),
]
