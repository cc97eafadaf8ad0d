"""Throughput measured: the same list endpoint under gunicorn (Flask) and uvicorn (FastAPI).

Two real servers on a temporary database of 2,000 books, each with 2 worker processes; the
load generator (`api_load.py`) runs in its own process with 16 concurrent clients for 2 s
per endpoint, in 3 rounds over every endpoint (the median and the spread are printed), then
once with a single client (the service time, without queueing):

1. `/health` on each server: the ceiling of that server (and of this generator);
2. `GET /api/v1/books`, a page of 20 from PostgreSQL: Flask sync workers; FastAPI's `def`
   endpoint (thread pool); the same page in `async def` with async SQLAlchemy;
3. part 1's event-loop mistake under real load: `async def` + a sync driver vs the async one;
4. the author report, fresh from PostgreSQL vs cached in Redis.

The generator is a closed loop (see `api_load.py`): with 16 clients the latencies are
mostly queueing, so they restate the throughput; the single-client p50 is the request's own
time, except under uvicorn with several workers, where each kept-alive response also waits
for the client's delayed ACK (~40 ms, uvicorn issue #3149): FastAPI's "alone" figures are
not service times. gunicorn's sync workers close the connection after every response, so
each Flask request also pays for a new TCP connection, and the uvicorn rows do not.
`/bench/books` (async) is mounted outside `/api/`: it skips the rate limit's Redis count and
the response model that `GET /api/v1/books` pays for, so that pair is not the same request.
The machine is shared by the servers, the database and the generator: the absolute numbers
are this machine's, the ratios are the lesson. Run it: `python 04-api/api_load_bench.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from api_load import run_load
from api_load_stats import Measured, answered, figure, ratio, ratio_range
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
REPEATS = 3  # rounds over every scenario: a median and a spread, not one lucky run


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
    Scenario("flask-list", "flask", "/api/v1/books", f"Flask ({GUNICORN}, new connections)"),
    Scenario("fastapi-health", "fastapi", "/health", f"FastAPI /health ({UVICORN})"),
    Scenario("fastapi-list", "fastapi", "/api/v1/books", f"FastAPI def, thread pool ({UVICORN})"),
    Scenario("fastapi-async", "fastapi", "/bench/books", f"FastAPI async, no limit ({UVICORN})"),
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
    repeats: int = REPEATS,
) -> dict[str, Measured]:
    """Every scenario, measured the same way: same warm-up, same rounds, same generator."""
    with servers(settings, books, workers) as urls:
        targets = [urls[scenario.framework] + scenario.path for scenario in SCENARIOS]
        loaded = run_load(
            targets, seconds=seconds, concurrency=concurrency, warm_up=seconds / 4, repeats=repeats
        )
        alone = run_load(targets, seconds=seconds / 2, concurrency=1, warm_up=seconds / 8)
    measured = {}
    for n, scenario in enumerate(SCENARIOS):
        runs = loaded[n :: len(SCENARIOS)]  # this scenario's run in each round
        measured[scenario.key] = answered(scenario.key, Measured(runs, alone[n]))
    return measured


def labels(workers: int) -> dict[str, str]:
    """Each scenario's label, with the worker count it ran with."""
    return {scenario.key: scenario.label.format(workers=workers) for scenario in SCENARIOS}


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
    return [figure(results, *comparison, labels(workers)) for comparison in COMPARISONS]


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = course.require("postgres", "redis")
    print(f"Two servers, {WORKERS} processes each, 2,000 books; 16 closed-loop clients, 2 s per"
          f" endpoint, {REPEATS} rounds (median, min-max); then 1 client alone:")  # fmt: skip
    results = measure(settings)
    label = labels(WORKERS)
    for number, scenario in enumerate(SCENARIOS, 1):
        got = results[scenario.key]
        rates = [run.requests_per_second for run in got.runs]
        print(f"{number:2}. {label[scenario.key]:<52} {got.rate:6.1f} req/s ({min(rates):.1f}-"
              f"{max(rates):.1f})  p50/p90 {got.p50_ms:5.1f}/{got.p90_ms:5.1f} ms;"
              f" alone p50 {got.alone.p50_ms:5.1f} ms")  # fmt: skip
    if WORKERS > 1:
        print("(uvicorn with several workers: each alone figure includes ~40 ms of delayed ACK)")
    print("Ratios (median requests per second, measured / baseline; lowest-highest round):")
    for name, baseline, measured in COMPARISONS:
        low, high = ratio_range(results, baseline, measured)
        print(f"   {name}: {measured} / {baseline} = {ratio(results, baseline, measured):.2f}x"
              f" ({low:.2f}-{high:.2f})")  # fmt: skip
    print("Conclusion: the framework matters less than what a request waits for; a blocked")
    print("event loop serves one request at a time, and a cache hit skips the database.")


if __name__ == "__main__":
    course.script_arguments()
    main()
