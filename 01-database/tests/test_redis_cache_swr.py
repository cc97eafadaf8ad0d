"""Stale-while-revalidate: stale values served at once, one refresh per key, no stale store."""

import threading
import time

import pytest
import redis
from redis_cache import make_cache_client
from redis_cache_swr import StaleWhileRevalidateCache

from course.redis_wire import watch_sent_commands
from course.services.ports import free_port

CALLERS = 8
WAIT = 5  # seconds: a bound on every wait below, never a pause the test relies on


class Clock:
    """A clock the test moves forward: an entry goes stale without waiting for it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class BlockingLoader:
    """A loader that counts its calls and, once armed, blocks until the test releases it."""

    def __init__(self, value: str) -> None:
        self.value, self.calls = value, 0
        self.started, self.release = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
        self.started.set()
        assert self.release.wait(WAIT), "the test never released the loader"
        return self.value


class PausedAfterRead(redis.Redis):
    """A real client whose process is descheduled once, right after its first MGET."""

    def mget(self, *args, **options):
        values = super().mget(*args, **options)
        if not self.has_read.is_set():
            self.has_read.set()
            assert self.resume.wait(WAIT), "the test never resumed the straggler"
        return values


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_cache(redis_url, clock):
    """Build caches on the test's database; two of them stand for two processes."""
    made = []

    def make(**options) -> StaleWhileRevalidateCache:
        client = make_cache_client(redis_url)
        cache = StaleWhileRevalidateCache(
            client, namespace="swr", soft_ttl_seconds=30, hard_ttl_seconds=600, clock=clock,
            **options,
        )  # fmt: skip
        made.append((cache, client))
        return cache

    yield make
    for cache, client in made:
        cache.close()
        client.close()


def read_at_once(caches, loader, callers=CALLERS):
    """Let `callers` threads read together (a barrier); return what each got."""
    barrier, results = threading.Barrier(callers), [None] * callers

    def read(number):
        barrier.wait(WAIT)
        results[number] = caches[number % len(caches)].get_or_load("report", loader)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads), "a caller waited for the refresh"
    return results


def test_a_fresh_value_is_served_without_a_refresh(make_cache, clock):
    cache = make_cache()
    cache.get_or_load("report", lambda: "v1")
    clock.now += 29  # within the soft TTL

    assert cache.get_or_load("report", lambda: pytest.fail("refreshed a fresh value")) == "v1"
    assert cache.refreshing == {}


def test_stale_callers_get_the_old_value_at_once_while_one_refresh_runs(make_cache, clock):
    first, second = make_cache(), make_cache()  # two processes sharing one Redis
    first.get_or_load("report", lambda: "v1")
    clock.now += 31  # past the soft TTL: stale, still in Redis (hard TTL 600 s)
    loader = BlockingLoader("v2")

    results = read_at_once([first, second], loader)  # returns while the loader is blocked

    assert results == ["v1"] * CALLERS  # the stale value, without waiting for the refresh
    assert loader.started.wait(WAIT)
    assert loader.calls == 1  # one refresh for all eight callers and both "processes"
    loader.release.set()
    (refresh,) = [*first.refreshing.values(), *second.refreshing.values()]
    refresh.result(WAIT)
    assert first.get_or_load("report", lambda: pytest.fail("still stale")) == "v2"
    assert loader.calls == 1


def test_a_failed_refresh_keeps_serving_the_stale_value_and_backs_off_until_its_lock_expires(
    make_cache, clock, redis_client
):
    cache = make_cache(lock_ms=500)
    cache.get_or_load("report", lambda: "v1")
    clock.now += 31

    def failing():
        raise ConnectionError("the database is down")

    assert cache.get_or_load("report", failing) == "v1"
    failed = cache.refreshing[cache.key("report")]
    failed.result(WAIT)
    assert cache.get_or_load("report", failing) == "v1"
    assert cache.refreshing[cache.key("report")] is failed  # no second attempt within PX
    deadline = time.monotonic() + WAIT
    while redis_client.exists("swr:report:lock") and time.monotonic() < deadline:
        time.sleep(0.01)  # the lock is the back-off: one attempt per PX

    assert cache.get_or_load("report", lambda: "v2") == "v1"  # still stale; a new refresh
    cache.refreshing[cache.key("report")].result(WAIT)
    assert cache.get_or_load("report", lambda: pytest.fail("stale again")) == "v2"
    assert redis_client.exists("swr:report:lock") == 0  # a refresh that worked frees it


def test_an_invalidation_while_redis_is_down_does_not_fail_the_write(clock):
    down = make_cache_client(f"redis://127.0.0.1:{free_port()}")  # nothing listens there
    cache = StaleWhileRevalidateCache(down, namespace="swr", clock=clock)

    cache.invalidate("report")  # logged; the entry lives to its hard TTL

    assert cache.get_or_load("report", lambda: "from the database") == "from the database"
    cache.close()


