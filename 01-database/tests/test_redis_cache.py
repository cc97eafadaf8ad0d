"""Caching with Redis: cache-aside, TTL, invalidation, stampede protection, degradation."""

import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import redis
import redis_cache
import redis_cache_bench
import redis_cache_sales
from redis_cache import STORE_IF_CURRENT, Cache, cached, make_cache_client
from redis_cache_bench import benchmark_cache, concurrent_misses, measure_hit_vs_query, p50_and_p95
from redis_cache_guard import CircuitBreaker, SingleFlight
from redis_cache_sales import record_sale, revenue_by_sku

import course.sandbox
from course.redis_wire import watch_sent_commands


class StoreFailingRedis(redis.Redis):
    """A real Redis client whose store script (caching a value, not taking a lock) fails."""

    def evalsha(self, sha, numkeys, *keys_and_args):
        if sha == hashlib.sha1(STORE_IF_CURRENT.encode()).hexdigest():
            raise redis.ConnectionError("injected fault: storing the value failed")
        return super().evalsha(sha, numkeys, *keys_and_args)


@pytest.fixture
def cache(redis_url):
    client = make_cache_client(redis_url)
    yield Cache(client, namespace="test", ttl_seconds=30)
    client.close()


def test_a_second_read_is_served_from_the_cache_without_a_query(
    cache, sales_engine, report_queries
):
    first = cache.get_or_load("report", lambda: revenue_by_sku(sales_engine))
    second = cache.get_or_load("report", lambda: revenue_by_sku(sales_engine))

    assert len(report_queries) == 1
    assert first == second == revenue_by_sku(sales_engine)


def test_the_value_is_stored_as_json_with_the_ttl(cache, redis_client):
    cache.get_or_load("greeting", lambda: {"text": "hello", "count": 2}, ttl_seconds=90)

    assert redis_client.get("test:greeting") == '{"text": "hello", "count": 2}'
    assert 0 < redis_client.ttl("test:greeting") <= 90


def test_the_decorator_caches_per_arguments_and_invalidates_on_write(
    cache, sales_engine, redis_client
):
    # ttl=90, not the cache's default of 30: the decorator's own TTL is what the entry gets
    @cached(cache, ttl=90, name="revenue_of")  # a closure over the test's engine: named
    def revenue_of(sku: str) -> int:
        return revenue_by_sku(sales_engine)[sku]["revenue_cents"]

    before = revenue_of("pen")
    assert 30 < redis_client.ttl(revenue_of.cache_key("pen")) <= 90
    record_sale(sales_engine, sku="pen", qty=1, price_cents=2500)
    stale = revenue_of("pen")
    revenue_of.invalidate("pen")
    fresh = revenue_of("pen")

    assert stale == before
    assert fresh == before + 2500


def test_concurrent_misses_with_the_lock_query_the_database_once(
    cache, sales_engine, report_queries
):
    results = concurrent_misses(cache, "report", lambda: revenue_by_sku(sales_engine), callers=8)

    assert len(report_queries) == 1
    assert all(result == results[0] for result in results)


def test_the_wrong_way_without_the_lock_lets_concurrent_misses_all_query(
    redis_url, engine, report_queries
):
    # pg_sleep stands in for a slow query, so that every thread misses before the first is done
    def slow_report():
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT pg_sleep(0.3)")
        return revenue_by_sku(engine)

    client = make_cache_client(redis_url)
    unprotected = Cache(client, namespace="herd", stampede_protection=False)
    concurrent_misses(unprotected, "report", slow_report, callers=4)
    client.close()

    assert len(report_queries) > 1


def test_the_lock_is_released_after_loading(cache, redis_client, sales_engine):
    cache.get_or_load("report", lambda: revenue_by_sku(sales_engine))

    assert redis_client.keys("test:*") == ["test:report"]


def test_the_stampede_lock_expires_by_itself_so_a_crashed_holder_cannot_keep_it(
    cache, redis_client
):
    # without PX, a loader that crashed would leave the lock forever: every later miss would
    # wait the whole wait_seconds, then load without any lock
    lock_ttls = []

    def loader() -> int:
        lock_ttls.append(redis_client.pttl("test:report:lock"))  # -1: no expiry
        return 1

    cache.get_or_load("report", loader)

    assert 0 < lock_ttls[0] <= cache.lock_ms


