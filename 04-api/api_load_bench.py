"""Throughput measured: the same list endpoint under gunicorn (Flask) and uvicorn (FastAPI).

Two real servers on a temporary database of 2,000 books, each with 2 worker processes; the
load generator (`api_load.py`) runs in its own process with 16 concurrent clients for 2 s
per endpoint, all in one run, so every ratio compares figures measured side by side:

1. `/health` on each server: the ceiling of that server (and of this generator);
2. `GET /api/v1/books`, a page of 20 from PostgreSQL: Flask sync workers; FastAPI's `def`
   endpoint (thread pool); the same page in `async def` with async SQLAlchemy;
3. part 1's event-loop mistake under real load: `async def` + a sync driver vs the async one;
4. the author report, fresh from PostgreSQL vs cached in Redis.

The machine is shared by the servers, the database and the generator: the absolute numbers
are this machine's, the ratios are the lesson. Run it: `python 04-api/api_load_bench.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from api_load import LoadResult, run_load
from api_models import Book, create_schema, make_engine
from api_serve_process import running_server
from api_serve_settings import ServeSettings, environment_of
from api_settings import ApiSettings
from sqlalchemy import insert

import course
from course.sandbox import temporary_postgres_database, unique_name

logger = logging.getLogger(__name__)

WORKERS = 2  # per server: one per core of a 2-core machine; gunicorn's advice is 2 x cores + 1
AUTHORS = 40


@dataclass(frozen=True)
class Scenario:
    """One endpoint of one server, measured under load."""

    key: str
    framework: str
    path: str
    label: str


GUNICORN = "gunicorn, {workers} sync workers"  # filled in with the worker count measured
UVICORN = "uvicorn, {workers} workers"
SCENARIOS = [
    Scenario("flask-health", "flask", "/health", f"Flask /health ({GUNICORN})"),
    Scenario("flask-list", "flask", "/api/v1/books", f"Flask ({GUNICORN})"),
    Scenario("fastapi-health", "fastapi", "/health", f"FastAPI /health ({UVICORN})"),
    Scenario("fastapi-list", "fastapi", "/api/v1/books", f"FastAPI def, thread pool ({UVICORN})"),
    Scenario("fastapi-async", "fastapi", "/bench/books", f"FastAPI async def ({UVICORN})"),
    Scenario("loop-blocking", "fastapi", "/loop/blocking", "async def + sync driver (WRONG)"),
    Scenario("loop-async", "fastapi", "/loop/async", "async def + async driver"),
    Scenario("report-fresh", "fastapi", "/api/v1/authors?fresh=1", "author report from PostgreSQL"),
    Scenario("report-cached", "fastapi", "/api/v1/authors", "author report cached in Redis"),
]  # fmt: skip


def seed(database_url: str, books: int) -> None:
    """Create the tables and `books` books by `AUTHORS` authors."""
    engine = make_engine(database_url)
    create_schema(engine)
    rows = [
        {"title": f"Book {n}", "author": f"Author {n % AUTHORS:02d}", "year": 1950 + n % 70,
         "price_cents": 500 + n % 3000, "version": 1}
        for n in range(books)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Book), rows)
    engine.dispose()


@contextmanager
def servers(settings: course.Settings, books: int, workers: int) -> Iterator[dict[str, str]]:
    """Both servers on a seeded temporary database; their base URLs by framework."""
    with temporary_postgres_database(settings, prefix="bench_api") as url, ExitStack() as stack:
        seed(url, books)
        api = ApiSettings(
            database_url=url,
            redis_url=settings.redis_url,
            redis_prefix=f"{unique_name('bench')}:",
            rate_limit=10**9,  # the generator is one client: no limit in its way
        )
        environment = environment_of(ServeSettings(api=api, cache_seconds=600, demo_routes=True))
        yield {
            framework: stack.enter_context(
                running_server(framework, workers=workers, environment=environment)
            ).base_url
            for framework in ("flask", "fastapi")
        }


def measure(
    settings: course.Settings,
    *,
    books: int = 2000,
    seconds: float = 2.0,
    concurrency: int = 16,
    workers: int = WORKERS,
) -> dict[str, LoadResult]:
    """Every scenario's result, measured in one run by one generator process."""
    with servers(settings, books, workers) as urls:
        targets = [urls[scenario.framework] + scenario.path for scenario in SCENARIOS]
        results = run_load(targets, seconds=seconds, concurrency=concurrency, warm_up=seconds / 4)
    return {scenario.key: result for scenario, result in zip(SCENARIOS, results, strict=True)}


def labels(workers: int) -> dict[str, str]:
    """Each scenario's label, with the worker count it ran with."""
    return {scenario.key: scenario.label.format(workers=workers) for scenario in SCENARIOS}


def figure(
    results: dict[str, LoadResult], name: str, baseline: str, measured: str, *, workers: int
) -> dict:
    """A `make bench` figure: requests per second, baseline vs measured, latencies in the name."""
    base, better = results[baseline], results[measured]
    label = labels(workers)
    latencies = f"p50/p99 ms {base.p50_ms}/{base.p99_ms} vs {better.p50_ms}/{better.p99_ms}"
    return {
        "name": f"{name}, {base.concurrency} clients ({latencies})",
        "baseline_label": label[baseline],
        "baseline": base.requests_per_second,
        "measured_label": label[measured],
        "measured": better.requests_per_second,
        "unit": "req/s",
        "ratio": round(ratio(results, baseline, measured), 2),
    }


def ratio(results: dict[str, LoadResult], baseline: str, measured: str) -> float:
    """Requests per second, measured over baseline."""
    return results[measured].requests_per_second / max(results[baseline].requests_per_second, 0.1)


COMPARISONS = [
    ("a page of 20 books", "flask-list", "fastapi-list"),
    ("a page of 20 books", "fastapi-list", "fastapi-async"),
    ("the ceiling vs the database-backed page (Flask)", "flask-list", "flask-health"),
    ("the ceiling vs the database-backed page (FastAPI)", "fastapi-list", "fastapi-health"),
    ("each request a 20 ms query", "loop-blocking", "loop-async"),
    ("the author report", "report-fresh", "report-cached"),
]


def benchmark(settings: course.Settings, workers: int = WORKERS, **sizes) -> list[dict]:
    """The figures for `make bench` (tests pass tiny sizes, and one worker per server)."""
    results = measure(settings, workers=workers, **sizes)
    return [figure(results, *comparison, workers=workers) for comparison in COMPARISONS]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = course.require("postgres", "redis")
    print(f"Two servers, {WORKERS} processes each, 2,000 books; 16 clients, 2 s per endpoint:")
    results = measure(settings)
    label = labels(WORKERS)
    for number, scenario in enumerate(SCENARIOS, 1):
        got = results[scenario.key]
        print(f"{number:2}. {label[scenario.key]:<52} {got.requests_per_second:7.1f} req/s  p50"
              f" {got.p50_ms:6.1f} ms  p99 {got.p99_ms:6.1f} ms  errors {got.errors}")  # fmt: skip
    print("Ratios (requests per second, measured / baseline):")
    for name, baseline, measured in COMPARISONS:
        print(f"   {name}: {measured} / {baseline} = {ratio(results, baseline, measured):.2f}x")
    print("Conclusion: the framework matters less than what a request waits for; a blocked")
    print("event loop serves one request at a time, and a cache hit skips the database.")


if __name__ == "__main__":
    main()
