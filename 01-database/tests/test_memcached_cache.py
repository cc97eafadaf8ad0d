"""Caching with Memcached: cache-aside with a TTL, the `add` lock, invalidation, degradation."""

import contextlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from memcached_cache import (
    LOCK_SUFFIX,
    MAX_KEY_BYTES,
    MemcachedCache,
    delete_if_unchanged,
    make_memcached_client,
    memcached_key,
)
from redis_cache_bench import concurrent_misses, counting
from redis_cache_sales import record_sale, revenue_by_sku


@pytest.fixture
def lesson_client(memcached_client, settings):
    """The client the lesson builds (make_memcached_client), on the test's own key prefix."""
    client = make_memcached_client(
        settings.memcached_url, key_prefix=memcached_client.key_prefix.decode(), timeout_seconds=5
    )
    yield client  # the root fixture deletes the keys under the prefix
    client.close()


@pytest.fixture
def cache(memcached_client):
    return MemcachedCache(memcached_client, namespace="report", ttl_seconds=30)


def test_a_second_read_is_served_from_memcached_without_a_query(
    cache, sales_engine, report_queries
):
    first = cache.get_or_load("revenue", lambda: revenue_by_sku(sales_engine))
    second = cache.get_or_load("revenue", lambda: revenue_by_sku(sales_engine))

    assert len(report_queries) == 1
    assert first == second == revenue_by_sku(sales_engine)


def test_the_value_is_stored_as_json(cache, memcached_client):
    cache.get_or_load("greeting", lambda: {"text": "hello", "count": 2})

    assert json.loads(memcached_client.get("report:greeting")) == {"text": "hello", "count": 2}


def test_an_entry_expires_after_its_ttl(cache, memcached_client):
    cache.get_or_load("short", lambda: "value", ttl_seconds=1)
    assert memcached_client.get("report:short") is not None

    # Memcached's expiries are whole seconds on its own clock: poll, never assert a time
    deadline = time.monotonic() + 5
    while memcached_client.get("report:short") is not None and time.monotonic() < deadline:
        time.sleep(0.1)

    assert memcached_client.get("report:short") is None


def test_invalidating_after_a_write_serves_the_new_data(cache, sales_engine):
    load = lambda: revenue_by_sku(sales_engine)  # noqa: E731
    before = cache.get_or_load("revenue", load)["pen"]["revenue_cents"]
    record_sale(sales_engine, sku="pen", qty=1, price_cents=2500)
    stale = cache.get_or_load("revenue", load)["pen"]["revenue_cents"]
    cache.invalidate("revenue")

    fresh = cache.get_or_load("revenue", load)["pen"]["revenue_cents"]

    assert stale == before
    assert fresh == before + 2500


@pytest.mark.parametrize(("protected", "queries_expected"), [(False, 8), (True, 1)])
def test_eight_concurrent_misses_query_once_only_with_the_add_lock(
    lesson_client, protected, queries_expected
):
    # the lesson's own client: with noreply, every `add` would say True and all eight load
    cache = MemcachedCache(
        lesson_client, namespace=f"herd{protected}", stampede_protection=protected
    )
    loader, queries = counting(lambda: time.sleep(0.2) or {"rows": 3})  # a slow query

    results = concurrent_misses(cache, "report", loader, callers=8)

    assert results == [{"rows": 3}] * 8
    assert queries() == queries_expected


def test_the_lock_is_released_after_loading_so_a_new_miss_does_not_wait(memcached_client):
    cache = MemcachedCache(memcached_client, namespace="lock", lock_seconds=30)
    cache.get_or_load("report", lambda: 1)

    assert memcached_client.get(f"{cache.key('report')}:lock") is None


def refuse(error: Exception):
    """A loader that fails as a database that is down does."""

    def load():
        raise error

    return load


@pytest.mark.parametrize(
    "loader",
    [refuse(RuntimeError("database down")), lambda: "x" * 2_000_000],  # over Memcached's 1 MB
    ids=["the loader raises", "the value is too large to cache"],
)
def test_the_lock_is_released_when_loading_or_storing_fails(memcached_client, loader):
    cache = MemcachedCache(memcached_client, namespace="fails", lock_seconds=30)

    with contextlib.suppress(RuntimeError):  # the loader's own error reaches the caller
        cache.get_or_load("report", loader)

    # left in place, the lock would make every next caller wait 30 s for a value never stored
    assert memcached_client.get(f"{cache.key('report')}:lock") is None


