"""Metrics by route template and status, p99 from buckets, and traces joined to the log lines."""

import math
import secrets

import pytest
from errors_faults import FaultyUpstream
from logging_shop import close_shop
from monitoring_chart import bucket_counts, histogram_svg
from monitoring_demo import traced_shop_app
from monitoring_metrics import cumulative_buckets, quantile_from_buckets


def test_a_quantile_is_interpolated_inside_its_bucket_as_promql_does():
    buckets = [(0.1, 50.0), (0.2, 90.0), (0.5, 100.0), (math.inf, 100.0)]
    assert quantile_from_buckets(buckets, 0.5) == pytest.approx(0.1)
    assert quantile_from_buckets(buckets, 0.7) == pytest.approx(0.15)
    assert quantile_from_buckets(buckets, 0.99) == pytest.approx(0.2 + 0.3 * 0.9)
    assert math.isnan(quantile_from_buckets([(math.inf, 0.0)], 0.99))


def test_the_histogram_is_drawn_with_one_bar_per_bucket():
    buckets = [(0.005, 3.0), (0.01, 5.0), (math.inf, 6.0)]
    assert bucket_counts(buckets) == [("≤5 ms", 3.0), ("≤10 ms", 2.0), ("+Inf", 1.0)]
    svg = histogram_svg(buckets, "latency")
    assert svg.startswith("<svg") and svg.count("<rect") == 3


@pytest.fixture
def traced(shop_database_url, redis_url):
    with FaultyUpstream() as upstream:
        client, shop, registry, exporter = traced_shop_app(
            shop_database_url,
            redis_url,
            upstream.url,
            table=f"products_{secrets.token_hex(3)}",
            timeout=0.5,
        )
        yield client, shop, registry, exporter
        close_shop(shop)


def test_requests_are_counted_by_route_template_and_status(traced):
    client, _shop, registry, _exporter = traced
    for sku in ("KB-01", "KB-01", "NOPE"):
        client.get(f"/products/{sku}")
    client.get("/boom")
    client.get("/no/such/path")
    page = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/products/{sku}",status="200"} 2.0' in page
    assert 'http_requests_total{method="GET",route="/products/{sku}",status="404"} 1.0' in page
    assert 'http_requests_total{method="GET",route="/boom",status="500"} 1.0' in page
    assert 'route="unmatched",status="404"' in page, "unknown paths share one label"
    assert "http_requests_in_flight 1.0" in page  # only the /metrics request itself
    buckets = cumulative_buckets(registry, "GET", "/products/{sku}")
    assert buckets[-1] == (math.inf, 3.0)


def test_a_made_up_method_is_counted_and_traced_as_other(traced):
    client, _shop, _registry, exporter = traced
    for number in range(3):
        client.request(f"M{number}", "/no/such/path")  # any token is a valid method on the wire
    page = client.get("/metrics").text
    assert 'http_requests_total{method="_OTHER",route="unmatched",status="404"} 3.0' in page
    assert 'method="M0"' not in page
    names = {span.name for span in exporter.get_finished_spans()}
    assert "HTTP" in names and not any(name.startswith("M0") for name in names)


def test_one_trace_spans_the_request_redis_and_postgres_and_is_in_every_log_line(
    traced, json_lines
):
    client, _shop, _registry, exporter = traced
    response = client.get("/products/KB-01")  # a cache miss: Redis, then PostgreSQL
    spans = {span.name: span for span in exporter.get_finished_spans()}
    server = spans["GET /products/{sku}"]
    assert {"redis GET", "SELECT products"} <= set(spans)
    for name in ("redis GET", "SELECT products"):
        assert spans[name].parent.span_id == server.context.span_id
        assert spans[name].context.trace_id == server.context.trace_id
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["request.id"] == response.headers["x-request-id"]
    trace_id = format(server.context.trace_id, "032x")
    lines = [
        line for line in json_lines() if line["request_id"] == response.headers["x-request-id"]
    ]
    assert lines and all(line["trace_id"] == trace_id for line in lines)


def test_a_callers_traceparent_is_continued(traced):
    client, _shop, _registry, exporter = traced
    caller_trace = secrets.token_hex(16)
    client.get("/products/KB-01", headers={"traceparent": f"00-{caller_trace}-{'1' * 16}-01"})
    server = next(s for s in exporter.get_finished_spans() if s.name.startswith("GET"))
    assert format(server.context.trace_id, "032x") == caller_trace


def test_the_trace_is_sent_on_to_the_upstream_in_traceparent(shop_database_url, redis_url):
    with FaultyUpstream() as upstream:
        client, shop, _registry, exporter = traced_shop_app(
            shop_database_url,
            redis_url,
            upstream.url,
            table=f"products_{secrets.token_hex(3)}",
            timeout=0.5,
        )
        assert client.get("/rates/EUR").status_code == 200
        close_shop(shop)
    spans = {span.name: span for span in exporter.get_finished_spans()}
    outgoing = spans["GET rates"]
    assert outgoing.kind.name == "CLIENT"
    trace_id = format(outgoing.context.trace_id, "032x")
    span_id = format(outgoing.context.span_id, "016x")
    [request] = upstream.raw_requests
    assert f"traceparent: 00-{trace_id}-{span_id}-".encode() in request.lower()  # then flags


def test_a_failed_request_marks_its_span_as_an_error(traced):
    client, _shop, _registry, exporter = traced
    client.get("/boom")
    server = next(s for s in exporter.get_finished_spans() if s.name == "GET /boom")
    assert server.status.status_code.name == "ERROR"


def test_the_overhead_benchmark_returns_a_well_formed_figure(settings):
    from monitoring_bench import benchmark

    from course.bench import validate_figures

    mechanism, observed = validate_figures(
        benchmark(settings, requests=5), "monitoring_bench:benchmark"
    )
    assert mechanism["baseline_label"] == "bare app"
    assert observed["baseline_label"] == mechanism["measured_label"] == "2 no-op middlewares"
    assert observed["unit"] == "requests/s" and observed["baseline"] > 0
