from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "circlekeep.incidents"
    label = "incidents"
    verbose_name = "Concerns and privacy incidents"

    def ready(self):
        from circlekeep.incidents.actions import do_notify_held_concerns
        from circlekeep.notify.hooks import DAILY

        DAILY.register(do_notify_held_concerns)
