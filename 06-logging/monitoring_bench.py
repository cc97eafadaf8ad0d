"""Measured: what metrics and tracing middleware add to a request, as a ratio to the bare app.

Running it serves the same cached product through the lesson's app twice over: bare (request
id and access log only) and with Prometheus metrics and OpenTelemetry tracing (an in-memory
exporter), and, as the baseline for those two layers, with two middlewares that do nothing.
Requests go through FastAPI's TestClient, the rounds interleaved, median of five; the Redis
round trip is in all. `python monitoring_bench.py` sends 300 per round; `make bench` 1,000.
"""

from __future__ import annotations

import logging
import secrets
import statistics
import time

from errors_faults import FaultyUpstream
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_shop import close_shop, make_shop
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from tracing_setup import make_tracer_provider


def requests_per_second(
    clients: dict[str, TestClient], requests: int, rounds: int = 5
) -> dict[str, float]:
    """Send `requests` requests per round to each client in turn; return each median rate."""
    rates: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds):
        # interleaved: a machine that gets busier mid-run slows every side alike
        for name, client in clients.items():
            started = time.perf_counter()
            for _ in range(requests):
                client.get("/products/KB-01")
            rates[name].append(requests / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def with_noop_middlewares(app: FastAPI) -> FastAPI:
    """Add two middlewares that do nothing: the cost of the mechanism, not of what it does."""
    for _ in range(2):

        @app.middleware("http")
        async def noop(request: Request, call_next):
            return await call_next(request)

    return app


def benchmark(settings, requests: int = 1_000) -> list[dict]:
    """The figure for `make bench`: requests per second, bare vs metrics and tracing."""
    logging.getLogger("logging_requests").setLevel(logging.WARNING)  # the access log in neither
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
        noop = TestClient(with_noop_middlewares(create_app(shop)))
        clients = {"bare": bare, "noop": noop, "observed": observed}
        for client in clients.values():
            client.get("/products/KB-01")  # warm each; the first also fills the cache
        rates = requests_per_second(clients, requests)
        with shop.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {shop.table}")
        shop.cache.delete(f"{shop.table}:KB-01")
        close_shop(shop)
    # metrics and tracing are two middleware layers: compare them with two that do nothing,
    # so the figure is what Prometheus and OpenTelemetry cost, not the mechanism
    pairs = [
        ("two no-op middlewares vs bare", "bare app", "bare", "2 no-op middlewares", "noop"),
        (
            "metrics + tracing vs two no-op middlewares",
            "2 no-op middlewares",
            "noop",
            "metrics + tracing",
            "observed",
        ),
    ]
    return [
        {
            "name": f"a cached product request: {name}",
            "baseline_label": baseline_label,
            "baseline": round(rates[baseline]),
            "measured_label": measured_label,
            "measured": round(rates[measured]),
            "unit": "requests/s",
            "ratio": round(rates[measured] / rates[baseline], 2),
        }
        for name, baseline_label, baseline, measured_label, measured in pairs
    ]


def main() -> None:
    import course

    settings = course.require("postgres", "redis")
    print("Measuring on this machine, 300 requests per round, median of 5 rounds ...")
    for number, figure in enumerate(benchmark(settings, requests=300), start=1):
        print(f"{number}. {figure['name']}")
        print(
            f"   {figure['baseline_label']}: {figure['baseline']:,} {figure['unit']}; "
            f"{figure['measured_label']}: {figure['measured']:,} {figure['unit']} "
            f"(ratio {figure['ratio']})"
        )
    print("Conclusion: each middleware layer and each span costs a little on every request;")
    print("TestClient's in-process transport adds its own cost, which dilutes every ratio;")
    print("measure it on your app before deciding what to record, and sample traces in production.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
