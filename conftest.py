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
def _english_between_tests():
    """A request that activates a person's language leaves it on the thread; tests that
    call actions directly expect the default."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
