"""The Redis cache that holds sessions in production (lib/cache.py) stores, reads and
forgets like Django's own, from many threads, while building its client only once."""

import threading
import uuid

import pytest

from circlekeep.lib.cache import ReusingRedisCache
from circlekeep.lib.loopback import redis_answers

pytestmark = pytest.mark.skipif(not redis_answers(),
                                reason="needs Redis on 127.0.0.1:6379 (CI and `make run` have it)")


@pytest.fixture
def cache():
    # Keys of their own that expire soon: parallel test workers share the database.
    return ReusingRedisCache("redis://127.0.0.1:6379/13",
                             {"KEY_PREFIX": f"test-{uuid.uuid4()}", "TIMEOUT": 30})


def test_it_stores_reads_and_forgets(cache):
    cache.set("session", {"user": 7}, 30)
    assert cache.get("session") == {"user": 7}
    assert cache.add("session", "other") is False
    cache.delete("session")
    assert cache.get("session", "gone") == "gone"


def test_one_client_serves_every_command_and_every_thread(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except Exception as error:  # reported below, outside the thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache._cache.get_client() is client
