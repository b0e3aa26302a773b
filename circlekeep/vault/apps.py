from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "circlekeep.vault"
    label = "vault"
    verbose_name = "Vault"

    def ready(self):
        from circlekeep.vault import checks  # noqa: F401  (registers the key check)
