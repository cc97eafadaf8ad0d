"""Caching with Redis: cache-aside, TTL, invalidation, stampede protection, degradation."""

import logging

import pytest
import redis
from redis_cache import Cache, cached, make_cache_client
from redis_cache_bench import concurrent_misses
from redis_cache_sales import create_sales, record_sale, revenue_by_sku
from sqlalchemy import event


class SetFailingRedis(redis.Redis):
    """A real Redis client whose plain SET (storing a value, not taking a lock) fails."""

    def set(self, name, value, *args, **kwargs):
        if not kwargs.get("nx"):
            raise redis.ConnectionError("injected fault: SET failed")
        return super().set(name, value, *args, **kwargs)


@pytest.fixture
def sales_engine(engine):
    create_sales(engine, rows=2_000)
    return engine


@pytest.fixture
def report_queries(sales_engine):
    """Count the report queries PostgreSQL receives (a count, not a timing)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "GROUP BY sku" in statement:
            statements.append(statement)

    event.listen(sales_engine, "before_cursor_execute", record)
    yield statements
    event.remove(sales_engine, "before_cursor_execute", record)


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


def test_the_decorator_caches_per_arguments_and_invalidates_on_write(cache, sales_engine):
    @cached(cache, ttl=30)
    def revenue_of(sku: str) -> int:
        return revenue_by_sku(sales_engine)[sku]["revenue_cents"]

    before = revenue_of("pen")
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
    client = SetFailingRedis.from_url(redis_url, decode_responses=True)
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