class FakeTime:
    """The clock of redis_cache: each sleep moves it on, so a test waits no real time."""

    def __init__(self, give_up_after: float) -> None:
        self.now, self.give_up_after = 0.0, give_up_after

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        assert self.now < self.give_up_after, f"still waiting for the lock after {self.now:.0f}s"


def test_a_caller_waits_for_the_lock_up_to_wait_seconds_then_loads_itself(
    redis_url, redis_client, monkeypatch, caplog
):
    # the holder crashed without its release: waiting past wait_seconds (or for ever) would
    # hang every reader of the key until the lock's PX runs out, or for good
    clock = FakeTime(give_up_after=100)
    monkeypatch.setattr(redis_cache, "time", clock)
    redis_client.set("test:report:lock", "a-crashed-holder", px=60_000)
    cache = Cache(redis_client, namespace="test", wait_seconds=2)

    with caplog.at_level(logging.WARNING, logger="redis_cache"):
        value = cache.get_or_load("report", lambda: "loaded myself")

    assert value == "loaded myself"
    assert 2 <= clock.now < 2.1, f"gave up after {clock.now:.2f}s of a 2s wait_seconds"
    assert "loading it myself" in caplog.text


def test_the_wait_is_one_bound_even_while_the_lock_passes_from_holder_to_holder(
    redis_client, monkeypatch
):
    # loaders that keep failing hand the lock on, one after another: a wait that started
    # again for each new holder would have no bound at all
    class HoldersChanging(FakeTime):
        def sleep(self, seconds: float) -> None:
            super().sleep(seconds)
            redis_client.set("test:report:lock", f"holder-{self.now:.2f}", px=60_000)

    clock = HoldersChanging(give_up_after=100)
    monkeypatch.setattr(redis_cache, "time", clock)
    redis_client.set("test:report:lock", "holder-0", px=60_000)
    cache = Cache(redis_client, namespace="test", wait_seconds=2)

    assert cache.get_or_load("report", lambda: "loaded myself") == "loaded myself"
    assert 2 <= clock.now < 2.1, f"gave up after {clock.now:.2f}s of a 2s wait_seconds"


def test_waiters_outlast_a_crashed_lock_and_the_load_of_the_waiter_that_takes_it_by_default(
    redis_client,
):
    # waiting exactly as long as the lock lives, every waiter gives up in the step in which a
    # crashed holder's lock expires, and loads without it; waiting only a little longer, they
    # give up while the waiter that took the lock over loads (the two tests below)
    cache = Cache(redis_client, namespace="test")

    assert cache.wait_seconds > 2 * cache.lock_ms / 1000
    assert Cache(redis_client, namespace="test", lock_ms=500).wait_seconds > 2 * 0.5


def waiters_after_a_crashed_holder(redis_url, redis_client, load_seconds: float) -> list[int]:
    """8 waiters, each on its own client, behind a crashed holder's 1 s lock; return the loads."""
    loads = []

    def slow_loader() -> str:
        loads.append(1)
        time.sleep(load_seconds)
        return "loaded"

    clients = [make_cache_client(redis_url) for _ in range(8)]  # 8 processes, each its own
    caches = [Cache(client, namespace="test", lock_ms=1000) for client in clients]
    redis_client.set("test:report:lock", "a-crashed-holder", px=1000)
    start_together = threading.Barrier(len(caches))

    def call(cache: Cache) -> str:
        start_together.wait()
        return cache.get_or_load("report", slow_loader)

    with ThreadPoolExecutor(max_workers=len(caches)) as pool:
        results = list(pool.map(call, caches))
    for client in clients:
        client.close()

    assert results == ["loaded"] * 8
    return loads


