"""The cache on Redis, for a site that must keep working when Redis does not.

Redis holds copies here, never the only copy: cached sessions (written through to the database), printed
programs, the jobs' "already waiting" keys, the API throttles' counts. So when Redis is down, frozen or refusing
writes, `ResilientRedisCache` answers as an empty cache that stores nothing: a read is a miss (a session is then
read from the database), a write or a delete does nothing. Pages keep working; the database does the work.

- Short socket timeouts (CACHE_TIMEOUT_MS in the settings) bound what one failed call costs.
- After a failure Redis is left alone for RETRY_AFTER_SECONDS: a frozen Redis costs one timeout per process
  every few seconds, not one on every call. The first call after that tries again; when it answers, the cache is
  used again (nothing stays switched off).
- One warning when an outage starts (and one a minute while it lasts), one line when Redis answers again; the
  request log adds `"cache": "down"` to each request served meanwhile (portal.middleware).
- Writes and deletes that failed are remembered (per process) and their keys deleted from Redis first thing
  once it answers again: a session ended during the outage (a logout, a password change ending other logins) must
  not come back from a copy Redis still holds; a session or program changed meanwhile is read afresh.
- Keys starting with one of LOCAL_FALLBACK_PREFIXES (the API throttles' "throttle_") are counted in this
  process's memory meanwhile, so the limits still hold per process instead of vanishing (README, "When Redis or
  the mail server is down").
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")

# Redis refused, timed out, dropped the connection, or answered with an error (out of memory, read-only,
# loading): all mean "no cache now". OSError: a socket failure redis-py did not wrap.
CACHE_ERRORS = (RedisError, OSError)
STILL_DOWN_LOG_SECONDS = 60
# Keys whose delete is replayed when Redis returns; beyond this many, the oldest are dropped (and said so).
MAX_REMEMBERED_KEYS = 100_000


class _Health:
    """Redis's state as this process sees it, shared by every thread's cache object for one server."""

    def __init__(self, location: str, retry_after: float):
        self.location = location
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.skip_until = 0.0  # monotonic time until which Redis is not tried
        self.down_since: float | None = None  # wall-clock start of the current outage, None when up
        self.last_warning = 0.0
        self.stale_keys: dict[str, None] = {}  # keys to delete when Redis answers again (ordered, unique)

    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until

    def failed(self, operation: str, error: Exception, keys=()) -> None:
        self.remember(keys)
        with self.lock:
            now = time.monotonic()
            self.skip_until = now + self.retry_after
            started = self.down_since is None
            if started:
                self.down_since = time.time()
            if not started and now - self.last_warning < STILL_DOWN_LOG_SECONDS:
                return
            self.last_warning = now
            down_for = round(time.time() - self.down_since)
        logger.warning(
            "the cache (Redis) is not answering%s: pages are served from the database, sessions included; "
            "trying Redis again every %s s",
            "" if started else f", for {down_for} s now",
            self.retry_after,
            extra={
                "outcome": "cache_down",
                "operation": operation,
                "error": f"{type(error).__name__}: {error}",
                "down_seconds": down_for,
            },
        )

    def remember(self, keys) -> None:
        if not keys:
            return
        with self.lock:
            for key in keys:
                self.stale_keys[key] = None
            if len(self.stale_keys) > MAX_REMEMBERED_KEYS:
                dropped = len(self.stale_keys) - MAX_REMEMBERED_KEYS
                for key in list(self.stale_keys)[:dropped]:
                    del self.stale_keys[key]
                logger.warning(
                    "the cache (Redis) is down: %s changed keys forgotten (they may be stale when it returns)",
                    dropped,
                    extra={"outcome": "cache_down"},
                )

    def take_stale_keys(self) -> list[str]:
        with self.lock:
            keys, self.stale_keys = list(self.stale_keys), {}
        return keys

    def recovered(self) -> None:
        with self.lock:
            if self.down_since is None:
                return
            down_for = round(time.time() - self.down_since)
            self.down_since, self.skip_until = None, 0.0
        logger.warning(
            "the cache (Redis) answers again after %s s",
            down_for,
            extra={"outcome": "cache_up", "down_seconds": down_for},
        )

    @property
    def down(self) -> bool:
        return self.down_since is not None


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str, retry_after: float) -> _Health:
    with _health_lock:
        if location not in _health:
            _health[location] = _Health(location, retry_after)
        health = _health[location]
        health.retry_after = retry_after
        return health


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis is away (see the module's docstring).

    Its own OPTIONS, taken out before the rest go to redis-py's connection pool:
    RETRY_AFTER_SECONDS (default 5) and LOCAL_FALLBACK_PREFIXES (default none).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("RETRY_AFTER_SECONDS", 5))
        self._local_prefixes = tuple(options.pop("LOCAL_FALLBACK_PREFIXES", ()))
        super().__init__(server, {**params, "OPTIONS": options})
        self._health = _health_of(str(server), retry_after)
        # One per process and server: LocMemCache objects of the same name share their store.
        self._local = LocMemCache(f"portal.cache.fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    # --- the state, for /readyz and the request log ----------------------------------------------------

    @property
    def is_down(self) -> bool:
        return self._health.down

    def ping(self) -> bool:
        """Asks Redis now, whatever the recent failures (for /readyz); the answer updates the state."""
        return self._call("ping", lambda: bool(self._cache.get_client(write=True).ping()), False, probe=True)

    # --- every call goes through here -------------------------------------------------------------------

    def _call(self, operation, run, fallback, *, keys=(), local=None, probe=False):
        """run() against Redis, or `fallback` when Redis is away. `keys` (made keys) are remembered for deletion
        when Redis returns; `local` is what to do instead for keys counted in this process meanwhile."""
        if self._health.skipping() and not probe:
            self._health.remember(keys)
            return local() if local is not None else fallback
        was_down, stale = self._health.down, []
        try:
            if was_down and (stale := self._health.take_stale_keys()):
                self._cache.delete_many(stale)  # before anything reads them (the module's docstring)
            result = run()
        except CACHE_ERRORS as error:
            self._health.failed(operation, error, [*stale, *keys])
            return local() if local is not None else fallback
        if was_down:
            self._health.recovered()
        return result

    def _is_local(self, key) -> bool:
        return (
            isinstance(key, str) and key.startswith(self._local_prefixes) if self._local_prefixes else False
        )

    def _made(self, key, version):
        return self.make_and_validate_key(key, version=version)

    # --- Django's cache API -----------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Redis away: True, "as if added". The one caller using add() to claim work (portal.jobs.enqueue_once)
        # then does the work: never fewer jobs than needed.
        made = self._made(key, version)
        local = (lambda: self._local.add(key, value, timeout, version)) if self._is_local(key) else None
        return self._call(
            "add",
            lambda: self._cache.add(made, value, self.get_backend_timeout(timeout)),
            True,
            keys=[made],
            local=local,
        )

    def get(self, key, default=None, version=None):
        made = self._made(key, version)
        local = (lambda: self._local.get(key, default, version)) if self._is_local(key) else None
        return self._call("get", lambda: self._cache.get(made, default), default, local=local)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        made = self._made(key, version)
        local = (lambda: self._local.set(key, value, timeout, version)) if self._is_local(key) else None
        self._call(
            "set",
            lambda: self._cache.set(made, value, self.get_backend_timeout(timeout)),
            None,
            keys=[made],
            local=local,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        made = self._made(key, version)
        return self._call("touch", lambda: self._cache.touch(made, self.get_backend_timeout(timeout)), False)

    def delete(self, key, version=None):
        made = self._made(key, version)
        local = (lambda: self._local.delete(key, version)) if self._is_local(key) else None
        return self._call("delete", lambda: self._cache.delete(made), False, keys=[made], local=local)

    def get_many(self, keys, version=None):
        key_map = {self._made(key, version): key for key in keys}
        if not key_map:
            return {}

        def run():
            return {key_map[k]: v for k, v in self._cache.get_many(list(key_map)).items()}

        return self._call("get_many", run, {})

    def has_key(self, key, version=None):
        made = self._made(key, version)
        local = (lambda: self._local.has_key(key, version)) if self._is_local(key) else None
        return self._call("has_key", lambda: self._cache.has_key(made), False, local=local)

    def incr(self, key, delta=1, version=None):
        made = self._made(key, version)
        missing = object()
        result = self._call("incr", lambda: self._cache.incr(made, delta), missing, keys=[made])
        if result is missing:  # as Django's caches answer for a key they do not hold
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe = {self._made(key, version): value for key, value in data.items()}
        failed = self._call(
            "set_many",
            lambda: self._cache.set_many(safe, self.get_backend_timeout(timeout)),
            list(data),
            keys=list(safe),
        )
        return failed or []

    def delete_many(self, keys, version=None):
        made = [self._made(key, version) for key in keys]
        if made:
            self._call("delete_many", lambda: self._cache.delete_many(made), None, keys=made)

    def clear(self):
        return self._call("clear", self._cache.clear, False)


def cache_state(cache=None) -> str:
    """ "ok" or "error" for a Redis cache (asked now), "local" for a cache in the process's own memory."""
    if cache is None:
        cache = caches["default"]  # the object itself: django.core.cache.cache is a proxy to it
    if isinstance(cache, ResilientRedisCache):
        return "ok" if cache.ping() else "error"
    if isinstance(cache, RedisCache):  # Django's own (a local_settings.py may choose it): a plain ping
        try:
            cache._cache.get_client(write=True).ping()
        except CACHE_ERRORS:
            return "error"
        return "ok"
    return "local"


def cache_is_down(cache=None) -> bool:
    """True while the cache is known to be down (no call made to find out), for the request log."""
    if cache is None:
        cache = caches["default"]
    return bool(getattr(cache, "is_down", False))


def redis_known_down(url: str) -> bool:
    """True while a cache on the Redis server of `url` (same host and port, any database number) failed within
    its RETRY_AFTER_SECONDS: the job broker on that Redis need not be tried either (portal.jobs)."""
    try:
        where = _server_of(url)
    except ValueError:
        return False
    with _health_lock:
        known = list(_health.values())
    return any(health.skipping() and _server_of(health.location) == where for health in known if health.down)


def _server_of(url: str) -> tuple:
    parts = urlsplit(url.split(",")[0].split(";")[0])
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(url)
    return parts.scheme, parts.hostname, parts.port or 6379, parts.path if parts.scheme == "unix" else ""
