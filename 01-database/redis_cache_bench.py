"""Measure the cache: concurrent misses, and hit latency against the database query.

`benchmark_cache` is listed in `lesson.toml`, so `make bench` reports its figures; the
numbers come from one run, on one machine, with both sides measured on the same data.
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from db_timing import alternating_ms
from redis_cache import Cache
from redis_cache_sales import revenue_by_sku
from sqlalchemy import Engine


def counting(function: Callable[[], Any]) -> tuple[Callable[[], Any], Callable[[], int]]:
    """Wrap a loader so that it counts its calls; return (wrapped, read_count)."""
    calls = 0
    lock = threading.Lock()

    def wrapped() -> Any:
        nonlocal calls
        with lock:
            calls += 1
        return function()

    return wrapped, lambda: calls


def concurrent_misses(cache: Cache, name: str, loader: Callable, *, callers: int) -> list[Any]:
    """Have `callers` threads ask for the same missing key at the same moment."""
    start_together = threading.Barrier(callers)

    def call() -> Any:
        start_together.wait()
        return cache.get_or_load(name, loader)

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(call) for _ in range(callers)]
        return [future.result() for future in futures]


P95_MIN_SAMPLES = 100  # below this, the "95th percentile" is just one of the slowest few runs


def p50_and_p95(durations: list[float]) -> tuple[float, float | None]:
    """Return the median and, when there are enough samples to mean something, the p95."""
    cuts = statistics.quantiles(durations, n=20)  # 19 cut points: cuts[9] is p50, cuts[18] p95
    return cuts[9], cuts[18] if len(durations) >= P95_MIN_SAMPLES else None


WARM_UP_ROUNDS = 3
SAMPLES = 200  # `make bench`: the p95 is then the 10th slowest of each side


def measure_hit_vs_query(cache: Cache, engine: Engine, *, samples: int = 100) -> dict:
    """Measure the database query and a cache hit for the same report, the same way."""
    query = lambda: revenue_by_sku(engine)  # noqa: E731
    cache.get_or_load("measured", query)  # store the entry: every timed read below is a hit
    runs = {"query": query, "hit": lambda: cache.get_or_load("measured", query)}
    alternating_ms(runs, rounds=WARM_UP_ROUNDS)  # untimed: a first connection, cold buffers
    # one query, one hit, turn about: a slow moment of the machine falls on both sides, so the
    # tails (p95) compare the same stretch of time, not one block of runs with a later one
    durations = alternating_ms(runs, rounds=samples)
    query_p50, query_p95 = p50_and_p95(durations["query"])
    hit_p50, hit_p95 = p50_and_p95(durations["hit"])
    return {"query_p50": query_p50, "query_p95": query_p95, "hit_p50": hit_p50, "hit_p95": hit_p95}


def benchmark_cache(settings) -> list[dict[str, Any]]:
    """Return the cache hit vs database query latency figures (p50 and p95)."""
    from redis_cache import make_cache_client
    from redis_cache_sales import create_sales
    from redis_structures import server_label
    from sqlalchemy import create_engine

    from course.sandbox import temporary_postgres_database, unique_name

    client = make_cache_client(settings.redis_url)
    server = server_label(client)  # embedded mode runs Valkey, not Redis: name it
    cache = Cache(client, namespace=unique_name("redis_cache_bench"))
    with temporary_postgres_database(settings, prefix="redis_cache_bench") as url:
        engine = create_engine(url)
        create_sales(engine, rows=500_000)
        figures = measure_hit_vs_query(cache, engine, samples=SAMPLES)
        engine.dispose()
    client.delete(cache.key("measured"))
    client.close()
    return [
        {
            "name": f"revenue report over 500,000 rows, {level} of {SAMPLES} each, alternating",
            "baseline_label": "PostgreSQL query",
            "baseline": round(figures[f"query_{level}"], 3),
            "measured_label": f"{server} cache hit",
            "measured": round(figures[f"hit_{level}"], 3),
            "unit": "ms",
            "ratio": round(figures[f"query_{level}"] / figures[f"hit_{level}"], 1),
        }
        for level in ("p50", "p95")
    ]
