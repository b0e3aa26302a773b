import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Refuse to serve with a keyring that cannot open the data keys in the database: a wrong
# key must stop the start, not surface later as unreadable records.
from circlekeep.vault.checks import refuse_to_start_without_working_keys  # noqa: E402

refuse_to_start_without_working_keys()