class StoredJustBeforeOurAdd:
    """A client on which the previous lock holder stores the value (and drops its lock)
    between our miss and our `add`: the window the re-check after winning the lock closes."""

    def __init__(self, client, key: str, value: bytes) -> None:
        self.client, self.key, self.value = client, key, value

    def add(self, *args, **kwargs):
        if self.value is not None:
            self.client.set(self.key, self.value)
            self.value = None
        return self.client.add(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.client, name)


def test_a_value_stored_just_before_we_win_the_lock_is_not_loaded_again(memcached_client):
    key = memcached_key("race", "report")
    racing = StoredJustBeforeOurAdd(memcached_client, key, json.dumps({"rows": 3}).encode())
    cache = MemcachedCache(racing, namespace="race")
    loader, queries = counting(lambda: {"rows": 4})

    assert cache.get_or_load("report", loader) == {"rows": 3}
    assert queries() == 0
    assert memcached_client.get(f"{key}:lock") is None


def test_a_lock_that_expired_and_was_taken_by_another_caller_survives_our_release(
    lesson_client,
):
    cache = MemcachedCache(lesson_client, namespace="expired")
    lock = f"{cache.key('report')}:lock"

    def slow_loader():  # slower than lock_seconds: ours expired, another caller took it
        lesson_client.delete(lock)
        lesson_client.set(lock, b"theirs")
        return {"rows": 3}

    assert cache.get_or_load("report", slow_loader) == {"rows": 3}
    assert lesson_client.get(lock) == b"theirs"  # our release left their lock alone


def test_a_lock_taken_by_another_caller_just_after_our_read_survives_our_release(
    lesson_client, monkeypatch
):
    # the race a plain delete after the check loses: our lock expires and another caller
    # takes it between our `gets` (still our token) and our delete; `md ... C<cas>` refuses
    cache = MemcachedCache(lesson_client, namespace="handover")
    lock = f"{cache.key('report')}:lock"
    read = lesson_client.gets

    def gets_then_lose_the_lock(key, *args, **kwargs):
        found = read(key, *args, **kwargs)
        if key == lock:
            lesson_client.set(lock, b"theirs", expire=30)
        return found

    monkeypatch.setattr(lesson_client, "gets", gets_then_lose_the_lock)

    assert cache.get_or_load("report", lambda: {"rows": 3}) == {"rows": 3}
    assert lesson_client.get(lock) == b"theirs"  # our release left their lock alone


def test_a_key_at_the_length_limit_is_cached_with_its_lock_and_prefix(lesson_client):
    cache = MemcachedCache(lesson_client, namespace="ns")
    name = "x" * (246 - len("ns:"))  # 246 bytes: + ":lock" and the client's prefix is over 250
    loader, queries = counting(lambda: {"rows": 3})

    assert [cache.get_or_load(name, loader) for _ in range(3)] == [{"rows": 3}] * 3
    assert queries() == 1
    assert len(lesson_client.key_prefix + cache.key(name).encode() + b":lock") <= MAX_KEY_BYTES


def test_a_lock_taken_again_by_another_caller_is_not_deleted(memcached_client):
    memcached_client.add("lock", b"mine", expire=30)
    _, mine = memcached_client.gets("lock")
    memcached_client.set("lock", b"theirs", expire=30)  # ours expired; another caller took it

    assert delete_if_unchanged(memcached_client, "lock", mine) is False
    assert memcached_client.get("lock") == b"theirs"
    _, theirs = memcached_client.gets("lock")
    assert delete_if_unchanged(memcached_client, "lock", theirs) is True
    assert memcached_client.get("lock") is None


def test_with_memcached_down_reads_fall_back_to_the_database(sales_engine, report_queries):
    dead = make_memcached_client("memcached://127.0.0.1:1", timeout_seconds=0.2)
    cache = MemcachedCache(dead, namespace="down")

    report = cache.get_or_load("revenue", lambda: revenue_by_sku(sales_engine))

    assert report == revenue_by_sku(sales_engine)
    assert len(report_queries) == 2  # ours, and the comparison's


