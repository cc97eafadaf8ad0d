"""Pipelines and transactions in Redis: fewer round trips, and optimistic locking.

Run `python 01-database/redis_pipelines.py`. You will see 2,000 SETs sent one round trip at a
time and then in one pipeline, timed in the same run; then a points transfer done the wrong
way (GET then SET: a concurrent write is lost) and the right way (WATCH, MULTI, EXEC: the
concurrent write makes EXEC fail with WatchError, and the transfer retries on fresh values).
"""

from __future__ import annotations

import functools
import logging
import random
import statistics
import sys
import time
from collections.abc import Callable

import redis
from db_timing import alternating_ms

logger = logging.getLogger(__name__)


def set_one_by_one(client: redis.Redis, *, prefix: str, count: int) -> None:
    """SET `count` keys, each a separate round trip to the server."""
    for n in range(count):
        client.set(f"{prefix}:key:{n}", n)


def set_in_pipeline(client: redis.Redis, *, prefix: str, count: int) -> None:
    """SET `count` keys in one pipeline: the commands travel together, one round trip."""
    with client.pipeline(transaction=False) as pipe:
        for n in range(count):
            pipe.set(f"{prefix}:key:{n}", n)
        pipe.execute()


def measure_pipeline_speedup(
    client: redis.Redis, *, prefix: str, count: int = 2000, repeat: int = 3
) -> dict:
    """Time `count` SETs one by one and in a pipeline; return each side's median in ms."""
    client.ping()  # open the connection first: its handshake belongs to neither side
    runs = {
        "one_by_one": functools.partial(set_one_by_one, client, prefix=prefix, count=count),
        "pipeline": functools.partial(set_in_pipeline, client, prefix=prefix, count=count),
    }
    keys = [f"{prefix}:key:{n}" for n in range(count)]

    def delete_keys() -> None:  # untimed: every run creates its keys, none overwrites them
        client.delete(*keys)

    alternating_ms(runs, rounds=1, before_each=delete_keys)  # an untimed warm-up round
    # the order rotates every round, so a slow moment does not always hit the same side
    durations = alternating_ms(runs, rounds=repeat, before_each=delete_keys)
    return {f"{name}_ms": statistics.median(ms) for name, ms in durations.items()}


def transfer_naively(
    client: redis.Redis, *, source: str, target: str, amount: int, between: Callable = lambda: None
) -> None:
    """WRONG WAY: read, compute in Python, write; a write in between is overwritten."""
    balance = int(client.get(source))
    between()  # another client acts here, as it can in production
    client.set(source, balance - amount)
    client.incrby(target, amount)


def once(action: Callable) -> Callable:
    """Return a hook that runs `action` on its first call only."""
    calls = []

    def hook() -> None:
        if not calls:
            calls.append(action())

    return hook


class TransferContended(Exception):
    """The source balance kept changing under the transfer; it gave up after its attempts."""


def transfer(
    client: redis.Redis,
    *,
    source: str,
    target: str,
    amount: int,
    between: Callable = lambda: None,
    attempts: int = 5,
) -> int:
    """Move points with WATCH/MULTI/EXEC, retrying on WatchError; return the attempts made."""
    with client.pipeline() as pipe:
        for attempt in range(1, attempts + 1):
            try:
                pipe.watch(source)  # EXEC will fail if `source` changes after this
                balance = int(pipe.get(source))
                if balance < amount:
                    raise ValueError(f"{source} has {balance}, cannot move {amount}")
                between()  # another client may act here, as it can in production
                pipe.multi()
                pipe.decrby(source, amount)
                pipe.incrby(target, amount)
                pipe.execute()
                return attempt
            except redis.WatchError:
                logger.info("%s changed during the transfer; retrying", source)
                # bounded, with a random pause before each retry (none after the last attempt):
                # a hot key must not spin a loop forever
                if attempt < attempts:
                    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # nosec B311  # jitter, not a secret
    raise TransferContended(f"{source} kept changing; gave up after {attempts} attempts")


BENCH_ROUNDS = 9  # `make bench`; the demo and the notebook time 3


def benchmark_pipeline(settings) -> list[dict]:
    """Return the pipeline vs one-round-trip-per-command figures."""
    from redis_structures import delete_namespace, server_label

    from course.sandbox import unique_name

    prefix = unique_name("redis_pipelines_bench")
    with redis.Redis.from_url(settings.redis_url) as client:
        # name the server that produced the figure: embedded mode runs Valkey, not Redis
        server = server_label(client)
        figures = measure_pipeline_speedup(client, prefix=prefix, repeat=BENCH_ROUNDS)
        delete_namespace(client, prefix)
    return [
        {
            "name": f"2,000 SETs to {server}, median of {BENCH_ROUNDS} alternating rounds",
            "baseline_label": "one round trip each",
            "baseline": round(figures["one_by_one_ms"], 2),
            "measured_label": "one pipeline",
            "measured": round(figures["pipeline_ms"], 2),
            "unit": "ms",
            "ratio": round(figures["one_by_one_ms"] / figures["pipeline_ms"], 1),
        }
    ]


def main() -> None:
    from redis_structures import delete_namespace

    import course
    from course.sandbox import unique_name

    settings = course.require("redis")
    logging.basicConfig(level=logging.INFO, format="   log: %(message)s", stream=sys.stdout)
    prefix = unique_name("redis_pipelines")
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    with client:
        figures = measure_pipeline_speedup(client, prefix=prefix)
        ratio = figures["one_by_one_ms"] / figures["pipeline_ms"]
        print(
            f"1. 2,000 SETs: one by one {figures['one_by_one_ms']:.1f} ms, pipelined "
            f"{figures['pipeline_ms']:.1f} ms: {ratio:.1f}x faster"
        )
        source, target = f"{prefix}:ada", f"{prefix}:grace"
        bonus = lambda: client.incrby(source, 50)  # noqa: E731  (a concurrent writer)
        client.set(source, 100)
        client.set(target, 0)
        transfer_naively(client, source=source, target=target, amount=30, between=bonus)
        print(
            f"2. WRONG WAY (GET then SET), a +50 bonus lands in between: ada has "
            f"{client.get(source)} (should be 120: the bonus was lost)"
        )
        client.set(source, 100)
        client.set(target, 0)
        attempts = transfer(client, source=source, target=target, amount=30, between=once(bonus))
        print(
            f"3. WATCH/MULTI/EXEC: {attempts} attempts; ada {client.get(source)}, "
            f"grace {client.get(target)} (the bonus is kept)"
        )
        delete_namespace(client, prefix)
    print(
        "Conclusion: batch commands in pipelines; guard read-modify-write with WATCH (or do "
        "it in one command or a Lua script)."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
