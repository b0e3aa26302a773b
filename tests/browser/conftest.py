"""Playwright driving Debian's Chromium, with axe-core run on every page visited."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SERIOUS = {"serious", "critical"}
PHONE = 390  # CSS pixels: a common phone's width
DESKTOP = 1280
# Wider than the viewport by more than this many pixels counts as horizontal scrolling.
OVERFLOW_TOLERANCE = 1


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Browser tests must run in CI, but no Chromium was found at "
                        f"{CHROMIUM}; .ci/run installs Debian's chromium package.")
        pytest.skip("No Chromium found (install Debian's chromium package to run browser "
                    "tests)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class Visitor:
    """One person's browser tab. Every page it lands on is checked with axe-core."""

    def __init__(self, browser, base_url, visited, *, width=DESKTOP, locale="en-US"):
        self.width = width
        self.context = browser.new_context(base_url=base_url, locale=locale,
                                           viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.visited = visited
        self.page.on("load", lambda page: self._pending.append(page.url))
        self._pending = []

    def goto(self, path):
        self.page.goto(path)
        self.check()

    def click(self, name, role="button"):
        self.reveal(role, name)
        self.page.get_by_role(role, name=name, exact=True).first.click()
        self.page.wait_for_load_state()
        self.check()

    def reveal(self, role, name):
        """On a phone the navigation is folded behind the menu button: open it, as a person
        would, when what they want is in there."""
        # Hidden elements count too (the page may still be arriving).
        self.page.get_by_role(role, name=name, exact=True, include_hidden=True).first.wait_for(
            state="attached")
        menu = self.page.locator(".menu-button[aria-expanded=false]")
        shown = self.page.get_by_role(role, name=name, exact=True)
        if menu.count() and menu.first.is_visible() and not shown.count():
            menu.first.click()

    def fill(self, label, value):
        self.page.get_by_label(label, exact=True).fill(value)

    def text(self):
        return self.page.inner_text("main")

    def overflow(self):
        """How many CSS pixels the page is wider than the window (0 when it fits), and the
        widest elements that stick out, for the failure message."""
        return self.page.evaluate("""() => {
            // Not a page (a calendar feed, a PDF, a page still arriving): nothing to lay out.
            if (!document.documentElement || !document.body) return [0, []];
            const width = document.documentElement.clientWidth;
            const over = document.documentElement.scrollWidth - width;
            const culprits = [...document.querySelectorAll("body *")]
              .filter(e => e.getBoundingClientRect().right > width + 1)
              .filter(e => !e.closest(".table-wrap, [data-scrolls]"))
              .slice(0, 5)
              .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
            return [over, culprits];
        }""")

    def check(self):
        from axe_playwright_python.sync_playwright import Axe

        url = self.page.url
        key = (url, self.width)
        if key in self.visited:
            return
        over, culprits = self.overflow()
        assert over <= OVERFLOW_TOLERANCE, (
            f"{url} scrolls sideways at {self.width}px by {over}px: {culprits}")
        results = Axe().run(self.page)
        problems = [
            (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in SERIOUS
        ]
        assert problems == [], f"accessibility problems on {url} at {self.width}px: {problems}"
        self.visited.add(key)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, live_server):
    visited = set()
    visitors = []

    def open_tab(width=DESKTOP, locale="en-US"):
        visitor = Visitor(browser, live_server.url, visited, width=width, locale=locale)
        visitors.append(visitor)
        return visitor

    yield open_tab
    for visitor in visitors:
        visitor.close()




def _close_room_server_connections():
    """The consumers reach the database from asgiref's one thread for synchronous code;
    its connections are closed there, or PostgreSQL cannot drop the test database."""
    import asyncio
    import threading

    from channels.db import database_sync_to_async
    from django.db import connections

    closer = threading.Thread(
        target=lambda: asyncio.run(database_sync_to_async(connections.close_all)()))
    closer.start()
    closer.join(timeout=10)


@pytest.fixture
def room_server(live_server, settings):
    """The rooms' websocket server (config/asgi.py, the Channels consumer) under uvicorn in
    a thread of this process, beside the live page server: the same test database and the
    same in-memory channel layer. The pages point their websocket at it, and their content
    security policy lets them connect. Yields the websocket base URL."""
    import threading
    import time
    from urllib.parse import urlsplit

    import uvicorn

    from config.asgi import application

    config = uvicorn.Config(application, host="127.0.0.1", port=0, ws_max_size=65536,
                            ws_per_message_deflate=False,
                            access_log=False, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="room-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the rooms' websocket server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]

    # The session cookie belongs to the page's host name: the websocket must use the same
    # name (another port of it is the same site) for the browser to send the cookie.
    host = urlsplit(live_server.url).hostname
    url = f"ws://{host}:{port}"
    settings.ROOM_WS_URL = url
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"]}
    policy["DIRECTIVES"]["connect-src"] = [*policy["DIRECTIVES"]["connect-src"], url]
    settings.CONTENT_SECURITY_POLICY = policy
    # The websocket's Origin is the page's: its host must be allowed.
    if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    _close_room_server_connections()
