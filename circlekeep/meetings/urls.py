from django.urls import path

from circlekeep.meetings import views

app_name = "meetings"

urlpatterns = [
    path("circles/<uuid:circle_id>/", views.circle_meetings, name="circle"),
    path("<uuid:meeting_id>/", views.meeting_detail, name="detail"),
    path("<uuid:meeting_id>/ritual/", views.ritual, name="ritual"),
    path("<uuid:meeting_id>/ritual/<uuid:membership_id>/", views.acknowledge_member,
         name="acknowledge-member"),
    path("<uuid:meeting_id>/attendance/<uuid:membership_id>/", views.record_attendance,
         name="attendance"),
    path("<uuid:meeting_id>/pledges/<uuid:membership_id>/", views.record_pledge,
         name="pledge"),
    path("<uuid:meeting_id>/agenda/", views.add_agenda_item, name="agenda-add"),
    path("<uuid:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:meeting_id>/move/", views.move, name="move"),
    path("memberships/<uuid:membership_id>/attendance/", views.attendance_history,
         name="history"),
    path("calendar/", views.calendar, name="calendar"),
    path("schedule/", views.schedule, name="schedule"),
]
