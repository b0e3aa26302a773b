from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "circlekeep.notes"
    label = "notes"
    verbose_name = "Notes"
