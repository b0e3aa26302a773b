from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "circlekeep.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.db.backends.signals import connection_created

        connection_created.connect(_lend_sqlite_sha256, weak=False)
        from django.apps import apps
        from django.db.models.signals import pre_delete, pre_save

        from circlekeep.lib.actions import note_domain_write

        # Domain models are every model in a circlekeep app but the audit trail itself.
        for model in apps.get_models():
            if model.__module__.startswith("circlekeep.") and model._meta.app_label != "audit":
                pre_save.connect(note_domain_write, sender=model, weak=False)
                pre_delete.connect(note_domain_write, sender=model, weak=False)


def _lend_sqlite_sha256(sender, connection, **kwargs):
    """SQLite has no SHA-256 of its own; the audit writer chains hashes in SQL with this."""
    if connection.vendor == "sqlite":
        import hashlib

        connection.connection.create_function(
            "ck_sha256", 1, lambda text: hashlib.sha256(text.encode()).hexdigest(),
            deterministic=True)
