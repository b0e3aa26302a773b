"""Django's Redis cache, keeping its redis-py client instead of building one per command.

Django makes a new ``redis.Redis`` for every cache call, and building one (its table of
reply handlers) costs more than the round trip to Redis on a signed-in page, which reads
its session from the cache. A client is safe to share between threads and holds no
connection of its own: the pool it draws from is the one Django keeps per server.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
