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
    stalled = client.xpending_range(stream, group, min="-", max="+", count=1000, idle=min_idle_ms)
    retried, dead = [], []
    for entry in stalled:
        message_id = entry["message_id"]
        if entry["times_delivered"] >= max_deliveries:
            [(_, fields)] = client.xrange(stream, min=message_id, max=message_id)
            with client.pipeline() as pipe:  # MULTI: park and acknowledge together
                pipe.xadd(dead_letters, {**fields, "original_id": message_id})
                pipe.xack(stream, group, message_id)
                pipe.execute()
            dead.append(message_id)
        else:
            retried.append(message_id)
    if retried:
        # XCLAIM re-checks the idle time, so a message another worker just took is skipped
        claimed = client.xclaim(stream, group, consumer, min_idle_ms, retried, justid=True)
        retried = [message_id for message_id in retried if message_id in set(claimed)]
    return retried, dead