def test_after_a_crashed_holder_s_lock_expires_one_waiter_loads_and_the_others_get_its_value(
    redis_url, redis_client
):
    # the holder took the lock and died: the 8 waiters poll until its PX runs out, then one
    # of them wins SET NX and loads; the others, still within their wait, read what it stored
    loads = waiters_after_a_crashed_holder(redis_url, redis_client, load_seconds=0.2)

    assert len(loads) == 1, f"{len(loads)} of 8 waiters loaded: they gave up with the lock"


def test_waiters_by_default_wait_for_the_waiter_that_took_over_a_crashed_holder_s_lock(
    redis_url, redis_client
):
    # the crashed lock expires at 1.0 s; the waiter that takes it over loads until 1.8 s: a
    # wait of the lock plus a small margin (1.5 s, say) would give up during that load, and
    # each waiter would load; the default (twice the lock, plus two seconds) waits it out.
    # The load is shorter than the lock: the new holder's lock never expires
    loads = waiters_after_a_crashed_holder(redis_url, redis_client, load_seconds=0.8)

    assert len(loads) == 1, f"{len(loads)} of 8 waiters loaded while another held the lock"


class StoredJustBeforeTheLock(redis.Redis):
    """A real client: the previous holder stores the value just before our SET NX wins."""

    def set(self, name, value, *args, **kwargs):
        if kwargs.get("nx") and name.endswith(":lock"):
            super().set(name.removesuffix(":lock"), json.dumps("stored by the other caller"))
        return super().set(name, value, *args, **kwargs)


def test_a_caller_that_wins_the_lock_after_the_value_appeared_releases_it_at_once(
    redis_url, redis_client
):
    # kept, the lock would live for its PX: after a write's invalidation meanwhile, every
    # reader would find no value and a lock nobody uses, and wait up to wait_seconds
    client = StoredJustBeforeTheLock.from_url(redis_url, decode_responses=True)
    cache = Cache(client, namespace="test")
    loads = []

    value = cache.get_or_load("report", lambda: loads.append("query"))
    client.close()

    assert (value, loads) == ("stored by the other caller", [])
    assert redis_client.exists("test:report:lock") == 0


