"""Measured: what metrics and tracing middleware add to a request, as a ratio to the bare app.

Running it serves the same cached product through the lesson's app twice over: bare (request
id and access log only) and with Prometheus metrics and OpenTelemetry tracing (an in-memory
exporter). Requests go through FastAPI's TestClient, in turn, median of five rounds; the
Redis round trip is in both. `python monitoring_bench.py` sends 300 per round; `make bench` 1,000.
"""

from __future__ import annotations

import logging
import secrets
import statistics
import time

from errors_faults import FaultyUpstream
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_shop import close_shop, make_shop
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from tracing_setup import make_tracer_provider


def requests_per_second(client: TestClient, requests: int, rounds: int = 5) -> float:
    """Send `requests` requests per round; return the median rate."""
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/products/KB-01")
        rates.append(requests / (time.perf_counter() - started))
    return statistics.median(rates)


def benchmark(settings, requests: int = 1_000) -> list[dict]:
    """The figure for `make bench`: requests per second, bare vs metrics and tracing."""
    logging.getLogger("logging_app").setLevel(logging.WARNING)  # the access log in neither
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    with FaultyUpstream() as upstream:
        shop = make_shop(
            settings.database_url,
            settings.redis_url,
            upstream.url,
            table=f"bench_products_{secrets.token_hex(4)}",
        )
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        exporter = InMemorySpanExporter()
        bare = TestClient(create_app(shop))
        observed = TestClient(
            create_app(
                shop, registry=CollectorRegistry(), tracer_provider=make_tracer_provider(exporter)
            )
        )
        bare.get("/products/KB-01")  # fill the cache: both measure the same cached read
        rates = {"bare": requests_per_second(bare, requests)}
        rates["observed"] = requests_per_second(observed, requests)
        with shop.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {shop.table}")
        shop.cache.delete(f"{shop.table}:KB-01")
        close_shop(shop)
    return [
        {
            "name": "a cached product request: with metrics and tracing vs bare",
            "baseline_label": "bare app",
            "baseline": round(rates["bare"]),
            "measured_label": "metrics + tracing",
            "measured": round(rates["observed"]),
            "unit": "requests/s",
            "ratio": round(rates["observed"] / rates["bare"], 2),
        }
    ]


def main() -> None:
    import course

    settings = course.require("postgres", "redis")
    print("Measuring on this machine, 300 requests per round, median of 5 rounds ...")
    [figure] = benchmark(settings, requests=300)
    print(f"1. {figure['name']}")
    print(
        f"   {figure['baseline_label']}: {figure['baseline']:,} {figure['unit']}; "
        f"{figure['measured_label']}: {figure['measured']:,} {figure['unit']} "
        f"(ratio {figure['ratio']})"
    )
    print("Conclusion: each middleware layer and each span costs a little on every request;")
    print("measure it on your app before deciding what to record, and sample traces in production.")


if __name__ == "__main__":
    main()
