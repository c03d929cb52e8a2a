from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("new/", views.meeting_new, name="new"),
    path("join/", views.join_by_code, name="join_by_code"),
    path("meetings/schedule/", views.meeting_schedule, name="schedule"),
    path("meetings/reminders/", views.reminders_upcoming, name="reminders_upcoming"),
    path("calendar/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("rsvp/<str:token>/<str:answer>/", views.rsvp, name="rsvp"),
    path("meetings/<str:code>/", views.meeting_detail, name="detail"),
    path("meetings/<str:code>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<str:code>/occurrences/<str:key>/", views.occurrence_detail, name="occurrence"),
    path(
        "meetings/<str:code>/occurrences/<str:key>/cancel/", views.occurrence_cancel, name="occurrence_cancel"
    ),
    path(
        "meetings/<str:code>/occurrences/<str:key>/edit/", views.meeting_edit_following, name="edit_following"
    ),
    path("meetings/<str:code>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<str:code>/end/", views.meeting_end, name="end"),
    path("meetings/<str:code>/invite/", views.meeting_invite, name="invite"),
    path("meetings/<str:code>/calendar.ics", views.meeting_calendar_file, name="calendar"),
    path("meetings/<str:code>/attendance.csv", views.meeting_attendance_csv, name="attendance_csv"),
    path("meetings/<str:code>/events.csv", views.meeting_events_csv, name="events_csv"),
    path("m/<str:code>/", views.join, name="join"),
    path("m/<str:code>/status/", views.join_status, name="join_status"),
    path("m/<str:code>/ticket/", views.join_ticket, name="join_ticket"),
]
