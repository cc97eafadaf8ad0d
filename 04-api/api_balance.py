"""Two instances of the API on two ports, and a client that spreads requests over them.

What a load balancer does (nginx in `docker-compose.yml`), done in the client so it runs
without Docker: round-robin over the instances, and when one does not answer, the request
goes to the next and the dead one is left out for a while. It works only because the app
is stateless: the books are in PostgreSQL, the rate-limit counters and the cache in Redis,
so any instance gives the same answer. Run it: `python 04-api/api_balance.py`.
"""

from __future__ import annotations

import itertools
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace

import httpx2
from api_samples import SAMPLE_BOOK
from api_serve_process import ServerProcess, running_server
from api_serve_settings import ServeSettings, environment_of

logger = logging.getLogger(__name__)

IDEMPOTENT = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}  # safe to send again elsewhere


class NoInstanceAnswered(RuntimeError):
    """Every instance is down (or was left out after failing)."""


class SpreadingClient:
    """Round-robin over `base_urls`; an instance that fails to answer sits out `cooldown`."""

    def __init__(
        self,
        base_urls: Sequence[str],
        *,
        timeout: float = 2.0,
        cooldown_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_urls = list(base_urls)
        self.http = httpx2.Client(timeout=timeout)
        self.cooldown, self.clock = cooldown_seconds, clock
        self.down_until: dict[str, float] = {}
        self.turn = itertools.cycle(range(len(self.base_urls)))
        self.served: Counter[str] = Counter()  # which instance answered how many requests

    def request(self, method: str, path: str, **options) -> httpx2.Response:
        """Send to the next live instance; on a connection failure, try the others in turn."""
        start = next(self.turn)
        order = self.base_urls[start:] + self.base_urls[:start]
        for base_url in order:
            if self.down_until.get(base_url, 0.0) > self.clock():
                continue
            try:
                response = self.http.request(method, base_url + path, **options)
            except httpx2.ConnectError:  # refused: the request never reached it, always safe
                self.leave_out(base_url)
                continue
            except httpx2.TransportError:  # sent, then lost: it may have run; only if idempotent
                self.leave_out(base_url)
                if method.upper() in IDEMPOTENT:
                    continue
                raise
            self.served[base_url] += 1
            return response
        raise NoInstanceAnswered(f"none of {len(self.base_urls)} instances answered {path}")

    def leave_out(self, base_url: str) -> None:
        """Skip this instance until its cool-down ends (a passive health check)."""
        logger.warning("%s did not answer; left out for %s s", base_url, self.cooldown)
        self.down_until[base_url] = self.clock() + self.cooldown

    def close(self) -> None:
        self.http.close()


@contextmanager
def two_instances(
    settings: ServeSettings, framework: str = "fastapi"
) -> Iterator[list[ServerProcess]]:
    """Two processes of the same app, same settings, two ports."""
    with ExitStack() as stack:
        environment = environment_of(settings)
        yield [
            stack.enter_context(running_server(framework, workers=1, environment=environment))
            for _ in range(2)
        ]


def main() -> None:
    from api_models import create_schema, make_engine
    from api_serve_settings import settings_from_environment

    import course
    from course.sandbox import temporary_postgres_database, unique_name

    logging.basicConfig(level=logging.ERROR)
    course.require("postgres", "redis")
    base = settings_from_environment()
    with temporary_postgres_database(course.get_settings(), prefix="demo_balance") as url:
        engine = make_engine(url)
        create_schema(engine)
        engine.dispose()
        api = replace(
            base.api, database_url=url, redis_prefix=f"{unique_name('lb')}:", rate_limit=20
        )
        with two_instances(replace(base, api=api)) as (first, second):
            run_demo(first, second)


def run_demo(first: ServerProcess, second: ServerProcess) -> None:
    client = SpreadingClient([first.base_url, second.base_url])
    print(f"1. Two instances: {first.base_url} and {second.base_url} (uvicorn, FastAPI)")
    created = client.request("POST", "/api/v1/books", json=SAMPLE_BOOK).json()
    answers = {client.request("GET", f"/api/v1/books/{created['id']}").text for _ in range(4)}
    print(
        f"   a book created through one, read 4 times through both: {len(answers)} distinct answer"
    )
    statuses = [client.request("GET", "/api/v1/books").status_code for _ in range(20)]
    print(f"2. Rate limit 20 a minute, one count in Redis; 25 requests in all, the last three:"
          f" {statuses[-3:]}")  # fmt: skip
    print(f"   served so far: {dict(client.served)}")
    second.stop(signal.SIGKILL)
    client.served.clear()
    codes = Counter(client.request("GET", "/health").status_code for _ in range(6))
    print(f"3. {second.base_url} killed (SIGKILL); 6 more GET /health (not rate-limited):"
          f" {dict(codes)}, served by {dict(client.served)}")  # fmt: skip
    print("Conclusion: keep state out of the process (PostgreSQL, Redis) and any instance can")
    print("answer; a balancer that skips a dead instance turns a crash into a slower minute.")
    client.close()


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
