from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "circlekeep.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # last_login is written by the sign-in action with its audit event instead.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