def test_a_refresh_that_read_before_an_invalidation_does_not_store_its_value(make_cache, clock):
    cache = make_cache()
    cache.get_or_load("report", lambda: "v1")
    clock.now += 31
    loader = BlockingLoader("old data, read before the write")

    assert cache.get_or_load("report", loader) == "v1"
    assert loader.started.wait(WAIT)
    cache.invalidate("report")  # the write commits and invalidates while the refresh loads
    loader.release.set()
    cache.refreshing[cache.key("report")].result(WAIT)

    assert cache.get_or_load("report", lambda: "v3, after the write") == "v3, after the write"


def test_a_generation_that_expires_during_a_load_cannot_let_the_old_value_in(
    make_cache, redis_client
):
    cache, database = make_cache(), {"report": "old"}
    cache.invalidate("report")  # an earlier write; its generation lasts 24 h

    def loader_across_the_generations_expiry() -> str:
        seen = database["report"]
        redis_client.pexpire("swr:report:gen", 1)  # the 24 h run out now, during the load
        deadline = time.monotonic() + WAIT
        while redis_client.exists("swr:report:gen") and time.monotonic() < deadline:
            time.sleep(0.001)
        database["report"] = "new"  # a write commits, then invalidates
        cache.invalidate("report")
        return seen

    assert cache.get_or_load("report", loader_across_the_generations_expiry) == "old"
    assert redis_client.get("swr:report") is None  # the old value was not cached


def test_an_entry_past_its_hard_ttl_is_gone_from_redis(make_cache, redis_client):
    cache = make_cache()
    cache.get_or_load("report", lambda: "v1")

    assert 590 < redis_client.ttl("swr:report") <= 600  # Redis itself deletes it then


def test_a_refresh_whose_lock_expired_while_queued_does_not_run_beside_another(
    make_cache, clock, redis_client
):
    first, second = make_cache(lock_ms=100), make_cache(lock_ms=100)  # two processes
    for name in ("a", "b", "c"):
        first.get_or_load(name, lambda: "old")
    clock.now += 31  # all three stale; the first process has two refresh threads
    loaders = {"a": BlockingLoader("new a"), "b": BlockingLoader("new b")}
    c_loads = []  # the first process's loads of c
    for name, loader in loaders.items():
        first.get_or_load(name, loader)
    first.get_or_load("c", lambda: c_loads.append("first") or "new c")  # queued behind a, b
    assert loaders["a"].started.wait(WAIT) and loaders["b"].started.wait(WAIT)
    deadline = time.monotonic() + WAIT
    while redis_client.exists("swr:c:lock") and time.monotonic() < deadline:
        time.sleep(0.01)  # the queued refresh's lock runs out before it starts

    second_load = BlockingLoader("new c")
    second.get_or_load("c", second_load)  # finds no lock: takes it and starts loading
    assert second_load.started.wait(WAIT)
    for loader in loaders.values():  # the queued refresh starts while the second still loads
        loader.release.set()
    first.refreshing["swr:c"].result(WAIT)
    second_load.release.set()
    second.refreshing["swr:c"].result(WAIT)

    # the entry was still stale: only the lock check kept the queued refresh from running
    assert (c_loads, second_load.calls) == ([], 1)


def test_a_straggler_that_read_the_stale_entry_does_not_refresh_it_again_once_fresh(
    make_cache, clock, redis_url
):
    first = make_cache()
    client = PausedAfterRead.from_url(redis_url, decode_responses=True)
    client.has_read, client.resume = threading.Event(), threading.Event()
    straggler = StaleWhileRevalidateCache(client, namespace="swr", clock=clock)
    first.get_or_load("report", lambda: "v1")
    clock.now += 31  # stale
    loads = []

    def loader() -> str:
        loads.append("query")
        return "v2"

    reader = threading.Thread(target=straggler.get_or_load, args=("report", loader))
    reader.start()
    assert client.has_read.wait(WAIT)  # the straggler read the stale entry, then paused
    assert first.get_or_load("report", loader) == "v1"
    first.refreshing["swr:report"].result(WAIT)  # refreshed, stored, lock released
    client.resume.set()  # the straggler now wins the free lock for an entry that is fresh
    reader.join(WAIT)
    straggler.close()  # waits for the refresh it started, if any
    client.close()

    assert loads == ["query"]  # one database query for the stale period, not two
    # and the straggler released the lock it won: kept for its PX, it would stop every
    # process from refreshing the key once the entry goes stale again
    assert first.client.get("swr:report:lock") is None


