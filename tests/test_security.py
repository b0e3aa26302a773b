"""Headers, cookies and production settings that defend every page."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import Client

from circlekeep.testing import just_signed_in, signed_in_client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_pages_send_strict_security_headers(cast):
    response = signed_in_client(cast.member).get("/")
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                      "object-src 'none'", "form-action 'self'"):
        assert directive in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_carry_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|\son\w+=\"", text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "mina@example.test",
                                                  "password": "x"})
    assert response.status_code == 403


def _settings_in_subprocess(env, expression):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "CIRCLEKEEP_TESTING", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env)
    code = f"import config.settings as s; print({expression})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_subprocess({}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


KEYS = {
    "VAULT_KEYRING": '{"current": "k1", "keys": {"k1": "' + "A" * 43 + '="}}',
    "AUDIT_SIGNING_KEY": "B" * 43 + "=",
}


def test_production_refuses_to_start_without_the_vault_key():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50,
                                      "AUDIT_SIGNING_KEY": KEYS["AUDIT_SIGNING_KEY"]}, "1")
    assert result.returncode != 0 and "No vault key-encryption key" in result.stderr


def test_production_refuses_to_start_without_the_audit_signing_key():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50,
                                      "VAULT_KEYRING": KEYS["VAULT_KEYRING"]}, "1")
    assert result.returncode != 0 and "No audit signing key" in result.stderr


@pytest.mark.parametrize("keyring,message", [
    ("not json", "not valid JSON"),
    ('{"current": "k2", "keys": {"k1": "' + "A" * 43 + '="}}', "which it does not contain"),
    ('{"current": "k1", "keys": {"k1": "c2hvcnQ="}}', "not 32 bytes"),
])
def test_a_malformed_keyring_is_a_clear_start_up_error(keyring, message):
    result = _settings_in_subprocess({**KEYS, "SECRET_KEY": "x" * 50, "VAULT_KEYRING": keyring},
                                     "1")
    assert result.returncode != 0 and message in result.stderr


def test_production_defaults_are_secure():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, **KEYS},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_HTTPONLY, s.ALLOWED_HOSTS",
    )
    assert result.stdout.strip() == "False True True 31536000 True []"


def test_a_bad_boolean_in_the_environment_is_a_clear_error():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50, "DEBUG": "maybe", **KEYS},
                                     "s.DEBUG")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_session_cookies_are_httponly_and_samesite(cast):
    from circlekeep.testing import PASSWORD

    client = Client()
    response = client.post("/accounts/sign-in/", {"username": "mina@example.test",
                                                  "password": PASSWORD})
    cookie = response.cookies["ck_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_healthz_reveals_nothing(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_pages_and_pdfs_for_a_signed_in_person_are_not_stored(cast):
    from circlekeep.agreements.models import Signature

    client = signed_in_client(cast.member)
    signature = Signature.objects.filter(membership=cast.membership).get()
    for path in ("/", "/accounts/profile/", f"/agreements/signatures/{signature.public_id}/pdf/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_api_answers_are_not_stored_whatever_their_status(cast):
    from circlekeep.accounts.actions import do_create_api_token

    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
        proof=just_signed_in(cast.member))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for response in (client.get("/api/v1/me"), client.get("/api/v1/circles/nothing"),
                     Client().get("/api/v1/me")):
        assert "no-store" in response["Cache-Control"], response.status_code


def test_pages_for_someone_not_signed_in_are_not_stored_but_static_files_are(db):
    assert "no-store" in Client().get("/accounts/password-reset/")["Cache-Control"]
    static = Client().get("/static/css/circlekeep.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


TRIAL_DATABASE = """
import os, stat
os.umask(0o022)
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x integer)")
    cursor.execute("INSERT INTO t VALUES (1)")
    cursor.execute("SELECT x FROM t")
    cursor.fetchall()
    for suffix in ("", "-wal", "-shm"):
        mode = os.stat(str(connection.settings_dict["NAME"]) + suffix).st_mode
        print(suffix or "db", oct(stat.S_IMODE(mode)))
"""


@pytest.mark.parametrize("existing", [False, True], ids=["new", "left world-readable"])
def test_the_trial_database_and_its_companions_are_owner_only(tmp_path, existing):
    if existing:
        (tmp_path / "circlekeep.sqlite3").touch(mode=0o644)
        (tmp_path / "circlekeep.sqlite3").chmod(0o644)
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CIRCLEKEEP_TESTING", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DEBUG": "true", "CIRCLEKEEP_VAR_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    result = subprocess.run([sys.executable, "-c", TRIAL_DATABASE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db", "0o600", "-wal", "0o600", "-shm", "0o600"]


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_wrong_address_under_debug_shows_the_products_not_found_page(cast, settings,
                                                                        signed_in):
    """A trial run (DEBUG) must not list the site's URL patterns to whoever mistypes one."""
    settings.DEBUG = True
    client = signed_in_client(cast.member if signed_in else None)
    # A page that exists but names nothing of the person's asks a visitor to sign in first.
    paths = ["/no-such-page/"] + ([f"/circles/{uuid.uuid4()}/"] if signed_in else [])
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404
        page = response.content.decode()
        assert "There is nothing here, or you do not have access to it." in page
        assert "URLconf" not in page and "circlekeep.lib" not in page

