"""The baseline of `make bench-room`: a bare Channels relay, with the project's settings and
channel layer, served by the same uvicorn setup as config/asgi.py. Each frame a socket sends
goes to every other socket of its group, as is: no session, no database, no checks.

    uvicorn bench.relay:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from channels.consumer import get_handler_name  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class BareRelay(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        # As the room's consumer does (circlekeep/rooms/consumers.py): no hop to the
        # database thread per message; a bare relay has no database.
        await getattr(self, get_handler_name(message))(message)

    async def connect(self):
        self.group = f"relay.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.group, {
            "type": "relay.frame", "text": text_data, "skip": self.channel_name})

    async def relay_frame(self, event):
        if event["skip"] != self.channel_name:
            await self.send(text_data=event["text"])


application = ProtocolTypeRouter({
    "websocket": URLRouter([path("ws/relay/<str:room>/", BareRelay.as_asgi())]),
})
