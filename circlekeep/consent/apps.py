from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "circlekeep.consent"
    label = "consent"
    verbose_name = "Informed consent"
