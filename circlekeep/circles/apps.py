from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circlekeep.circles"
    label = "circles"
    verbose_name = "Circles"
