"""Metrics and traces of the lesson's app, shown together: RED metrics, p99, spans, trace ids.

Running it builds the app over the course's PostgreSQL and Redis with a Prometheus registry
and an OpenTelemetry tracer provider of its own, sends 200 product requests and 10 slow rate
requests, then prints: the `/metrics` lines of one route, the p50 and p99 read from the
histogram (as PromQL's `histogram_quantile` would), an alert rule on the error rate, one
request's trace as a tree of spans, and that request's log lines, all with its trace id.
"""

from __future__ import annotations

import io
import json
import logging
import secrets

from errors_faults import FaultyUpstream
from fastapi.testclient import TestClient
from logging_app import create_app
from logging_shop import Shop, close_shop, make_shop
from logging_structured import json_handler
from monitoring_metrics import ALERT_RULE, cumulative_buckets, quantile_from_buckets
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from tracing_setup import make_tracer_provider, span_tree


def traced_shop_app(database_url: str, redis_url: str, upstream_url: str, **shop_options):
    """Build a shop and an app with metrics and traces; return (client, shop, registry, spans)."""
    registry, exporter = CollectorRegistry(), InMemorySpanExporter()
    provider = make_tracer_provider(exporter)
    shop: Shop = make_shop(
        database_url, redis_url, upstream_url, tracer=provider.get_tracer("shop"), **shop_options
    )
    shop.create_schema()
    shop.add_product("KB-01", "Keyboard", 4999)
    app = create_app(shop, registry=registry, tracer_provider=provider)
    return TestClient(app), shop, registry, exporter


def main() -> None:
    import course

    settings = course.require("postgres", "redis")
    output = io.StringIO()
    root = logging.getLogger()
    root.addHandler(json_handler(output))
    root.setLevel(logging.INFO)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    with FaultyUpstream(mode="slow", delay=0.3) as upstream:
        client, shop, registry, exporter = traced_shop_app(
            settings.database_url,
            settings.redis_url,
            upstream.url,
            table=f"obs_products_{secrets.token_hex(4)}",
            timeout=1.0,
        )
        for _ in range(200):
            client.get("/products/KB-01")
        for _ in range(10):
            client.get("/rates/EUR")  # 0.3 s each: the tail of the latency distribution
        client.get("/products/NOPE")
        metrics_page = client.get("/metrics").text
        print("1. /metrics, the lines of GET /products/{sku}:")
        for line in metrics_page.splitlines():
            if 'route="/products/{sku}"' in line and ("_count" in line or "total" in line):
                print(f"   {line}")
        for route in ("/products/{sku}", "/rates/{currency}"):
            buckets = cumulative_buckets(registry, "GET", route)
            p50, p99 = (quantile_from_buckets(buckets, q) * 1000 for q in (0.5, 0.99))
            print(f"2. {route}: p50 ≈ {p50:.1f} ms, p99 ≈ {p99:.1f} ms (from the buckets)")
        print("3. An alert rule on the error rate (Prometheus rule file):")
        print("   " + ALERT_RULE.replace("\n", "\n   ").rstrip())
        shop.cache.delete(f"{shop.table}:KB-01")  # a cache miss: both stores in one trace
        print("4. One request's trace (cache miss: Redis, then PostgreSQL):")
        exporter.clear()
        output.seek(0)
        output.truncate()
        client.get("/products/KB-01", headers={"X-Request-ID": "demo-trace-0002"})
        for line in span_tree(list(exporter.get_finished_spans())):
            print(f"   {line}")
        print("5. Its log lines, each with the trace id:")
        for line in output.getvalue().splitlines():
            record = json.loads(line)
            print(
                f"   {record['message']!r} request_id={record['request_id']} "
                f"trace_id={record.get('trace_id', '-')}"
            )
        with shop.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {shop.table}")
        close_shop(shop)
    print("Conclusion: metrics say how much and how fast (RED), traces say where the time went")
    print("in one request, logs say what happened; the trace id joins traces to logs.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