def test_reads_fall_back_to_the_database_when_redis_is_down(sales_engine, caplog):
    dead_client = make_cache_client("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    cache = Cache(dead_client, namespace="test")

    with caplog.at_level(logging.WARNING, logger="redis_cache"):
        report = cache.get_or_load("report", lambda: revenue_by_sku(sales_engine))
        cache.invalidate("report")

    assert report == revenue_by_sku(sales_engine)
    assert "cache unavailable" in caplog.text
    assert "could not invalidate" in caplog.text


@pytest.mark.parametrize("stampede_protection", [True, False])
def test_a_failed_set_after_loading_does_not_run_the_loader_again(
    redis_url, redis_client, caplog, stampede_protection
):
    client = StoreFailingRedis.from_url(redis_url, decode_responses=True)
    cache = Cache(client, namespace="test", stampede_protection=stampede_protection)
    loader_calls: list[str] = []

    def loader() -> dict:
        loader_calls.append("report")
        return {"pen": 2500}

    with caplog.at_level(logging.WARNING, logger="redis_cache"):
        report = cache.get_or_load("report", loader)
    client.close()

    assert report == {"pen": 2500}
    assert loader_calls == ["report"]
    assert "could not cache" in caplog.text
    assert redis_client.keys("test:*") == []  # nothing stored, and the lock was released


class CountingRedis(redis.Redis):
    """A real Redis client that counts the commands it tries to send."""

    attempts = 0

    def execute_command(self, *args, **options):
        CountingRedis.attempts += 1
        return super().execute_command(*args, **options)


def test_a_value_loaded_before_a_write_and_its_invalidation_is_not_cached(
    cache, sales_engine, redis_client
):
    # the race: the loader reads the old data, a writer commits and invalidates, and only
    # then does the loader store what it read; without the generation check that stale
    # report would be served for the whole TTL
    def loader_overtaken_by_a_write() -> dict:
        report = revenue_by_sku(sales_engine)
        record_sale(sales_engine, sku="pen", qty=2, price_cents=2500)  # 2: qty counts
        cache.invalidate("report")
        return report

    stale = cache.get_or_load("report", loader_overtaken_by_a_write)
    next_read = cache.get_or_load("report", lambda: revenue_by_sku(sales_engine))

    assert redis_client.get("test:report") != json.dumps(stale)
    assert next_read == revenue_by_sku(sales_engine)
    assert next_read["pen"]["revenue_cents"] == stale["pen"]["revenue_cents"] + 5000


class StoreAfterDeleteRedis(redis.Redis):
    """A real Redis client that lets a slow loader store right after the DEL of a value."""

    cache: Cache
    generation_read: str  # what the slow loader read, before the write and its invalidation

    def execute_command(self, *args, **options):
        # the loader stores the old value it read the moment the value is deleted: between
        # invalidate's commands, if it sends them one by one
        stale = args[0] == "DEL" and args[1] == "test:report"
        result = super().execute_command(*args, **options)
        if stale:
            self.cache._store("test:report", "old", 30, self.generation_read)
        return result


def test_a_load_that_stores_in_the_middle_of_an_invalidation_does_not_cache_the_old_value(
    redis_url, redis_client
):
    client = StoreAfterDeleteRedis.from_url(redis_url, decode_responses=True)
    cache = client.cache = Cache(client, namespace="test", ttl_seconds=30)
    cache.get_or_load("report", lambda: "old")
    client.generation_read = redis_client.get("test:report:gen") or "0"

    cache.invalidate("report")  # after the write

    assert redis_client.get("test:report") is None
    client.close()


def test_an_invalidation_changes_the_generation_before_the_value_can_go(redis_client, monkeypatch):
    # what makes it safe: once the value is gone, a loader that read the old generation must
    # find it changed. One MULTI runs both commands with nothing in between; without one, the
    # new generation must be set first (a pipeline without MULTI promises no atomicity: another
    # client's store may run between its commands)
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.extend(names))
    cache = Cache(redis_client, namespace="test", ttl_seconds=30)

    cache.invalidate("report")

    atomic = sent[:1] == ["MULTI"] and sent[-1:] == ["EXEC"]
    assert atomic or sent.index("SET") < sent.index("DEL"), (
        f"invalidate sent {sent}: the value can go before the generation changes"
    )


def test_an_invalidation_gives_the_generation_a_day_to_live(cache, redis_client):
    # no TTL: every key ever invalidated leaves its `:gen` behind for good; a short one (the
    # value's 30 s, seconds read as ms) can run out during a load, and what it loads is lost
    cache.invalidate("report")

    assert 24 * 3600 - 60 < redis_client.ttl("test:report:gen") <= 24 * 3600


def expire_now(client: redis.Redis, key: str) -> None:
    """Let a key's TTL run out now (as the generation's 24 h do), and wait until it has."""
    client.pexpire(key, 1)
    deadline = time.monotonic() + 5
    while client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.001)
    assert not client.exists(key), f"{key} did not expire"


def test_a_generation_that_expires_during_a_load_cannot_let_the_old_value_in(cache, redis_client):
    # a key written once a day: its generation's TTL runs out during a load, and a write
    # plus its invalidation follow; the new generation must not equal the one the loader read
    database = {"report": "old"}
    cache.invalidate("report")  # yesterday's write

    def loader_across_the_generations_expiry() -> str:
        seen = database["report"]
        expire_now(redis_client, "test:report:gen")
        database["report"] = "new"  # today's write commits, then invalidates
        cache.invalidate("report")
        return seen

    assert cache.get_or_load("report", loader_across_the_generations_expiry) == "old"
    assert redis_client.get("test:report") is None  # the old value was not cached
    assert cache.get_or_load("report", lambda: database["report"]) == "new"


def test_releasing_the_lock_leaves_a_lock_that_another_caller_now_holds(cache, redis_client):
    # our lock expired during a long load and another caller took it: our release must not
    # delete THEIR lock (a plain DEL would, and let a third caller stampede in)
    def load_for_longer_than_the_lock() -> str:
        redis_client.set("test:report:lock", "another-callers-token", px=10_000)
        return "report"

    cache.get_or_load("report", load_for_longer_than_the_lock)

    assert redis_client.get("test:report:lock") == "another-callers-token"


