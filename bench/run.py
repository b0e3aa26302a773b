"""make bench: the member dashboard beside /healthz, served by gunicorn, in one run; then
the audit trail and vault, and the notes redactor (bench/redaction.py), each apart.

Reports requests per second and p50/p99 latency of each at 8 connections, and the ratio
dashboard ÷ healthz. Budgets are ratios against the bare endpoint measured in the same
run, so a slower or busier machine moves both.
"""

import base64
import http.cookiejar
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from circlekeep.lib.keyfiles import new_keyring_json  # noqa: E402
from circlekeep.lib.loopback import free_port, redis_answers  # noqa: E402

PY = sys.executable
CONNECTIONS = 8
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# A member of three circles with a meeting within the hour and work waiting (demo.py).
MEMBER = "rosa@demo.circlekeep.test"
PASSWORD = "circlekeep-demo-2026"
TARGET_RATIO = 0.25
TARGET_P99_MS = 100.0


def environment(var_dir):
    env = dict(os.environ)
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1", "CIRCLEKEEP_VAR_DIR": str(var_dir),
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "ERROR",
        # Throw-away keys, as production would provide real ones.
        "VAULT_KEYRING": new_keyring_json(),
        "AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    })
    env.pop("CIRCLEKEEP_TESTING", None)
    if "REDIS_URL" not in env and redis_answers():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    return env


def sign_in(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/sign-in/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": MEMBER,
                                   "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/accounts/sign-in/", data=data,
                                     headers={"Referer": f"{base}/accounts/sign-in/"})
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    return opener, f"ck_session={cookies['ck_session']}"


def check_dashboard(opener, base):
    """The measured home is a full one: three circles, the next meeting's card and the
    member's queue (an opening to acknowledge, an agreement to sign, a concern received)."""
    html = opener.open(f"{base}/").read().decode()
    circles = ("Wednesday evening group", "Grief and loss peer circle", "Young adults circle")
    missing = [c for c in circles if c not in html]
    if missing:
        sys.exit(f"the dashboard did not show the member's circles {missing}; not measuring")
    tasks = html.count('<li class="task')
    if 'class="card next-meeting"' not in html or tasks < 3:
        sys.exit(f"the dashboard showed {'a' if 'next-meeting' in html else 'no'} next "
                 f"meeting and {tasks} tasks, not the member's full home; not measuring")


def wrk(url, cookie=None):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses during the run")
    return {"rps": rps, "p50": percentile(50), "p99": percentile(99)}


def median_of(runs):
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main():
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk, the HTTP load generator (Debian: apt-get install wrk)")
    var_dir = Path(tempfile.mkdtemp(prefix="circlekeep-bench-"))
    env = environment(var_dir)
    print(f"setting up a fresh demo database in {var_dir} …", flush=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        opener, cookie = sign_in(base)
        check_dashboard(opener, base)
        sessions = "Redis" if "REDIS_URL" in env else "process memory"
        print(f"gunicorn, {WORKERS} sync workers; wrk, {CONNECTIONS} connections; "
              f"median of {ROUNDS} alternating rounds of {DURATION} s; sessions in {sessions}",
              flush=True)
        wrk(f"{base}/healthz")  # warm-up
        wrk(f"{base}/", cookie)
        # Alternate the two so that a burst of load from elsewhere hits both alike.
        health_runs, dashboard_runs = [], []
        for _ in range(ROUNDS):
            health_runs.append(wrk(f"{base}/healthz"))
            dashboard_runs.append(wrk(f"{base}/", cookie))
        health, dashboard = median_of(health_runs), median_of(dashboard_runs)
        check_dashboard(opener, base)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)

    ratio = dashboard["rps"] / health["rps"]
    print()
    print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, r in (("/healthz", health), ("member dashboard", dashboard)):
        print(f"{name:<22}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}")
    print()
    ok_ratio = ratio >= TARGET_RATIO
    ok_p99 = dashboard["p99"] < TARGET_P99_MS
    print(f"dashboard ÷ healthz = {ratio:.2f}  (target ≥ {TARGET_RATIO}: "
          f"{'met' if ok_ratio else 'MISSED'})")
    print(f"dashboard p99 = {dashboard['p99']:.1f} ms  (target < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if ok_p99 else 'MISSED'})")
    print()
    print("audit and vault (fresh database, in process) …", flush=True)
    audit_dir = Path(tempfile.mkdtemp(prefix="circlekeep-bench-audit-"))
    try:
        audit_ok = subprocess.run([PY, str(ROOT / "bench" / "audit_vault.py")], cwd=ROOT,
                                  env=environment(audit_dir)).returncode == 0
    finally:
        shutil.rmtree(audit_dir, ignore_errors=True)
    print()
    print("notes redactor (in process) …", flush=True)
    redaction_ok = subprocess.run([PY, str(ROOT / "bench" / "redaction.py")],
                                  cwd=ROOT).returncode == 0
    return 0 if ok_ratio and ok_p99 and audit_ok and redaction_ok else 1


if __name__ == "__main__":
    sys.exit(main())
