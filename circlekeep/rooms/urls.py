from django.urls import path

from circlekeep.rooms import views

app_name = "rooms"
urlpatterns = [
    path("<str:meeting_id>/room/", views.room, name="room"),
]