class Shop:
    @staticmethod
    def report(*parts: str) -> list:
        return ["shop", *parts]


class Warehouse:
    @staticmethod
    def report(*parts: str) -> list:
        return ["warehouse", *parts]


def test_cache_keys_of_different_arguments_and_functions_never_collide(cache):
    # module-level classes, as in real code (a class inside this test would be <locals>)
    shop_report, warehouse_report = cached(cache)(Shop.report), cached(cache)(Warehouse.report)

    assert shop_report("a:b") == ["shop", "a:b"]
    assert shop_report("a", "b") == ["shop", "a", "b"]  # not the ("a:b",) entry
    assert warehouse_report("a", "b") == ["warehouse", "a", "b"]  # not Shop's entry
    assert shop_report.cache_key("a", "b").startswith("test:v1:")
    assert shop_report.cache_key("a", "b").endswith('.Shop.report:["a","b"]')


def test_a_function_defined_inside_another_is_refused_as_its_closures_share_one_name(cache):
    # every closure a factory makes is `report_for.<locals>.report`, whatever it captured:
    # cached under that name, Lyon's report would be served Paris's entry
    def report_for(shop: str):
        @cached(cache)
        def report() -> str:
            return f"report of {shop}"

        return report

    with pytest.raises(TypeError, match=r"<locals>.*pass name="):
        report_for("paris")


def test_closures_given_their_own_names_keep_their_own_entries(cache):
    def report_for(shop: str):
        @cached(cache, name=f"report_for:{shop}")
        def report() -> str:
            return f"report of {shop}"

        return report

    paris, lyon = report_for("paris"), report_for("lyon")

    assert (paris(), lyon()) == ("report of paris", "report of lyon")
    assert lyon.cache_key() == "test:v1:report_for:lyon:[]"


# made at module level in a loop (one report per shop): two function objects, one qualified
# name `shop_report`, so the `<locals>` refusal does not see them
SHOP_REPORTS = []
for _shop in ("paris", "lyon"):

    def shop_report(shop: str = _shop) -> str:
        return f"report of {shop}"

    SHOP_REPORTS.append(shop_report)


def test_a_second_function_under_the_same_qualified_name_is_refused(cache):
    paris, lyon = SHOP_REPORTS
    paris_report = cached(cache)(paris)

    with pytest.raises(
        TypeError, match=r"already caches another function as .*shop_report: pass name="
    ):
        cached(cache)(lyon)  # before the fix: Lyon's report served Paris's entry
    assert paris_report() == "report of paris"


def test_two_functions_given_the_same_name_are_refused(cache):
    cached(cache, name="report")(Shop.report)

    with pytest.raises(TypeError, match="already caches"):
        cached(cache, name="report")(Warehouse.report)


def test_the_same_function_cached_again_or_under_a_new_version_is_accepted(cache):
    first, again = cached(cache)(Shop.report), cached(cache)(Shop.report)
    newer = cached(cache, version=2)(Warehouse.report)

    assert first.cache_key("a") == again.cache_key("a")
    assert newer("a") == ["warehouse", "a"]


def test_a_new_version_of_a_function_does_not_read_the_old_version_s_entries(cache):
    # the result's shape changed: version=2 must load afresh, not serve what version 1 cached
    calls = []

    def report(sku: str) -> dict:
        calls.append(sku)
        return {"sku": sku, "shape": len(calls)}

    old = cached(cache, version=1, name="report")(report)
    new = cached(cache, version=2, name="report")(report)
    old("pen")

    assert new.cache_key("pen") != old.cache_key("pen")
    assert new("pen") == {"sku": "pen", "shape": 2}, "version 2 served version 1's entry"
    assert calls == ["pen", "pen"]


def test_caching_a_lambda_is_refused_because_every_lambda_has_the_same_name(cache):
    with pytest.raises(TypeError, match="named function"):
        cached(cache)(lambda: 1)


