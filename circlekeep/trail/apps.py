from django.apps import AppConfig


class TrailConfig(AppConfig):
    """The audit trail as people read it: "Who has seen my information", the staff trail,
    its export, the security report and their API. It sits above the domain apps, whose
    rules about who may see what it applies; the recording, chaining and verifying core
    stays in ``circlekeep.audit``, on the ground floor."""

    name = "circlekeep.trail"
    label = "trail"
    verbose_name = "Audit trail pages"
