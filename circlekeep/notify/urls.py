from django.urls import path

from circlekeep.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
    path("<uuid:notification_id>/read/", views.mark_read, name="read"),
]