def test_the_circuit_opens_after_repeated_failures_and_stops_calling_redis(sales_engine):
    dead_client = CountingRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    breaker = CircuitBreaker(failure_threshold=3, cooldown_seconds=60)
    cache = Cache(dead_client, namespace="test", breaker=breaker)
    CountingRedis.attempts = 0

    reports = [cache.get_or_load("report", lambda: revenue_by_sku(sales_engine)) for _ in range(10)]

    assert CountingRedis.attempts == 3  # then the open circuit skipped Redis: no timeout waits
    assert breaker.is_open
    assert all(report == revenue_by_sku(sales_engine) for report in reports)


def test_a_cache_command_that_times_out_is_not_retried(redis_url, monkeypatch):
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.extend(names))
    client = make_cache_client(redis_url, timeout_seconds=0.05)

    # the server would answer after 1 s, long past the client's 0.05 s: a stalled Redis
    with pytest.raises(redis.TimeoutError):
        client.blpop(["test:nothing"], timeout=1)

    assert sent.count("BLPOP") == 1, "no retry (and its back-off) before the database answers"
    client.close()


def test_after_the_cooldown_one_call_probes_redis_and_a_success_closes_the_circuit():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=5, clock=lambda: now[0])
    breaker.record_failure()

    skipped_during_cooldown = breaker.allows_call()
    now[0] = 5.0
    probe_allowed, second_call_allowed = breaker.allows_call(), breaker.allows_call()
    breaker.record_success()

    assert (skipped_during_cooldown, probe_allowed, second_call_allowed) == (False, True, False)
    assert not breaker.is_open and breaker.allows_call()


class FlakyRedis(redis.Redis):
    """A real Redis client that fails every command while `down` is set, as an outage would."""

    down = False

    def execute_command(self, *args, **options):
        if self.down:
            raise redis.ConnectionError("Redis is down (FlakyRedis)")
        return super().execute_command(*args, **options)


def test_once_redis_answers_again_the_cache_closes_its_circuit(redis_url, redis_client):
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=5, clock=lambda: now[0])
    client = FlakyRedis.from_url(redis_url, decode_responses=True)
    cache = Cache(client, namespace="test", breaker=breaker)
    loads = []

    def load() -> str:
        loads.append(1)
        return "report"

    client.down = True
    cache.get_or_load("report", load)  # the outage: the circuit opens
    client.down = False
    now[0] = 5.0  # after the cool-down the next call probes Redis, and caches what it loads
    probe, after = cache.get_or_load("report", load), cache.get_or_load("report", load)

    # the probe's success must close the circuit, or Redis would get one call per cool-down
    # for ever while every other read went to the database
    assert not breaker.is_open
    assert (probe, after, len(loads)) == ("report", "report", 2)  # the second read: a hit
    assert redis_client.get("test:report") is not None
    client.close()


def test_the_threads_waiting_on_a_failed_load_get_its_error_not_none():
    single_flight = SingleFlight()
    loading = threading.Event()

    def fail_once_two_others_wait():
        loading.set()
        deadline = time.monotonic() + 10
        while single_flight.waiters("report") < 2:
            assert time.monotonic() < deadline, "the other callers never queued behind this load"
            time.sleep(0.01)
        raise ConnectionError("the database is down too")

    def ask(loader):
        try:
            return single_flight.do("report", loader)
        except ConnectionError as error:
            return error

    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(ask, fail_once_two_others_wait)
        assert loading.wait(10), "the first caller never started loading"
        waiters = [pool.submit(ask, lambda: "never called") for _ in range(2)]
        outcomes = [leader.result()] + [waiter.result() for waiter in waiters]

    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes), outcomes


def test_a_finished_load_is_not_served_again_to_the_next_call():
    single_flight = SingleFlight()

    first = single_flight.do("report", lambda: "monday's report")
    second = single_flight.do("report", lambda: "tuesday's report")

    assert (first, second) == ("monday's report", "tuesday's report")


