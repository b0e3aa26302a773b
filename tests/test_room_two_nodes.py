"""One room across two app nodes: two uvicorn processes that share one database and one
Redis, the facilitator's device on node A and two members' devices on node B.

Everything the consumer knows about a room lives in the database and every frame between
devices goes through the channel layer, so admission, chat, key boxes, removal and ending
must work across nodes exactly as in one process, and nothing may reach a device that is
waiting or was removed.

How the data is shared: the nodes are separate processes and cannot see pytest's test
database, so the test makes its own throw-away SQLite file (WAL, as in a trial) in a temp
directory. A short script, run with the same environment as the nodes, migrates it and
sets up the cast through the project's real actions (``build_cast``, ``make_member``,
``do_schedule_meetings``) and the sessions the browsers would carry (``signed_in_client``),
and prints what the test needs as JSON. The nodes share throw-away vault and audit keys
from that environment. The test process itself only speaks websockets (the ``websockets``
client, with the session cookie and an allowed Origin), and reads the file with ``sqlite3``
afterwards. Redis: its own database number, and a channel prefix unique to the run
(pub/sub is not separated by database number). Skipped only when Redis does not answer.
"""

import asyncio
import base64
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from circlekeep.lib.loopback import free_port, redis_answers
from circlekeep.testing import run_on_own_loop

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB = 12
CLOSE_GONE = 4000

SETUP = """
import json
from datetime import timedelta

import django

django.setup()
from django.conf import settings
from django.utils import timezone

from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.testing import build_cast, make_member, signed_in_client

cast = build_cast()
noor = make_member(cast.circle, "noor@example.test", name="Noor", actor=cast.facilitator).user
meeting = do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=5),
                               duration_minutes=60, recurrence="none", mode="online",
                               actor=cast.facilitator).meetings.get()


def cookie(user):
    return signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value


print(json.dumps({"meeting": str(meeting.public_id), "fran": cookie(cast.facilitator),
                  "mina": cookie(cast.member), "noor": cookie(noor)}))
"""


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_device():
    return {"id": b64(os.urandom(16)), "sign": b64(os.urandom(32)), "dh": b64(os.urandom(32))}


def chat(counter, text):
    return {"type": "chat", "epoch": 1, "counter": counter, "nonce": b64(os.urandom(12)),
            "ct": b64(text.encode()), "sig": b64(os.urandom(64))}


def node_environment(var_dir):
    sys.path.insert(0, str(ROOT))
    from circlekeep.lib.keyfiles import new_keyring_json

    env = dict(os.environ)
    env.pop("CIRCLEKEEP_TESTING", None)
    env.pop("DATABASE_URL", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "CIRCLEKEEP_VAR_DIR": str(var_dir),
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "ERROR",
        "VAULT_KEYRING": new_keyring_json(),
        "AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "CHANNEL_LAYER_PREFIX": f"ck-test-{secrets.token_hex(6)}",
    })
    env.pop("CHANNEL_LAYER_IN_MEMORY", None)
    return env


