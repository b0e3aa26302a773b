from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "circlekeep.disclosures"
    label = "disclosures"
    verbose_name = "Disclosures"
