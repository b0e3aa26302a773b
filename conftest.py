import os

os.environ.setdefault("CIRCLEKEEP_TESTING", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import pytest


@pytest.fixture
def cast(db):
    from circlekeep.testing import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (sessions, lockouts)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _own_audit_witness(settings, tmp_path_factory):
    """Each test has its own witness file for the audit trail's signed heads: a head left
    by another test (or another worker) would be a head the test's trail lacks."""
    import uuid

    base = tmp_path_factory.getbasetemp()
    settings.AUDIT_WITNESS_PATH = str(base / f"audit-witness-{uuid.uuid4().hex}.jsonl")


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request that activates a person's language leaves it on the thread; tests that
    call actions directly expect the default."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def live_cast(transactional_db):
    from circlekeep.testing import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _audit_triggers_armed(request):
    """Every test runs with PostgreSQL's append-only triggers armed. After a transactional
    test, the database is emptied by TRUNCATE, which the triggers refuse; the test database
    belongs to a superuser, who may set session_replication_role for that flush."""
    used = {"db", "transactional_db"} & set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in used or bool(
        marker and marker.kwargs.get("transaction"))
    if not used and not marker:
        yield
        return
    from django.db import connection

    request.getfixturevalue("transactional_db" if transactional else "db")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    yield
    if transactional and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
