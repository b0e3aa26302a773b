"""Screenshots of the main pages for the README, from the demo data: `make screenshots`.

Starts a throwaway trial (its own database and keys in a temporary folder), loads the demo,
signs in as each demo role in Chromium and saves a desktop (1280x800) and a phone (390x844)
picture of each page under docs/screenshots/. The pictures are reduced to a 256-colour
palette to keep the repository small.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "circlekeep-demo-2026"  # the demo's (circlekeep/home/management/commands/demo.py)
DOMAIN = "demo.circlekeep.test"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}

# (file name prefix, demo account, signs in with a code, [(page name, how to reach it)]).
# A page is a path, or the name of a link to follow from the home page.
ROLES = [
    ("member", "dana", False, [("home", "/"), ("calendar", "/meetings/schedule/?view=month"),
                               ("circle", "link:Wednesday evening group")]),
    ("facilitator", "amara", True, [("home", "/"), ("circle", "link:Wednesday evening group"),
                                    ("calendar", "/meetings/schedule/")]),
    ("admin", "admin", True, [("home", "/"), ("circles", "link:Circles"),
                              ("security-report", "/audit/security/")]),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            check=True, capture_output=capture, text=True)
    return result.stdout.strip() if capture else None


def wait_until_up(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the trial server did not start at {url}")


def sign_in(page, env, local, with_code):
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address", exact=True).fill(f"{local}@{DOMAIN}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if with_code:
        code = manage(env, "demo", "--code", f"{local}@{DOMAIN}", capture=True)
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_load_state()


def open_page(page, where):
    if where.startswith("link:"):
        # Followed by its address: on a phone the link may be folded into the menu.
        page.goto("/")
        where = page.locator(f'a:text-is("{where[5:]}")').first.get_attribute("href")
    page.goto(where)
    page.wait_for_load_state("networkidle")


def save(page, path):
    page.screenshot(path=path)
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="circlekeep-screenshots-"))
    port = free_port()
    env = {**os.environ, "DEBUG": "true", "CIRCLEKEEP_VAR_DIR": str(var),
           "AUDIT_WITNESS_PATH": str(var / "witness.jsonl")}
    env.pop("DATABASE_URL", None)
    server = None
    try:
        manage(env, "migrate", "--noinput", capture=True)
        manage(env, "demo", capture=True)
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload",
                                   f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for prefix, local, with_code, pages in ROLES:
                context = browser.new_context(base_url=base, locale="en-US",
                                              viewport={"width": 1280, "height": 800})
                page = context.new_page()
                sign_in(page, env, local, with_code)
                for name, where in pages:
                    for size, (width, height) in SIZES.items():
                        page.set_viewport_size({"width": width, "height": height})
                        open_page(page, where)
                        path = OUT / f"{prefix}-{name}-{size}.png"
                        save(page, path)
                        print(path.relative_to(ROOT))
                context.close()
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
