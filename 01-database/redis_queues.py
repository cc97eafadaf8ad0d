"""Work queues in Redis: a simple list queue, and a reliable one with streams.

Run `python 01-database/redis_queues.py`. You will see jobs pushed with LPUSH and taken with
BRPOP (simple, but a worker that crashes after BRPOP loses its job); then a stream with a
consumer group: XADD, XREADGROUP, XACK, the pending entries of a worker that died before
acknowledging, and XAUTOCLAIM handing its messages to a live worker: a crashed worker's
messages are not lost. (Trimming with MAXLEN can delete an entry still pending, which
XAUTOCLAIM then reports among the deleted ids; cap the stream well above its backlog. Redis
8.2+ can trim only acknowledged entries with XADD/XTRIM ... ACKED; Valkey 9.1 cannot.)
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

logger = logging.getLogger(__name__)

CLAIM_BATCH = 100  # entries per XAUTOCLAIM call (its default COUNT)


def enqueue(client: redis.Redis, *, queue: str, job: dict[str, Any]) -> int:
    """Push a job (as JSON) onto the list; return the queue's length."""
    return client.lpush(queue, json.dumps(job))


def take_job(client: redis.Redis, *, queue: str, timeout_seconds: float = 1) -> dict | None:
    """Block until a job arrives (oldest first) or the timeout passes; None on timeout."""
    taken = client.brpop([queue], timeout=timeout_seconds)
    return None if taken is None else json.loads(taken[1])


def create_group(client: redis.Redis, *, stream: str, group: str) -> None:
    """Create a consumer group that reads the stream from its beginning (and the stream)."""
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):  # the group exists already: nothing to do
            raise


def publish_task(
    client: redis.Redis,
    *,
    stream: str,
    task: dict[str, str],
    max_length: int = 10_000,
    exact: bool = False,
) -> str:
    """Append a task, trimming the stream to about `max_length`; return its id ('1718...-0')."""
    # XACK only marks an entry as processed; it never deletes it. Without a cap the stream
    # grows forever. `MAXLEN ~` (approximate) trims whole internal nodes, which is cheap;
    # an entry trimmed while still pending is reported as deleted by XAUTOCLAIM.
    return client.xadd(stream, task, maxlen=max_length, approximate=not exact)


def read_tasks(
    client: redis.Redis, *, stream: str, group: str, consumer: str, count: int = 10
) -> list[tuple[str, dict[str, str]]]:
    """Read new tasks for this consumer; they stay pending until acknowledged."""
    response = client.xreadgroup(group, consumer, {stream: ">"}, count=count, block=100)
    return [(message_id, fields) for _, messages in response for message_id, fields in messages]


def acknowledge(client: redis.Redis, *, stream: str, group: str, message_ids: list[str]) -> int:
    """Mark tasks as done: they leave the pending entries list."""
    return client.xack(stream, group, *message_ids)


def pending_by_consumer(client: redis.Redis, *, stream: str, group: str) -> dict[str, int]:
    """Return {consumer: number of tasks it read but has not acknowledged}."""
    summary = client.xpending(stream, group)
    return {entry["name"]: entry["pending"] for entry in summary["consumers"]}


def claim_stalled(
    client: redis.Redis,
    *,
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    limit: int = 10_000,
) -> list[tuple[str, dict[str, str]]]:
    """Take over up to `limit` tasks idle over `min_idle_ms` (a dead worker's) with XAUTOCLAIM."""
    claimed: list[tuple[str, dict[str, str]]] = []
    cursor = "0-0"
    while len(claimed) < limit:
        # one call claims at most COUNT entries and returns where to go on; "0-0" when the
        # whole pending list has been scanned. `limit` bounds what one call holds in memory
        count = min(CLAIM_BATCH, limit - len(claimed))
        cursor, batch, *_ = client.xautoclaim(stream, group, consumer, min_idle_ms, cursor, count)
        claimed += [(message_id, fields) for message_id, fields in batch]
        if cursor in ("0-0", b"0-0"):
            break
    return claimed


def main() -> None:
    import time

    import course
    from course.sandbox import unique_name

    settings = course.require("redis")
    logging.basicConfig(level=logging.WARNING)
    prefix = unique_name("redis_queues")
    queue, stream, group = f"{prefix}:emails", f"{prefix}:orders", "shipping"
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    with client:
        print("1. A list as a queue: LPUSH in, BRPOP out (first in, first out)")
        for n in (1, 2, 3):
            enqueue(client, queue=queue, job={"email": n})
        print(f"   taken: {[take_job(client, queue=queue)['email'] for _ in range(3)]}")
        print("   but a worker that crashes right after BRPOP has lost that job for good")
        print("2. A stream with a consumer group: read, then acknowledge")
        create_group(client, stream=stream, group=group)
        for n in range(1, 5):
            publish_task(client, stream=stream, task={"order": str(n)})
        done = read_tasks(client, stream=stream, group=group, consumer="worker-a", count=2)
        acknowledge(client, stream=stream, group=group, message_ids=[i for i, _ in done])
        print(f"   worker-a handled and acked orders {[f['order'] for _, f in done]}")
        read_tasks(client, stream=stream, group=group, consumer="worker-b", count=2)
        print("3. worker-b read two orders, then died before XACK")
        print(f"   pending entries: {pending_by_consumer(client, stream=stream, group=group)}")
        time.sleep(0.2)
        claimed = claim_stalled(
            client, stream=stream, group=group, consumer="worker-a", min_idle_ms=100
        )
        print(f"4. XAUTOCLAIM (idle > 100 ms): worker-a takes {[f['order'] for _, f in claimed]}")
        acknowledge(client, stream=stream, group=group, message_ids=[i for i, _ in claimed])
        print(f"   after XACK, pending: {pending_by_consumer(client, stream=stream, group=group)}")
        client.delete(queue, stream)
    print(
        "Conclusion: a list with BRPOP for jobs you can afford to lose (BLMOVE into a "
        "processing list makes a list reliable too, but you build the recovery yourself); a "
        "stream with a consumer group gives you pending entries, delivery counts and "
        "XAUTOCLAIM out of the box."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
