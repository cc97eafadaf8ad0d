"""A load generator: a fixed number of concurrent clients hit one URL for a fixed time.

It runs in its own process (`run_load` starts `python api_load.py URL...`), so its CPU use
is not the server's, and it is bounded twice: by `--seconds` and by a request budget. It
prints one JSON line per URL: requests, errors, requests per second, and the 50th and 90th
percentile latencies (null without a sample). Only ever point it at your own machine.

It is a closed loop, like most simple generators: each client sends its next request only
when the last one is answered. So under load the latency it reports is mostly time spent
queueing (median = clients / throughput, Little's law), and a stall delays the next sends
instead of being counted against them ("coordinated omission"): the tail it shows is kinder
than what clients arriving at a fixed rate would see (wrk2 and `oha -q` send on a schedule).
Run it with `--concurrency 1` for the service time of one request alone.

    python 04-api/api_load.py http://127.0.0.1:8000/health --seconds 2 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2

MAX_SECONDS = 60.0  # no run lasts longer, whatever it is asked


@dataclass(frozen=True)
class LoadResult:
    """What one run measured."""

    url: str
    concurrency: int
    seconds: float
    requests: int
    errors: int
    requests_per_second: float
    p50_ms: float | None  # None: no request succeeded, so there is no latency to report
    p90_ms: float | None  # not p99: 2 s of a slow endpoint is ~100 samples, p99 would be one


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the values fall (nearest rank); None if none."""
    if not sorted_values:
        return None
    rank = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


async def generate(url: str, *, seconds: float, concurrency: int, max_requests: int) -> LoadResult:
    """Keep `concurrency` requests in flight until the time or the request budget runs out."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(timeout=10, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + min(seconds, MAX_SECONDS)

        async def one_client() -> None:
            nonlocal errors, issued
            while time.perf_counter() < deadline and issued < max_requests:
                issued += 1
                sent = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code < 400
                except httpx2.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors += 1

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        url=url,
        concurrency=concurrency,
        seconds=round(elapsed, 3),
        requests=len(latencies),
        errors=errors,
        requests_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=milliseconds(percentile(latencies, 0.50)),
        p90_ms=milliseconds(percentile(latencies, 0.90)),
    )


def milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def run_load(
    urls: list[str], *, seconds: float, concurrency: int, warm_up: float = 0.0, repeats: int = 1
) -> list[LoadResult]:
    """Load each URL in turn, `repeats` rounds, from one separate process; every run's result."""
    command = [
        *(sys.executable, str(Path(__file__).resolve()), *urls, "--seconds", str(seconds)),
        *("--concurrency", str(concurrency), "--warm-up", str(warm_up)),
        *("--repeats", str(repeats)),
    ]
    budget = (seconds + warm_up + 10) * len(urls) * repeats + 30  # a hang is a failure too
    finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=budget)
    if finished.returncode != 0:
        raise RuntimeError(f"the load generator failed: {finished.stderr.strip()}")
    return [LoadResult(**json.loads(line)) for line in finished.stdout.splitlines()]


async def generate_each(
    urls: list[str], *, seconds: float, concurrency: int, warm_up: float, repeats: int = 1
) -> None:
    """Warm up, then measure, each URL in turn, `repeats` times; one JSON line per run."""
    # rounds, not one URL three times in a row: a slow minute on a shared machine then
    # lowers every scenario's figure in that round, not one scenario's
    for _round in range(repeats):
        for url in urls:
            if warm_up > 0:  # open the pools, fill the cache: the run measures the steady state
                await generate(url, seconds=warm_up, concurrency=concurrency, max_requests=10_000)
            result = await generate(
                url, seconds=seconds, concurrency=concurrency, max_requests=10**6
            )
            print(json.dumps(asdict(result)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", metavar="URL", help="measured one after the other")
    parser.add_argument("--seconds", type=float, default=2.0, help="per URL")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warm-up", type=float, default=0.0, help="untimed seconds first")
    parser.add_argument("--repeats", type=int, default=1, help="rounds over every URL (1-10)")
    arguments = parser.parse_args()
    if not arguments.urls:  # `make run` runs every script bare: say how to use this one
        parser.print_help()
        return
    if any(
        urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"} for url in arguments.urls
    ):
        parser.exit(2, "error: the load generator only targets this machine (127.0.0.1)\n")
    if not 1 <= arguments.concurrency <= 256 or not 0 < arguments.seconds <= MAX_SECONDS:
        parser.exit(2, f"error: --concurrency must be 1-256, --seconds 0-{MAX_SECONDS:.0f}\n")
    if not 1 <= arguments.repeats <= 10:
        parser.exit(2, "error: --repeats must be 1-10\n")
    asyncio.run(
        generate_each(
            arguments.urls,
            seconds=arguments.seconds,
            concurrency=arguments.concurrency,
            warm_up=min(arguments.warm_up, MAX_SECONDS),
            repeats=arguments.repeats,
        )
    )


if __name__ == "__main__":
    main()
