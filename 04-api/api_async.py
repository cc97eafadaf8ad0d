"""Async endpoints, and THE MISTAKE that freezes them: a blocking call inside `async def`.

An `async def` endpoint runs on the event loop itself. If it calls a blocking driver (a
sync SQLAlchemy engine, `time.sleep`, `requests`), the whole loop stops until the call
returns: every other request, the health check included, waits in line. Three endpoints run
the same 50 ms query (`pg_sleep`) for 20 concurrent requests:

- `async def` + the sync engine (WRONG): one request at a time;
- plain `def` + the sync engine: FastAPI runs it in a thread pool, so they overlap;
- `async def` + async SQLAlchemy (psycopg's async mode): they overlap on one thread.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

import course

QUERY = text("SELECT pg_sleep(:seconds)")
ENDPOINTS = ("blocking", "threaded", "async")


class InFlight:
    """Counts requests inside the handler now, and the most there ever were at once."""

    def __init__(self) -> None:
        self.now, self.most, self.lock = 0, 0, threading.Lock()

    @contextmanager
    def track(self) -> Iterator[None]:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            yield
        finally:
            with self.lock:
                self.now -= 1


def create_demo_app(database_url: str, *, query_seconds: float, pool_size: int) -> FastAPI:
    """The three endpoints, on a sync and an async engine with room for every request."""
    sync_engine = create_engine(database_url, pool_size=pool_size)
    async_engine = create_async_engine(database_url, pool_size=pool_size)
    app = FastAPI()
    app.state.in_flight = InFlight()
    app.state.engines = (sync_engine, async_engine)
    parameters = {"seconds": query_seconds}

    @app.get("/blocking")
    async def blocking() -> dict[str, str]:
        with app.state.in_flight.track(), sync_engine.connect() as connection:
            connection.execute(QUERY, parameters)  # WRONG: blocks the event loop
        return {"done": "blocking"}

    @app.get("/threaded")
    def threaded() -> dict[str, str]:  # plain def: FastAPI runs it in its thread pool
        with app.state.in_flight.track(), sync_engine.connect() as connection:
            connection.execute(QUERY, parameters)
        return {"done": "threaded"}

    @app.get("/async")
    async def non_blocking() -> dict[str, str]:
        with app.state.in_flight.track():
            async with async_engine.connect() as connection:
                await connection.execute(QUERY, parameters)  # the loop serves others meanwhile
        return {"done": "async"}

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def measure(
    app: FastAPI, endpoint: str, requests: int, ping_after: float
) -> dict[str, float]:
    """Send `requests` concurrent requests and a ping; the seconds and the overlap seen."""
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://demo") as client:
        # warm-up, untimed: every pooled connection opened, so the run measures only waiting
        await asyncio.gather(*(client.get(f"/{endpoint}") for _ in range(requests)))
        app.state.in_flight = InFlight()

        started = time.perf_counter()

        async def timed_ping() -> float:
            due = started + ping_after  # meant to go out while the slow requests run
            await asyncio.sleep(due - time.perf_counter())  # a blocked loop wakes it late
            await client.get("/ping")
            return time.perf_counter() - due

        *responses, ping_seconds = await asyncio.gather(
            *(client.get(f"/{endpoint}") for _ in range(requests)), timed_ping()
        )
        total = time.perf_counter() - started
    assert all(response.status_code == 200 for response in responses)  # nosec B101  # the demo's self-check
    return {"seconds": total, "ping_seconds": ping_seconds, "most": app.state.in_flight.most}


async def measure_all(
    database_url: str, *, requests: int = 20, query_seconds: float = 0.05, repeats: int = 1
) -> dict[str, dict[str, float]]:
    """Each endpoint's figures (the median of `repeats` runs, and their range), in one run."""
    app = create_demo_app(database_url, query_seconds=query_seconds, pool_size=requests)
    try:
        figures = {}
        for endpoint in ENDPOINTS:
            runs = [
                await measure(app, endpoint, requests, ping_after=query_seconds * 2)
                for _ in range(repeats)
            ]
            seconds = sorted(run["seconds"] for run in runs)
            figures[endpoint] = {
                "seconds": statistics.median(seconds), "low": seconds[0], "high": seconds[-1],
                "ping_seconds": statistics.median(run["ping_seconds"] for run in runs),
                "most": max(run["most"] for run in runs),
            }  # fmt: skip
        return figures
    finally:
        sync_engine, async_engine = app.state.engines
        sync_engine.dispose()
        await async_engine.dispose()


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: 20 concurrent 50 ms queries, each the median of 5 runs."""
    figures = asyncio.run(measure_all(settings.database_url, repeats=5))
    blocking, threaded, non_blocking = (figures[name]["seconds"] * 1000 for name in ENDPOINTS)
    return [
        {"name": "20 concurrent requests, each a 50 ms query", "baseline_label":
         "async def + sync engine (blocks the loop)", "baseline": round(blocking, 1),
         "measured_label": "async def + async engine", "measured": round(non_blocking, 1),
         "unit": "ms", "ratio": round(blocking / non_blocking, 1)},
        {"name": "20 concurrent requests, each a 50 ms query", "baseline_label":
         "async def + sync engine (blocks the loop)", "baseline": round(blocking, 1),
         "measured_label": "def + sync engine (thread pool)", "measured": round(threaded, 1),
         "unit": "ms", "ratio": round(blocking / threaded, 1)},
    ]  # fmt: skip


def main() -> None:
    settings = course.require("postgres")
    print("1. Twenty concurrent requests, each running a 50 ms query (pg_sleep), per endpoint")
    print(f"   (median of 5 runs, their range in brackets; load now: {os.getloadavg()[0]:.1f}):")
    figures = asyncio.run(measure_all(settings.database_url, repeats=5))
    for name in ENDPOINTS:
        figure = figures[name]
        spread = f"[{figure['low'] * 1000:.0f}-{figure['high'] * 1000:.0f}]"
        print(f"   {name:>8}: {figure['seconds'] * 1000:7.1f} ms {spread} in all; at most"
              f" {figure['most']:2.0f} request(s) in the handler at once; a ping meanwhile"
              f" took {figure['ping_seconds'] * 1000:6.1f} ms")  # fmt: skip
    ratio = figures["blocking"]["seconds"] / figures["async"]["seconds"]
    print(f"2. The blocking endpoint took {ratio:.1f}x as long as the async one: about the number")
    print("   of requests, by construction (20 queries one after another vs 20 at once). It held")
    print("   the ping (a health check, a login...) behind every blocked query. Threaded and")
    print("   async are close; either may win: the point is blocking vs not blocking.")
    print("Conclusion: in `async def`, await everything slow; a blocking library belongs in")
    print("a plain `def` endpoint (the thread pool) or behind `run_in_threadpool`.")


if __name__ == "__main__":
    course.script_arguments()
    main()
