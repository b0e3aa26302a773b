from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "circlekeep.meetings"
    label = "meetings"
    verbose_name = "Meetings"
