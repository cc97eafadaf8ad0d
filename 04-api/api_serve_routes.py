"""The routes running for real adds to part 1's apps: a cached report, and two for the demo.

    GET /api/v1/authors          the author report, cached in Redis for `cache_seconds`
    GET /api/v1/authors?fresh=1  straight from PostgreSQL (the benchmark's baseline; only
                                 with API_DEMO_ROUTES=1: in production, a lever around the cache)
    GET /demo/slow?seconds=0.5   a request that takes a while (only with API_DEMO_ROUTES=1)

The cache lives in Redis, not in the process: every instance behind the load balancer reads
the same entry, so the app stays stateless and two instances give the same answer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from api_jobs import author_report
from api_resources import Resources
from api_serve_settings import ServeSettings
from fastapi import FastAPI, Request
from flask import Flask, current_app, request
from sqlalchemy import text

logger = logging.getLogger(__name__)

MAX_SLOW_SECONDS = 5.0  # the demo route must not become a way to hold a worker forever


def cached_report(resources: Resources, cache_seconds: int, *, fresh: bool) -> dict[str, Any]:
    """The author report from Redis if cached (cache-aside), else from PostgreSQL, then cached."""
    key = f"{resources.settings.redis_prefix}cache:authors"
    if not fresh:
        try:
            hit = resources.redis.get(key)
        except redis.RedisError as error:  # a cache outage slows the API; it must not break it
            logger.warning("cache unavailable: %s", error)
            hit = None
        if hit is not None:
            return {"authors": json.loads(hit), "cached": True}
    with resources.sessions() as session:
        authors = author_report(session=session)
    try:
        resources.redis.set(key, json.dumps(authors), ex=max(cache_seconds, 1))
    except redis.RedisError as error:
        logger.warning("cache unavailable: %s", error)
    return {"authors": authors, "cached": False}


def slow_query(resources: Resources, seconds: float) -> dict[str, float]:
    """Hold a database connection for `seconds` (pg_sleep): an in-flight request to interrupt."""
    seconds = min(max(seconds, 0.0), MAX_SLOW_SECONDS)
    with resources.engine.connect() as connection:
        connection.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
    return {"slept": seconds}


def add_flask_serve_routes(app: Flask, settings: ServeSettings) -> None:
    """The cached report, and the demo route if enabled, on the Flask app."""

    @app.get("/api/v1/authors")
    def authors() -> dict[str, Any]:
        fresh = settings.demo_routes and request.args.get("fresh") == "1"
        return cached_report(current_app.extensions["api"], settings.cache_seconds, fresh=fresh)

    if settings.demo_routes:

        @app.get("/demo/slow")
        def slow() -> dict[str, float]:
            seconds = request.args.get("seconds", "0.5", type=float)
            return slow_query(current_app.extensions["api"], seconds)


def add_fastapi_serve_routes(app: FastAPI, settings: ServeSettings) -> None:
    """The cached report, and the demo route if enabled, on the FastAPI app."""

    @app.get("/api/v1/authors")
    def authors(request: Request, fresh: str = "") -> dict[str, Any]:
        resources = request.app.state.resources  # fresh read as Flask reads it: "1" or nothing
        fresh_wanted = settings.demo_routes and fresh == "1"
        return cached_report(resources, settings.cache_seconds, fresh=fresh_wanted)

    if settings.demo_routes:

        @app.get("/demo/slow")
        def slow(request: Request, seconds: float = 0.5) -> dict[str, float]:
            return slow_query(request.app.state.resources, seconds)
