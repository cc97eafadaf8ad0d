"""Pub/sub in Redis: fire-and-forget messages to whoever is listening right now.

Run `python 01-database/redis_pubsub.py`. You will see a subscriber receive the messages
published while it listens, and miss the one published before it subscribed: pub/sub keeps
nothing. Use it for live notifications (cache invalidation across servers, "new message"
pings); use a stream when a message must not be lost.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis
from redis.client import PubSub

logger = logging.getLogger(__name__)


def announce(client: redis.Redis, *, channel: str, event: dict[str, Any]) -> int:
    """Publish an event as JSON; return how many subscribers received it."""
    return client.publish(channel, json.dumps(event))


def subscribe(client: redis.Redis, *, channel: str) -> PubSub:
    """Subscribe to a channel and wait until Redis confirms the subscription."""
    pubsub = client.pubsub()
    pubsub.subscribe(channel)
    # the confirmation is the first message; until it arrives, publishes may be missed
    confirmation = pubsub.get_message(timeout=5.0)
    if confirmation is None or confirmation["type"] != "subscribe":
        pubsub.close()
        raise TimeoutError(f"Redis did not confirm the subscription to {channel}")
    return pubsub


def receive(pubsub: PubSub, *, count: int, timeout_seconds: float = 2.0) -> list[dict[str, Any]]:
    """Collect up to `count` events, waiting at most `timeout_seconds` in all."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_seconds
    while len(events) < count and time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if message is not None:
            events.append(json.loads(message["data"]))
    return events


def main() -> None:
    import course
    from course.sandbox import unique_name

    settings = course.require("redis")
    logging.basicConfig(level=logging.WARNING)
    channel = unique_name("redis_pubsub")  # channels span all databases: make it unique
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    with client:
        receivers = announce(client, channel=channel, event={"order": 1, "status": "paid"})
        print(f"1. Published order 1 before anyone listened: {receivers} receivers")
        with subscribe(client, channel=channel) as pubsub:
            print(f"2. Subscribed to {channel}")
            for order in (2, 3):
                receivers = announce(client, channel=channel, event={"order": order})
                print(f"   published order {order}: {receivers} receiver")
            print(f"3. The subscriber got: {receive(pubsub, count=3, timeout_seconds=0.5)}")
    print(
        "Conclusion: pub/sub delivers to current listeners only (order 1 is gone); it is a "
        "notification, not a queue."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
