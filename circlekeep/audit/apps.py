from django.apps import AppConfig

from circlekeep.lib.actions import note_domain_write


class AuditConfig(AppConfig):
    name = "circlekeep.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created

        checks.register(check_witness, checks.Tags.security, deploy=True)

        connection_created.connect(_lend_sqlite_sha256, weak=False)
        from django.apps import apps
        from django.db.models.signals import pre_delete, pre_save

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


def check_witness(app_configs=None, **kwargs):
    """Deployment check: signed heads of the audit trail need a witness outside the
    database, and a file witness needs its directory (a separate volume) in place."""
    from pathlib import Path

    from django.conf import settings
    from django.core.checks import Warning

    from circlekeep.audit import witness

    if not witness.configured():
        return [Warning("No witness outside the database receives the audit trail's signed "
                        "heads, so a truncated trail could go unnoticed.",
                        hint="Set AUDIT_WITNESS_PATH (a file on a separate volume), "
                             "AUDIT_WITNESS_SYSLOG or AUDIT_WITNESS_URL.", id="audit.W001")]
    path = settings.AUDIT_WITNESS_PATH
    if path and not Path(path).parent.is_dir():
        return [Warning(f"The directory of AUDIT_WITNESS_PATH ({Path(path).parent}) does not "
                        "exist, so signed heads cannot be witnessed there.",
                        hint="Mount the witness volume, or point AUDIT_WITNESS_PATH at it.",
                        id="audit.W002")]
    return []
