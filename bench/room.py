"""make bench-room: the online room (docs/rooms.md) under an evening's load, on one ASGI
node (ROOM_BENCH_WORKERS uvicorn worker processes, 2: one per core), with Redis pub/sub as
the channel layer when Redis answers (else the in-process layer), against a fresh database
(SQLite in a temp directory, or a fresh PostgreSQL database beside DATABASE_URL's when
that is set).

1. The evening peak: ROOM_BENCH_MEMBERS members (1,000) arrive at random moments within
   ROOM_BENCH_PEAK_SECONDS (60) in rooms of ROOM_BENCH_ROOM_SIZE - 1 members (about 70
   rooms); each room's facilitator admits people as they arrive. Reports errors (must be 0)
   and the admission round trip, `ask` sent → `admitted` received, p50/p99.
2. Chat fan-out: ROOM_BENCH_CHAT_ROOMS (100) rooms of ROOM_BENCH_ROOM_SIZE (15) admitted
   devices, every device sending a stand-in ciphertext chat frame every
   ROOM_BENCH_CHAT_INTERVAL seconds (5, at its own random phase) for
   ROOM_BENCH_CHAT_SECONDS (10), in ROOM_BENCH_ROUNDS (3) rounds that alternate with the
   same load through a bare Channels relay (bench/relay.py, same uvicorn setup, same
   channel layer), the baseline. Reports delivery latency (sent → received by each other
   device) p50/p99 and frames delivered per second, medians over the rounds, and room ÷
   bare relay. The offered load is the same for both, so their throughput differs
   only when one falls behind (frames still missing 5 s after the last send count as
   lost). Target: room p99 < 50 ms.

Setting up the chat rooms (hello, ask, admit) is not measured; a device that cannot be set
up is counted and left out. A device waits at most PATIENCE seconds for any answer.

The load generator is this one process (asyncio and the `websockets` client) on loopback.
The people are built through the real actions by bench/room_data.py, ROOM_BENCH_SETUP_JOBS
(2) processes side by side, each member in one circle only.
"""

import asyncio
import base64
import contextlib
import json
import math
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from circlekeep.lib.loopback import free_port, redis_answers  # noqa: E402

PY = sys.executable
MEMBERS = int(os.environ.get("ROOM_BENCH_MEMBERS", "1000"))
PEAK_SECONDS = float(os.environ.get("ROOM_BENCH_PEAK_SECONDS", "60"))
ROOM_SIZE = int(os.environ.get("ROOM_BENCH_ROOM_SIZE", "15"))
CHAT_ROOMS = int(os.environ.get("ROOM_BENCH_CHAT_ROOMS", "100"))
CHAT_SECONDS = float(os.environ.get("ROOM_BENCH_CHAT_SECONDS", "10"))
ROUNDS = int(os.environ.get("ROOM_BENCH_ROUNDS", "3"))
CHAT_INTERVAL = float(os.environ.get("ROOM_BENCH_CHAT_INTERVAL", "5"))
SETUP_JOBS = int(os.environ.get("ROOM_BENCH_SETUP_JOBS", "2"))
# uvicorn worker processes of the node (for the room and, alike, for the bare relay).
WORKERS = int(os.environ.get("ROOM_BENCH_WORKERS", "2"))
# Connections opened at once while setting rooms up (not measured).
OPENING = 50
SETTLE_SECONDS, SETTLE_LIMIT = 3, 180
# A frame not answered within this long is an error.
PATIENCE = 30.0
TARGET_P99_MS = 50.0
REDIS_DB = 13


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_device():
    return {"id": b64(os.urandom(16)), "sign": b64(os.urandom(32)), "dh": b64(os.urandom(32))}


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# The database and the servers ------------------------------------------------------------


class FreshPostgres:
    """A new database on DATABASE_URL's server, dropped afterwards."""

    def __init__(self, url):
        import psycopg

        self.psycopg, parts = psycopg, urllib.parse.urlsplit(url)
        self.name = f"ck_room_bench_{secrets.token_hex(4)}"
        self.admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        with self.psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def environment(var_dir):
    """``make bench``'s production-like environment (bench/run.py), with a channel prefix
    of this run's own and Redis database 13 for the rooms' layer."""
    from run import environment as bench_environment

    env = bench_environment(var_dir)
    env["CHANNEL_LAYER_PREFIX"] = f"ck-bench-{secrets.token_hex(4)}"
    env.pop("CHANNEL_LAYER_IN_MEMORY", None)
    if "REDIS_URL" not in os.environ and redis_answers():
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    return env