@pytest.mark.parametrize("circuit", ["closed", "open"])
def test_with_redis_down_concurrent_misses_query_the_database_once_per_process(
    sales_engine, report_queries, circuit
):
    dead_client = make_cache_client("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    cache = Cache(dead_client, namespace="test")
    if circuit == "open":  # the steady state of an outage: no caller even tries Redis
        for _ in range(cache.breaker.failure_threshold):
            cache.breaker.record_failure()
    callers = 8

    def report_once_the_others_wait() -> dict:
        # hold the load until every other caller is queued behind it, so the count below is
        # decided by single-flight, not by thread timing
        deadline = time.monotonic() + 10
        while cache.single_flight.waiters("test:report") < callers - 1:
            assert time.monotonic() < deadline, "the other callers never queued behind this load"
            time.sleep(0.01)
        return revenue_by_sku(sales_engine)

    results = concurrent_misses(cache, "report", report_once_the_others_wait, callers=callers)

    assert len(report_queries) == 1
    assert all(result == results[0] for result in results)


def test_a_caller_that_waited_for_the_lock_caches_what_it_loads_after_an_invalidation(
    cache, redis_url, redis_client
):
    # the generation read before waiting is stale once a write invalidated meanwhile: the
    # caller that then wins the lock must read it again, or nothing it loads is ever cached
    waiting = threading.Event()

    class LockWaitSignallingRedis(redis.Redis):
        def set(self, name, value, *args, **kwargs):
            taken = super().set(name, value, *args, **kwargs)
            if kwargs.get("nx") and not taken:
                waiting.set()
            return taken

    redis_client.set("test:report:lock", "another-callers-token", px=10_000)
    client = LockWaitSignallingRedis.from_url(redis_url, decode_responses=True)
    waiter = Cache(client, namespace="test")
    with ThreadPoolExecutor(max_workers=1) as pool:
        loaded = pool.submit(waiter.get_or_load, "report", lambda: "fresh report")
        assert waiting.wait(10), "the caller never waited for the lock"
        cache.invalidate("report")  # the other caller's write lands while we wait
        redis_client.delete("test:report:lock")  # and the other caller lets go of the lock
        assert loaded.result(timeout=10) == "fresh report"
    client.close()

    assert redis_client.get("test:report") == '"fresh report"'


def test_the_measurement_times_hits_against_queries(cache, sales_engine, monkeypatch):
    # what `make bench`'s ratio compares: every timed "hit" must be a hit, so only the query
    # side (and the one load that stores the entry) reaches the database
    queries = []

    def counted(engine):
        queries.append(1)
        return revenue_by_sku(engine)

    monkeypatch.setattr(redis_cache_bench, "revenue_by_sku", counted)
    figures = measure_hit_vs_query(cache, sales_engine, samples=3)

    assert len(queries) == 1 + redis_cache_bench.WARM_UP_ROUNDS + 3
    assert set(figures) == {"query_p50", "query_p95", "hit_p50", "hit_p95"}
    cache.invalidate("measured")


def test_the_percentiles_are_the_median_and_the_95th_and_no_p95_from_few_samples():
    one_very_slow_run = [float(n) for n in range(1, 100)] + [1000.0]  # the mean: 59.5
    assert p50_and_p95(one_very_slow_run) == (50.5, 95.95)
    assert p50_and_p95([float(n) for n in range(1, 100)])[1] is None  # 99: one of the slowest


def test_the_benchmark_ratio_is_how_many_times_faster_the_hit_is(redis_url, monkeypatch):
    figures = {"query_p50": 8.0, "query_p95": 20.0, "hit_p50": 0.5, "hit_p95": 2.0}
    monkeypatch.setattr(redis_cache_bench, "measure_hit_vs_query", lambda *_, **__: figures)
    monkeypatch.setattr(redis_cache_sales, "create_sales", lambda *_, **__: None)

    @contextmanager
    def no_database(_settings, prefix):
        yield "sqlite://"

    monkeypatch.setattr(course.sandbox, "temporary_postgres_database", no_database)

    rows = benchmark_cache(SimpleNamespace(redis_url=redis_url))

    assert [(r["baseline"], r["measured"], r["ratio"]) for r in rows] == [
        (8.0, 0.5, 16.0),
        (20.0, 2.0, 10.0),
    ]
