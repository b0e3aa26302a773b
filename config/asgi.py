"""The ASGI server's application: websockets only (`/ws/`, the online rooms).

Pages stay on the WSGI server (config/wsgi.py); an HTTP request that reaches this server
is answered 404. The websocket's Origin must be one of ALLOWED_HOSTS, and it carries the
page's session cookie (circlekeep/rooms/sessions.py).
"""

import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.db import connections  # noqa: E402

from circlekeep.rooms.routing import websocket_urlpatterns  # noqa: E402
from circlekeep.vault.checks import refuse_to_start_without_working_keys  # noqa: E402


async def not_here(scope, receive, send):
    """Plain HTTP belongs to the WSGI server."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Pages are served elsewhere.\n"})


application = ProtocolTypeRouter({
    "http": not_here,
    "lifespan": not_here,
    "websocket": AllowedHostsOriginValidator(
        SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
})


def _check_keys_before_serving():
    """The keyring check reads the database, which Django refuses from a running event
    loop; uvicorn's worker processes import this module inside theirs. So the check runs
    in a thread of its own, and the import waits for it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        refuse_to_start_without_working_keys()
        return

    def check():
        try:
            refuse_to_start_without_working_keys()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(check).result()


_check_keys_before_serving()
# Everything loaded so far (Django, the apps, the URL routes) lives as long as the
# process: keep it out of the collector's full passes, which otherwise walk it again and
# again while a busy room relays and re-checks (a full pass is a pause for every socket).
gc.freeze()
