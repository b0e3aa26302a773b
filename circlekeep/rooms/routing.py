from django.urls import path

from circlekeep.rooms.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/rooms/<str:meeting_id>/", RoomConsumer.as_asgi()),
]