def build_people(env, var_dir, circles, members):
    subprocess.run([PY, "bench/room_data.py", "org", str(var_dir / "org.json")], cwd=ROOT,
                   env=env, check=True)
    jobs, first, procs = max(1, min(SETUP_JOBS, circles)), 0, []
    try:
        for job in range(jobs):
            count = circles // jobs + (1 if job < circles % jobs else 0)
            out = var_dir / f"circles-{job}.jsonl"
            procs.append((out, subprocess.Popen(
                [PY, "bench/room_data.py", "circles", str(out), str(first), str(count),
                 str(members)], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)))
            first += count
        for _out, proc in procs:
            if proc.wait() != 0:
                sys.exit("building the bench's circles failed")
    finally:
        for _out, proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
    rooms = []
    for out, _proc in procs:
        rooms += [json.loads(line) for line in out.read_text().splitlines()]
    return sorted(rooms, key=lambda room: room["circle"])


def serve(app, env, extra=()):
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PY).parent / "uvicorn"), app, "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(WORKERS), "--ws-max-size", "65536", "--ws-per-message-deflate",
         "false", "--no-access-log", "--log-level", "warning", *extra],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"{app} did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit(f"{app} did not start within 30 s")


def stop(server):
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


# Devices ----------------------------------------------------------------------------------


class Failure(Exception):
    pass


class Device:
    def __init__(self, port, path, cookie=None):
        self.url, self.origin = f"ws://127.0.0.1:{port}{path}", f"http://127.0.0.1:{port}"
        self.cookie, self.device = cookie, new_device()
        self.id, self.socket = self.device["id"], None

    async def open(self):
        from websockets.asyncio.client import connect

        headers = {"Cookie": f"ck_session={self.cookie}"} if self.cookie else {}
        self.socket = await connect(self.url, origin=self.origin, additional_headers=headers,
                                    open_timeout=PATIENCE, close_timeout=5, max_queue=None)

    async def send(self, frame):
        await self.socket.send(json.dumps(frame, separators=(",", ":")))

    async def expect(self, kind):
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                frame = json.loads(await asyncio.wait_for(self.socket.recv(),
                                                          deadline - time.monotonic()))
            except TimeoutError:
                raise Failure(f"no {kind} within {PATIENCE:.0f} s") from None
            if frame["type"] == kind:
                return frame
            if frame["type"] in ("error", "refused", "removed", "ended"):
                raise Failure(f"{frame['type']} while waiting for {kind}: {frame}")

    async def hello(self):
        await self.open()
        await self.send({"type": "hello", "device": self.device})
        return await self.expect("welcome")

    async def close(self):
        if self.socket is not None:
            await self.socket.close()


class Facilitator(Device):
    """Admits every device that waits in its room, as it arrives."""

    async def admit_arrivals(self):
        from websockets.exceptions import ConnectionClosed

        admitted, self.errors = set(), []
        try:
            async for message in self.socket:
                frame = json.loads(message)
                if frame["type"] == "waiting-list":
                    for waiting in frame["waiting"]:
                        if waiting["device"] not in admitted:
                            admitted.add(waiting["device"])
                            await self.send({"type": "admit", "device": waiting["device"]})
                elif frame["type"] == "error":
                    self.errors.append(f"the facilitator was refused: {frame['message']}")
        except ConnectionClosed:
            pass


async def enter(member):
    """A member's device says hello, asks to enter and waits to be admitted; returns the
    round trip from ask to admitted in ms."""
    welcome = await member.hello()
    if welcome["status"] != "opening":
        raise Failure(f"welcomed as {welcome['status']}")
    await member.send({"type": "ask"})
    asked = time.perf_counter()
    await member.expect("admitted")
    return (time.perf_counter() - asked) * 1000


async def end_rooms(facilitators, tasks):
    for facilitator in facilitators:
        # A socket already gone has nothing to end.
        with contextlib.suppress(Exception):
            await facilitator.send({"type": "end"})
    if tasks:
        await asyncio.wait(tasks, timeout=PATIENCE)


