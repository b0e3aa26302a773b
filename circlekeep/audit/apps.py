from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "circlekeep.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import pre_delete, pre_save

        from circlekeep.lib.actions import note_domain_write

        # Domain models are every model in a circlekeep app but the audit trail itself.
        for model in apps.get_models():
            if model.__module__.startswith("circlekeep.") and model._meta.app_label != "audit":
                pre_save.connect(note_domain_write, sender=model, weak=False)
                pre_delete.connect(note_domain_write, sender=model, weak=False)
