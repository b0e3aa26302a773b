from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "circlekeep.rooms"
    label = "rooms"
    verbose_name = "Online rooms"