# Phase 1: the evening peak -----------------------------------------------------------------


async def evening_peak(port, rooms):
    per_room = ROOM_SIZE - 1
    facilitators = [Facilitator(port, f"/ws/rooms/{room['peak']}/", room["facilitator"])
                    for room in rooms]
    await asyncio.gather(*(f.hello() for f in facilitators))
    watchers = [asyncio.create_task(f.admit_arrivals()) for f in facilitators]
    members = [Device(port, f"/ws/rooms/{rooms[n // per_room]['peak']}/",
                      rooms[n // per_room]["members"][n % per_room]) for n in range(MEMBERS)]
    arrivals = sorted(random.uniform(0, PEAK_SECONDS) for _ in members)
    random.shuffle(members)
    start = time.perf_counter()
    round_trips, errors = [], []

    async def arrive(member, at):
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        try:
            round_trips.append(await enter(member))
        except Exception as error:  # every failure counts as an error
            errors.append(f"{type(error).__name__}: {error}")

    await asyncio.gather(*(arrive(m, at) for m, at in zip(members, arrivals, strict=True)))
    took = time.perf_counter() - start
    await end_rooms(facilitators, watchers)
    errors += [error for f in facilitators for error in getattr(f, "errors", ())]
    for device in (*members, *facilitators):
        await device.close()
    return {"admitted": len(round_trips), "errors": errors, "seconds": took,
            "p50": percentile(round_trips, 50), "p99": percentile(round_trips, 99),
            "rooms": len(facilitators)}


# Phase 2: chat fan-out ----------------------------------------------------------------------


def chat_frame(device, counter, ciphertext):
    return {"type": "chat", "epoch": 1, "counter": counter, "nonce": b64(os.urandom(12)),
            "ct": ciphertext, "sig": b64(os.urandom(64)), "from": device}


async def fan_out(groups):
    """Every device of every group sends at the steady rate for CHAT_SECONDS; returns the
    delivery latencies' p50/p99, frames sent, expected and delivered, and frames delivered
    per second. Each group is a list of open devices that all receive each other's chat."""
    from websockets.exceptions import ConnectionClosed

    sent_at, latencies = {}, []
    counts = {"sent": 0, "expected": 0, "errors": 0}
    # A short message's ciphertext: {"text": ~100 characters, "sent_at": ...} + GCM tag.
    ciphertext = b64(os.urandom(150))
    start = time.perf_counter()
    stop_at = start + CHAT_SECONDS

    async def talk(device, others):
        await asyncio.sleep(random.uniform(0, CHAT_INTERVAL))
        while time.perf_counter() < stop_at:
            # Counters go on from round to round, as in one meeting.
            device.counter = getattr(device, "counter", 0) + 1
            sent_at[(device.id, device.counter)] = time.perf_counter()
            await device.send(chat_frame(device.id, device.counter, ciphertext))
            counts["sent"] += 1
            counts["expected"] += others
            await asyncio.sleep(CHAT_INTERVAL)

    async def listen(device):
        try:
            async for message in device.socket:
                frame = json.loads(message)
                if frame["type"] == "chat":
                    sent = sent_at.get((frame["from"], frame["counter"]))
                    if sent is not None:
                        latencies.append(time.perf_counter() - sent)
                elif frame["type"] == "error":
                    counts["errors"] += 1
        except ConnectionClosed:
            pass

    listeners = [asyncio.create_task(listen(d)) for group in groups for d in group]
    await asyncio.gather(*(talk(d, len(group) - 1) for group in groups for d in group))
    # Let the last frames arrive.
    drain = time.perf_counter() + 5
    while len(latencies) < counts["expected"] and time.perf_counter() < drain:
        await asyncio.sleep(0.1)
    seconds = time.perf_counter() - start
    for listener in listeners:
        listener.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    ms = [latency * 1000 for latency in latencies]
    return {"sent": counts["sent"], "expected": counts["expected"], "delivered": len(ms),
            "errors": counts["errors"], "rate": len(ms) / seconds,
            "p50": percentile(ms, 50), "p99": percentile(ms, 99)}


async def opened(devices, how):
    """Runs ``how`` on every device, OPENING at a time; returns the failures."""
    gate, failures = asyncio.Semaphore(OPENING), []

    async def one(device):
        async with gate:
            try:
                await how(device)
                device.ready = True
            except Exception as error:  # the device stays out of the measurement
                failures.append(f"{type(error).__name__}: {error}")

    await asyncio.gather(*(one(d) for d in devices))
    return failures


async def room_groups(port, rooms):
    """Each room's facilitator and members, admitted; returns (groups, facilitators,
    failures)."""
    facilitators = [Facilitator(port, f"/ws/rooms/{room['chat']}/", room["facilitator"])
                    for room in rooms]
    failures = await opened(facilitators, Facilitator.hello)
    watchers = [asyncio.create_task(f.admit_arrivals()) for f in facilitators
                if getattr(f, "ready", False)]
    groups = [[Device(port, f"/ws/rooms/{room['chat']}/", cookie)
               for cookie in room["members"][:ROOM_SIZE - 1]] for room in rooms]
    failures += await opened([d for group in groups for d in group], enter)
    # The facilitators' own sockets talk too; their admitting is done.
    for watcher in watchers:
        watcher.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    groups = [[d for d in (facilitator, *group) if getattr(d, "ready", False)]
              for facilitator, group in zip(facilitators, groups, strict=True)]
    return groups, facilitators, failures


async def relay_groups(port):
    groups = [[Device(port, f"/ws/relay/r{n}/") for _ in range(ROOM_SIZE)]
              for n in range(CHAT_ROOMS)]
    failures = await opened([d for group in groups for d in group], Device.open)
    return [[d for d in group if getattr(d, "ready", False)] for group in groups], failures


async def settle(groups):
    """Reads every socket until none has had a frame for SETTLE_SECONDS (at most
    SETTLE_LIMIT); returns the seconds it took."""
    from websockets.exceptions import ConnectionClosed

    start = last = time.perf_counter()

    async def drain(device):
        nonlocal last
        try:
            async for _message in device.socket:
                last = time.perf_counter()
        except ConnectionClosed:
            pass

    readers = [asyncio.create_task(drain(d)) for group in groups for d in group]
    while (time.perf_counter() - last < SETTLE_SECONDS
           and time.perf_counter() - start < SETTLE_LIMIT):
        await asyncio.sleep(0.2)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return time.perf_counter() - start


def combined(runs, failures):
    """The median of each figure over the rounds; frames and errors summed."""
    result = {key: statistics.median(run[key] for run in runs)
              for key in ("rate", "p50", "p99")}
    result.update({key: sum(run[key] for run in runs)
                   for key in ("sent", "expected", "delivered", "errors")})
    result["setup_failures"] = failures
    return result


async def chat(port, relay_port, rooms):
    """Both servers' rooms open side by side, then alternating rounds (room, bare relay,
    …) so that load from elsewhere on the machine hits both alike."""
    groups, facilitators, room_failures = await room_groups(port, rooms)
    print(f"  {sum(len(g) for g in groups)} room devices admitted", flush=True)
    bare_groups, bare_failures = await relay_groups(relay_port)
    # Let the admissions' presence updates die down: what is measured is steady chat.
    quiet = await settle([*groups, *bare_groups])
    print(f"  quiet after {quiet:.0f} s", flush=True)
    room_runs, bare_runs = [], []
    for number in range(ROUNDS):
        room_runs.append(await fan_out(groups))
        bare_runs.append(await fan_out(bare_groups))
        print(f"  round {number + 1}: p99 room {room_runs[-1]['p99']:.1f} ms, bare relay "
              f"{bare_runs[-1]['p99']:.1f} ms", flush=True)
    await end_rooms([f for f in facilitators if getattr(f, "ready", False)], [])
    await asyncio.sleep(1)
    for device in (*facilitators, *(d for group in (*groups, *bare_groups) for d in group)):
        await device.close()
    return combined(room_runs, room_failures), combined(bare_runs, bare_failures)


def report_setup(result):
    failures = result["setup_failures"]
    if failures:
        print(f"  {len(failures)} devices could not be set up (left out of the measure):",
              flush=True)
        for error, count in Counter(failures).most_common(3):
            print(f"    {count} × {error}", flush=True)


# The run ------------------------------------------------------------------------------------


def main():
    peak_rooms = math.ceil(MEMBERS / (ROOM_SIZE - 1))
    circles = max(peak_rooms, CHAT_ROOMS)
    var_dir = Path(tempfile.mkdtemp(prefix="circlekeep-bench-room-"))
    env = environment(var_dir)
    postgres, servers = None, []
    try:
        if env.get("DATABASE_URL"):
            postgres = FreshPostgres(env["DATABASE_URL"])
            env["DATABASE_URL"] = postgres.url
            where = f"PostgreSQL database {postgres.name}"
        else:
            where = f"SQLite in {var_dir}"
        print(f"setting up a fresh database ({where}) …", flush=True)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.monotonic()
        print(f"building {circles} circles of {ROOM_SIZE - 1} members and their facilitators "
              f"through the actions ({SETUP_JOBS} processes) …", flush=True)
        rooms = build_people(env, var_dir, circles, ROOM_SIZE - 1)
        print(f"  {len(rooms)} circles, {sum(len(r['members']) for r in rooms)} members in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        layer = "Redis pub/sub" if env.get("REDIS_URL") else "in-process"
        server, port = serve("config.asgi:application", env)
        servers.append(server)
        relay, relay_port = serve("bench.relay:application", env, ("--lifespan", "off"))
        servers.append(relay)
        print(f"{WORKERS} uvicorn worker process(es) per server; channel layer {layer}",
              flush=True)
        print(f"evening peak: {MEMBERS} members into {peak_rooms} rooms within "
              f"{PEAK_SECONDS:.0f} s …", flush=True)
        peak = asyncio.run(evening_peak(port, rooms[:peak_rooms]))
        print(f"  {peak['admitted']} admitted, {len(peak['errors'])} errors, "
              f"{peak['seconds']:.0f} s", flush=True)
        for error, count in Counter(peak["errors"]).most_common(5):
            print(f"  {count} × {error}", flush=True)
        print(f"chat: {CHAT_ROOMS} rooms of {ROOM_SIZE} devices, one frame per device every "
              f"{CHAT_INTERVAL:g} s, {ROUNDS} alternating rounds of {CHAT_SECONDS:.0f} s "
              "through the room and the bare relay …", flush=True)
        room, bare = asyncio.run(chat(port, relay_port, rooms[:CHAT_ROOMS]))
        for result in (room, bare):
            report_setup(result)
    finally:
        for server in servers:
            stop(server)
        if postgres is not None:
            postgres.drop()
        shutil.rmtree(var_dir, ignore_errors=True)

    print()
    print(f"{'evening peak':<28}{'rooms':>8}{'admitted':>10}{'errors':>8}{'p50 ms':>10}"
          f"{'p99 ms':>10}")
    print(f"{'ask → admitted':<28}{peak['rooms']:>8}{peak['admitted']:>10}"
          f"{len(peak['errors']):>8}{peak['p50']:>10.1f}{peak['p99']:>10.1f}")
    print()
    print(f"{'chat fan-out (median)':<28}{'frames/s':>10}{'lost':>8}{'errors':>8}"
          f"{'p50 ms':>10}{'p99 ms':>10}")
    for name, r in (("bare Channels relay", bare), ("room", room)):
        print(f"{name:<28}{r['rate']:>10.0f}{r['expected'] - r['delivered']:>8}"
              f"{r['errors']:>8}{r['p50']:>10.2f}{r['p99']:>10.2f}")
    print()
    print(f"room ÷ bare relay: p99 {room['p99'] / bare['p99']:.2f}, "
          f"throughput {room['rate'] / bare['rate']:.2f}")
    ok_peak = not peak["errors"] and peak["admitted"] == MEMBERS
    ok_chat = (room["delivered"] == room["expected"] and not room["errors"]
               and not room["setup_failures"])
    ok_p99 = room["p99"] < TARGET_P99_MS
    print(f"evening peak errors = {len(peak['errors'])}  (target 0: "
          f"{'met' if ok_peak else 'MISSED'})")
    lost = room["expected"] - room["delivered"] + room["errors"] + len(room["setup_failures"])
    print(f"room chat devices not set up, frames lost or refused = {lost}"
          f"  (target 0: {'met' if ok_chat else 'MISSED'})")
    print(f"room chat p99 = {room['p99']:.1f} ms  (target < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if ok_p99 else 'MISSED'})")
    return 0 if ok_peak and ok_chat and ok_p99 else 1


if __name__ == "__main__":
    sys.exit(main())
