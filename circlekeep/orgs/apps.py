from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "circlekeep.orgs"
    label = "orgs"
    verbose_name = "Organizations"
