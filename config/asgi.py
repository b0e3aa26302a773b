import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from circlekeep.vault.checks import refuse_to_start_without_working_keys  # noqa: E402

refuse_to_start_without_working_keys()
