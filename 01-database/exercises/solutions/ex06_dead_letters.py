"""Reference solution for ex06: retry stalled messages, dead-letter the poison ones."""

from __future__ import annotations

import redis


def recover_stalled(
    client: redis.Redis,
    *,
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    max_deliveries: int,
    dead_letters: str,
) -> tuple[list[str], list[str]]:
    """Claim stalled messages for `consumer`; move those delivered too often to `dead_letters`."""
    # at most 1,000 per call, as the task allows: the next call takes the rest
    stalled = client.xpending_range(stream, group, min="-", max="+", count=1000, idle=min_idle_ms)
    deliveries = {entry["message_id"]: entry["times_delivered"] for entry in stalled}
    if not deliveries:
        return [], []
    # claim first: XCLAIM re-checks the idle time on the server, so of two recoverers running
    # at once only one gets each message (JUSTID leaves the delivery count as it was)
    claimed = set(
        client.xclaim(stream, group, consumer, min_idle_ms, list(deliveries), justid=True)
    )
    retried, dead = [], []
    for message_id, times_delivered in deliveries.items():
        if message_id not in claimed:
            # another worker took it meanwhile; or it was deleted from the stream (XDEL,
            # trimming): since Redis 7.0, XCLAIM drops such an entry from the pending list
            # and does not return it, so there is nothing left to retry or park
            continue
        if times_delivered < max_deliveries:
            retried.append(message_id)
            continue
        entries = client.xrange(stream, min=message_id, max=message_id)
        with client.pipeline() as pipe:  # MULTI: park and acknowledge together
            # trimmed between our claim and this read: no fields left to park, acknowledge only
            if entries:
                [(_, fields)] = entries
                pipe.xadd(dead_letters, {**fields, "original_id": message_id})
            pipe.xack(stream, group, message_id)
            pipe.execute()
        dead.append(message_id)
    return retried, dead
