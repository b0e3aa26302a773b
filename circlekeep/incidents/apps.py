from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "circlekeep.incidents"
    label = "incidents"
    verbose_name = "Concerns and privacy incidents"
