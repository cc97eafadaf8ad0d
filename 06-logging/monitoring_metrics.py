"""Prometheus metrics with prometheus-client: requests, latency histograms, in-flight, p99.

Running it sends 300 requests to the lesson's app (a few slow, a few failing), then prints
the `/metrics` page's lines for one route, the p50 and p99 latencies estimated from the
histogram's buckets the way PromQL's `histogram_quantile` does, and an alert rule that would
page on the error rate. Each app gets its own `CollectorRegistry`: no global state.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# bucket upper bounds in seconds: dense where a healthy request lands, sparse in the tail
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

ALERT_RULE = """\
groups:
  - name: shop
    rules:
      - alert: HighErrorRate
        # RED: the share of requests answered 5xx over five minutes, per route
        expr: |
          sum by (route) (rate(http_requests_total{status=~"5.."}[5m]))
            / sum by (route) (rate(http_requests_total[5m])) > 0.05
        for: 10m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.route }}: more than 5% of requests fail"}
"""

# a client may send any token as a method; each new one would add a dozen series, so an
# unknown method is counted as `_OTHER`, as OpenTelemetry's HTTP conventions prescribe
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def bounded_method(method: str) -> str:
    """Return the method if it is a known one, else `_OTHER`: a label takes a bounded set."""
    return method if method in KNOWN_METHODS else "_OTHER"


class HttpMetrics:
    """The RED metrics of an HTTP app (rate, errors, duration) and its in-flight requests."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        # labels are the route *template* and the status: a bounded set (a raw path with an
        # id in it would make one time series per id and exhaust the metrics store)
        self.requests = Counter(
            "http_requests", "Requests answered", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "http_requests_in_flight", "Requests being answered now", registry=registry
        )


def install_metrics(app: FastAPI, registry: CollectorRegistry) -> HttpMetrics:
    """Count and time every request, and serve them all at GET /metrics."""
    metrics = HttpMetrics(registry)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        metrics.in_flight.inc()
        started = time.perf_counter()
        status = 500  # an exception that escapes is an error answer, counted as one
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            method = bounded_method(request.method)
            metrics.latency.labels(method, route).observe(elapsed)
            metrics.requests.labels(method, route, str(status)).inc()
            metrics.in_flight.dec()

    @app.get("/metrics", include_in_schema=False)
    def metrics_page() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


def cumulative_buckets(
    registry: CollectorRegistry, method: str, route: str
) -> list[tuple[float, float]]:
    """Return (upper bound, cumulative count) pairs of one route's latency histogram."""
    pairs = []
    for metric in registry.collect():
        for sample in metric.samples:
            labels = sample.labels
            if (
                sample.name == "http_request_duration_seconds_bucket"
                and labels.get("method") == method
                and labels.get("route") == route
            ):
                pairs.append((float(labels["le"]), sample.value))
    return sorted(pairs)


def quantile_from_buckets(buckets: list[tuple[float, float]], quantile: float) -> float:
    """Estimate a quantile from cumulative buckets, as PromQL's histogram_quantile does."""
    total = buckets[-1][1]  # the +Inf bucket counts every observation
    if total == 0:
        return float("nan")
    rank = quantile * total
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in buckets:
        if count >= rank:
            if upper_bound == float("inf"):
                return lower_bound  # PromQL returns the highest finite bound here
            # assume the observations are spread evenly inside the bucket
            return lower_bound + (upper_bound - lower_bound) * (rank - lower_count) / (
                count - lower_count
            )
        lower_bound, lower_count = upper_bound, count
    return lower_bound