def test_it_remembers_only_the_refreshes_still_running_not_every_key_ever_refreshed(
    make_cache, clock
):
    # one Future per distinct key ever refreshed would grow without bound in a long-running
    # process (a report per user or per tenant)
    cache = make_cache()
    names = [f"report-{n}" for n in range(3)]
    for name in names:
        cache.get_or_load(name, lambda: "v1")
    clock.now += 31  # every entry stale
    for name in names:
        assert cache.get_or_load(name, lambda: "v2") == "v1"
        cache.refreshing[cache.key(name)].result(WAIT)  # that refresh has finished

    assert list(cache.refreshing) == [
        "swr:report-2"
    ]  # the last one, submitted after the others ended


def test_a_queued_refresh_re_arms_its_lock_for_a_full_px_when_it_starts(
    make_cache, clock, redis_client
):
    cache = make_cache(lock_ms=60_000)
    for name in ("a", "b", "c"):
        cache.get_or_load(name, lambda: "old")
    clock.now += 31  # all three stale; the two refresh threads get a and b, c waits in the queue
    loaders = {name: BlockingLoader(f"new {name}") for name in ("a", "b", "c")}
    for name, loader in loaders.items():
        cache.get_or_load(name, loader)
    assert loaders["a"].started.wait(WAIT) and loaders["b"].started.wait(WAIT)
    redis_client.pexpire("swr:c:lock", 5_000)  # most of c's PX was spent in the queue

    loaders["a"].release.set()
    assert loaders["c"].started.wait(WAIT)
    # counted from the start of the load, not from when it was queued: a lock that ran out
    # mid-load would let another process's refresh run beside this one
    assert redis_client.pttl("swr:c:lock") > 5_000
    for loader in loaders.values():
        loader.release.set()


def test_an_invalidation_changes_the_generation_and_deletes_in_one_multi_exec(
    make_cache, monkeypatch
):
    # one without the other would leave the old value cached to its hard TTL (a new
    # generation but the value kept), or let a load read before the write store it (deleted,
    # the generation unchanged)
    cache = make_cache()
    cache.get_or_load("report", lambda: "old")
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.append(names))

    cache.invalidate("report")

    assert [names for names in sent if len(names) > 1] == [["MULTI", "SET", "DEL", "EXEC"]]


def reads_during_an_outage(cache, callers: int = 8) -> list[int]:
    """`callers` reads at once; the first load waits until the others queue behind it."""
    loads = []

    def load_once_the_others_wait() -> str:
        loads.append(1)
        # hold the load until every other caller is queued behind it: single-flight decides
        deadline = time.monotonic() + WAIT
        while cache.single_flight.waiters("swr:report") < callers - 1:
            assert time.monotonic() < deadline, "the other callers never queued behind this load"
            time.sleep(0.01)
        return "from the database"

    results = read_at_once([cache], load_once_the_others_wait, callers=callers)
    assert results == ["from the database"] * callers
    return loads


def test_with_redis_down_it_stops_calling_redis_and_loads_once_per_key_at_a_time(clock):
    # the same guards as redis_cache.Cache: without them, during an outage every read waits
    # for the Redis timeout and every concurrent read queries the database
    down = make_cache_client(f"redis://127.0.0.1:{free_port()}", timeout_seconds=0.2)
    cache = StaleWhileRevalidateCache(down, namespace="swr", clock=clock)
    for _ in range(cache.breaker.failure_threshold):
        cache.breaker.record_failure()  # the steady state of an outage: the circuit is open

    loads = reads_during_an_outage(cache)

    assert len(loads) == 1, f"{len(loads)} database queries for 8 concurrent reads"
    cache.close()


def test_reads_that_fail_on_redis_before_the_circuit_opens_also_load_once_at_a_time(clock):
    # the error path itself (the circuit still closed): each read's MGET fails, and the
    # fallback is single-flight too, not one database query per read
    down = make_cache_client(f"redis://127.0.0.1:{free_port()}", timeout_seconds=0.2)
    cache = StaleWhileRevalidateCache(down, namespace="swr", clock=clock)
    cache.breaker.failure_threshold = 1_000  # keep the circuit closed: every read tries Redis

    loads = reads_during_an_outage(cache)

    assert len(loads) == 1, f"{len(loads)} database queries for 8 concurrent reads"
    cache.close()


def test_with_redis_down_the_circuit_opens_after_three_failures(clock):
    attempts = []

    class CountingRedis(redis.Redis):
        def mget(self, *args, **options):
            attempts.append(1)
            return super().mget(*args, **options)

    down = CountingRedis.from_url(
        f"redis://127.0.0.1:{free_port()}", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    cache = StaleWhileRevalidateCache(down, namespace="swr", clock=clock)

    for _ in range(6):
        assert cache.get_or_load("report", lambda: "from the database") == "from the database"

    assert len(attempts) == 3, "after three failures the open circuit skips Redis"
    cache.close()
