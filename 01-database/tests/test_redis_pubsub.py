"""Pub/sub: subscribers receive what is published while they listen, and nothing else."""

import json

import redis
from redis_pubsub import announce, receive, subscribe


def test_a_subscriber_receives_the_events_published_while_it_listens(redis_url, unique_name):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with client, subscribe(client, channel=unique_name) as pubsub:
        receivers = [announce(client, channel=unique_name, event={"n": n}) for n in (1, 2, 3)]
        # subscribe() waited for (and consumed) the confirmation: next comes the first event
        first = pubsub.get_message(timeout=2.0)

        events = receive(pubsub, count=1)  # the third is left for the next call

    assert receivers == [1, 1, 1]
    assert (first["type"], json.loads(first["data"])) == ("message", {"n": 1})
    assert events == [{"n": 2}]


def test_an_event_published_before_subscribing_is_lost(redis_url, unique_name):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with client:
        receivers = announce(client, channel=unique_name, event={"n": 0})
        with subscribe(client, channel=unique_name) as pubsub:
            announce(client, channel=unique_name, event={"n": 1})

            events = receive(pubsub, count=2, timeout_seconds=0.3)

    assert receivers == 0
    assert events == [{"n": 1}]
