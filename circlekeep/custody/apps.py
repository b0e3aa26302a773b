from django.apps import AppConfig


class CustodyConfig(AppConfig):
    """Custody of protected information across organizations: erasing one organization's
    share of a person, and the operator's key commands (``manage.py vault``). Above the
    domain apps, so that the vault's sealing core stays on the ground floor."""

    name = "circlekeep.custody"
    label = "custody"
    verbose_name = "Custody of protected information"