def wait_for_port(port, process, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the node on port {port} stopped (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the node on port {port} did not start within {seconds} s")


@pytest.fixture
def two_nodes():
    if not redis_answers():
        pytest.skip("Redis does not answer at 127.0.0.1:6379: the nodes need it to share rooms")
    var_dir = Path(tempfile.mkdtemp(prefix="circlekeep-two-nodes-"))
    env = node_environment(var_dir)
    python = sys.executable
    nodes = []
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True, timeout=120)
        setup = subprocess.run([python, "-c", SETUP], cwd=ROOT, env=env, check=True,
                               capture_output=True, text=True, timeout=60)
        cast = json.loads(setup.stdout.strip().splitlines()[-1])
        ports = []
        for _ in range(2):
            port = free_port()
            nodes.append(subprocess.Popen(
                [str(Path(python).parent / "uvicorn"), "config.asgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--ws-max-size", "65536",
                 "--ws-per-message-deflate", "false",
                 "--no-access-log", "--log-level", "warning"], cwd=ROOT, env=env))
            ports.append(port)
        for port, node in zip(ports, nodes, strict=True):
            wait_for_port(port, node)
        yield {"a": ports[0], "b": ports[1], "cast": cast,
               "database": var_dir / "circlekeep.sqlite3"}
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait(timeout=5)
        shutil.rmtree(var_dir, ignore_errors=True)


class Device:
    """One browser's websocket to one node."""

    def __init__(self, port, meeting, cookie):
        self.url = f"ws://127.0.0.1:{port}/ws/rooms/{meeting}/"
        self.origin = f"http://127.0.0.1:{port}"
        self.cookie = cookie
        self.device = new_device()
        self.id = self.device["id"]

    async def hello(self):
        from websockets.asyncio.client import connect

        self.socket = await connect(self.url, origin=self.origin,
                                    additional_headers={"Cookie": f"ck_session={self.cookie}"},
                                    open_timeout=5, close_timeout=2)
        await self.send({"type": "hello", "device": self.device})
        return await self.expect("welcome")

    async def send(self, frame):
        await self.socket.send(json.dumps(frame))

    async def receive(self, timeout=5):
        from websockets.exceptions import ConnectionClosed

        try:
            return json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        except ConnectionClosed as closed:
            return {"type": "closed", "code": closed.rcvd.code if closed.rcvd else None}

    async def expect(self, kind, timeout=5):
        """The next frame of ``kind``, skipping others; fails if it does not come."""
        seen = []
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame
            seen.append(frame["type"])
            assert frame["type"] != "closed", f"closed while waiting for {kind}: {seen}"

    async def nothing(self, timeout=0.5):
        """No frame arrives (ignoring presence updates, which carry no one's words)."""
        try:
            frame = await self.receive(timeout)
        except TimeoutError:
            return
        raise AssertionError(f"a frame reached this device: {frame}")

    async def only_closed(self, code, timeout=0.5):
        """The socket is closed with ``code`` and nothing else came before."""
        frame = await self.receive(timeout)
        assert frame == {"type": "closed", "code": code}, frame

    async def close(self):
        if getattr(self, "socket", None) is not None:
            await self.socket.close()


async def scenario(nodes):
    cast = nodes["cast"]
    meeting = cast["meeting"]
    fran = Device(nodes["a"], meeting, cast["fran"])
    mina = Device(nodes["b"], meeting, cast["mina"])
    noor = Device(nodes["b"], meeting, cast["noor"])
    try:
        assert (await fran.hello())["status"] == "admitted"
        for member in (mina, noor):
            welcome = await member.hello()
            assert welcome["status"] == "opening"
            # The facilitator on the other node is pinned from the database.
            assert welcome["facilitator"]["device"] == fran.id
            await member.send({"type": "ask"})
            await member.expect("waiting")

        # The waiting list reaches node A; waiting members see nothing of each other.
        while True:
            waiting = (await fran.expect("waiting-list"))["waiting"]
            if len(waiting) == 2:
                break
        assert {w["device"] for w in waiting} == {mina.id, noor.id}
        await mina.nothing()
        await noor.nothing()

        # Admission from node A reaches node B.
        await fran.send({"type": "admit", "device": mina.id})
        await mina.expect("admitted")
        join = await fran.expect("join")
        assert join["device"] == mina.device and join["label"] == "Mina"

        # Chat and key boxes both ways; the waiting device gets none of it.
        sent = chat(1, "from B")
        await mina.send(sent)
        assert await fran.expect("chat") == {**sent, "from": mina.id}
        sent = chat(1, "from A")
        await fran.send(sent)
        assert await mina.expect("chat") == {**sent, "from": fran.id}
        await mina.send({"type": "keys", "epoch": 1, "boxes": [
            {"to": fran.id, "box": b64(b"k" * 60)}, {"to": noor.id, "box": b64(b"n" * 60)}]})
        assert await fran.expect("key") == {"type": "key", "from": mina.id, "epoch": 1,
                                            "box": b64(b"k" * 60)}
        await noor.nothing()

        # The second member is admitted; key boxes from A reach each device on B, and
        # chat from B reaches the other device on B and the facilitator on A.
        await fran.send({"type": "admit", "device": noor.id})
        await noor.expect("admitted")
        await fran.send({"type": "keys", "epoch": 2, "boxes": [
            {"to": mina.id, "box": b64(b"m" * 60)}, {"to": noor.id, "box": b64(b"o" * 60)}]})
        assert (await mina.expect("key"))["box"] == b64(b"m" * 60)
        assert (await noor.expect("key"))["box"] == b64(b"o" * 60)
        sent = chat(1, "noor speaks")
        await noor.send(sent)
        assert await mina.expect("chat") == {**sent, "from": noor.id}
        assert await fran.expect("chat") == {**sent, "from": noor.id}

        # Removal from node A sends the device on node B out; it gets nothing after.
        await fran.send({"type": "remove", "device": noor.id})
        removed = await noor.expect("removed")
        assert "removed you" in removed["message"]
        await noor.only_closed(CLOSE_GONE, timeout=5)
        assert (await fran.expect("leave"))["device"] == noor.id
        sent = chat(2, "after")
        await mina.send(sent)
        assert await fran.expect("chat") == {**sent, "from": mina.id}
        await fran.send({"type": "keys", "epoch": 3, "boxes": [
            {"to": mina.id, "box": b64(b"3" * 60)}, {"to": noor.id, "box": b64(b"x" * 60)}]})
        assert (await mina.expect("key"))["epoch"] == 3
        await noor.only_closed(CLOSE_GONE)

        # Ending on node A closes the room on both nodes.
        await fran.send({"type": "end"})
        for device in (mina, fran):
            assert (await device.expect("ended"))["message"]
            await device.only_closed(CLOSE_GONE, timeout=5)
    finally:
        for device in (fran, mina, noor):
            await device.close()


def test_a_room_spans_two_nodes_that_share_redis_and_the_database(two_nodes):
    run_on_own_loop(asyncio.wait_for(scenario(two_nodes), timeout=60))
    with sqlite3.connect(two_nodes["database"]) as db:
        statuses = dict(db.execute(
            "SELECT u.display_name, p.status FROM rooms_presence p "
            "JOIN accounts_user u ON u.id = p.user_id").fetchall())
        ended = db.execute("SELECT ended_at FROM rooms_room").fetchall()
        attended = db.execute("SELECT COUNT(*) FROM meetings_attendance").fetchone()[0]
    assert statuses == {"Fran": "ended", "Mina": "ended", "Noor": "removed"}
    assert len(ended) == 1 and ended[0][0] is not None
    assert attended == 2
