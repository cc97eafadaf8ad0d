"""Traces with OpenTelemetry: one span per request, child spans for PostgreSQL, Redis and HTTP.

Running it sends two requests to the lesson's app with an in-memory span exporter (the SDK's
own tool for tests; production would configure an OTLP exporter to a collector) and prints
each trace as a tree: the request's server span, and under it the Redis and PostgreSQL spans.
Every JSON log line written inside the request carries the same `trace_id`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from monitoring_metrics import bounded_method
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter


def make_tracer_provider(exporter: SpanExporter, service_name: str = "shop") -> TracerProvider:
    """Return a provider of this app's own (not the global one) that exports every span."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    # Simple: export at once, in the caller's thread (tests, demos); BatchSpanProcessor in
    # production, which exports from a background thread in batches
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


class TraceIdFilter(logging.Filter):
    """Add `trace_id` and `span_id` to a record made inside a span (and nothing outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid and not hasattr(record, "trace_id"):
            record.trace_id = format(context.trace_id, "032x")  # the W3C traceparent form
            record.span_id = format(context.span_id, "016x")
        return True


def install_tracing(app: FastAPI, provider: TracerProvider) -> None:
    """Wrap each request in a server span, continuing a trace the caller started."""
    tracer = provider.get_tracer("shop.http")

    @app.middleware("http")
    async def traced(request: Request, call_next):
        # a `traceparent` header from the caller makes this span a child of the caller's
        parent = propagate.extract(dict(request.headers))
        method = bounded_method(request.method)
        name = "HTTP" if method == "_OTHER" else method  # the conventions' name for _OTHER
        with tracer.start_as_current_span(name, context=parent, kind=trace.SpanKind.SERVER) as span:
            span.set_attribute("http.request.method", method)
            span.set_attribute("url.path", request.url.path)
            response = await call_next(request)
            route = getattr(request.scope.get("route"), "path", None)
            if route:
                span.update_name(f"{name} {route}")  # low cardinality: the template
                span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(trace.StatusCode.ERROR)
            return response


def span_tree(spans: list[ReadableSpan]) -> list[str]:
    """Return one line per span, indented under its parent, in start order."""
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(spans, key=lambda each: each.start_time or 0):
        parent = span.parent.span_id if span.parent else None
        children.setdefault(parent, []).append(span)
    known = {span.context.span_id for span in spans}
    roots = [span for key, group in children.items() if key not in known for span in group]
    lines: list[str] = []

    def walk(span: ReadableSpan, depth: int) -> None:
        took_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
        lines.append(f"{'  ' * depth}{span.name} ({took_ms:.1f} ms)")
        for child in children.get(span.context.span_id, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return lines