@pytest.mark.parametrize("ttl_seconds", [0, 31 * 24 * 3600])
def test_a_ttl_memcached_would_misread_is_refused_in_one_line(memcached_client, ttl_seconds):
    with pytest.raises(ValueError, match=r"whole seconds from 1 to 30 days .* Unix timestamp"):
        MemcachedCache(memcached_client, namespace="x", ttl_seconds=ttl_seconds)
    cache = MemcachedCache(memcached_client, namespace="x")
    with pytest.raises(ValueError, match=r"whole seconds from 1 to 30 days .* Unix timestamp"):
        cache.get_or_load("report", lambda: "v", ttl_seconds=ttl_seconds)  # per call too


@pytest.mark.parametrize(
    "name", ["with spaces", "x" * 400, "tab\tand\nnewline", "ünïcödé " * 40, "café"]
)
def test_a_name_memcached_would_refuse_becomes_a_valid_key_that_works(memcached_client, name):
    key = memcached_key("ns", name)
    memcached_client.set(key, b"stored")

    assert len(key.encode()) <= MAX_KEY_BYTES and " " not in key
    assert memcached_client.get(key) == b"stored"
    assert memcached_key("ns", name + "!") != key


def test_a_key_memcached_refuses_is_logged_as_a_bug_not_as_an_outage(memcached_client, caplog):
    cache = MemcachedCache(memcached_client, namespace="n" * 300)  # even hashed, over 250 bytes

    assert cache.get_or_load("report", lambda: 3) == 3  # still served, from the database

    assert "cache unavailable" not in caplog.text
    assert "refused the key" in caplog.text


def test_waiters_outlast_a_crashed_lock_and_the_load_of_the_waiter_that_takes_it_by_default(
    memcached_client,
):
    cache = MemcachedCache(memcached_client, namespace="test")
    assert cache.wait_seconds > 2 * cache.lock_seconds
    assert MemcachedCache(memcached_client, namespace="test", lock_seconds=1).wait_seconds > 2


def test_after_a_crashed_holder_s_lock_expires_one_waiter_loads_and_the_others_get_its_value(
    lesson_client,
):
    # the holder took the lock and died: the waiters poll until its expiry, then one of them
    # wins `add` and loads; the others, still within their wait, read what it stored
    loads = []

    def slow_loader() -> str:
        loads.append(1)
        time.sleep(0.2)
        return "loaded"

    cache = MemcachedCache(lesson_client, namespace="crashed", lock_seconds=1)
    lesson_client.set(f"{cache.key('report')}{LOCK_SUFFIX}", "a-crashed-holder", expire=2)
    start_together = threading.Barrier(8)

    def call() -> str:
        start_together.wait()
        return cache.get_or_load("report", slow_loader)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: call(), range(8)))

    assert results == ["loaded"] * 8
    assert len(loads) == 1, f"{len(loads)} of 8 waiters loaded: they gave up with the lock"


def test_the_wait_is_one_bound_even_while_the_lock_passes_from_holder_to_holder(
    lesson_client, monkeypatch
):
    # loaders that keep failing hand the lock on, one after another: a wait that started
    # again for each new holder would have no bound at all
    import memcached_cache

    cache = MemcachedCache(lesson_client, namespace="holders", wait_seconds=2)
    lock_key = f"{cache.key('report')}{LOCK_SUFFIX}"

    class HoldersChanging:
        now = 0.0

        def monotonic(self) -> float:
            return self.now

        def sleep(self, seconds: float) -> None:
            self.now += seconds
            assert self.now < 100, f"still waiting for the lock after {self.now:.0f}s"
            lesson_client.set(lock_key, f"holder-{self.now:.2f}", expire=60)

    clock = HoldersChanging()
    monkeypatch.setattr(memcached_cache, "time", clock)
    lesson_client.set(lock_key, "holder-0", expire=60)

    assert cache.get_or_load("report", lambda: "loaded myself") == "loaded myself"
    assert 2 <= clock.now < 2.1, f"gave up after {clock.now:.2f}s of a 2s wait_seconds"
