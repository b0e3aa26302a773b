from django.apps import AppConfig


class HomeConfig(AppConfig):
    """Pages that gather several apps' work: the home page (each person's circles, the
    circles they run, their wards, open privacy incidents), the navigation every page
    carries, and the demo data. Above the domain apps."""

    name = "circlekeep.home"
    label = "home"
    verbose_name = "Home"
