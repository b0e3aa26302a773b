from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "circlekeep.agreements"
    label = "agreements"
    verbose_name = "Agreements"
