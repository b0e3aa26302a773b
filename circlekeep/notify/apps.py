from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "circlekeep.notify"
    label = "notify"
    verbose_name = "Notifications"
