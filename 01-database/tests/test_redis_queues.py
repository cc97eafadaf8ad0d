"""Work queues: a list with LPUSH/BRPOP, and a stream with a consumer group."""

import time

import pytest
import redis
from redis_queues import (
    acknowledge,
    claim_stalled,
    create_group,
    enqueue,
    pending_by_consumer,
    publish_task,
    read_tasks,
    take_job,
)

STREAM, GROUP = "orders", "shipping"


@pytest.fixture
def stream(redis_client):
    # published before the group exists: a group made at "$" (the stream's end) would skip them
    for n in range(1, 5):
        publish_task(redis_client, stream=STREAM, task={"order": str(n)})
    create_group(redis_client, stream=STREAM, group=GROUP)
    return redis_client


def orders_of(messages):
    return [fields["order"] for _, fields in messages]


def test_a_list_queue_hands_out_jobs_first_in_first_out(redis_client):
    for n in (1, 2, 3):
        enqueue(redis_client, queue="q", job={"n": n})

    assert [take_job(redis_client, queue="q")["n"] for _ in range(3)] == [1, 2, 3]


def test_taking_from_an_empty_list_queue_times_out_with_none(redis_client):
    assert take_job(redis_client, queue="empty", timeout_seconds=0.1) is None


def test_creating_the_group_twice_is_harmless(stream):
    create_group(stream, stream=STREAM, group=GROUP)

    assert stream.xinfo_groups(STREAM)[0]["name"] == GROUP


def test_consumers_in_a_group_share_the_messages_without_duplicates(stream):
    first = read_tasks(stream, stream=STREAM, group=GROUP, consumer="a", count=2)
    second = read_tasks(stream, stream=STREAM, group=GROUP, consumer="b", count=2)

    assert (orders_of(first), orders_of(second)) == (["1", "2"], ["3", "4"])


def test_read_messages_stay_pending_until_acknowledged(stream):
    read = read_tasks(stream, stream=STREAM, group=GROUP, consumer="a", count=3)
    pending_before = pending_by_consumer(stream, stream=STREAM, group=GROUP)

    acknowledge(stream, stream=STREAM, group=GROUP, message_ids=[read[0][0]])

    assert pending_before == {"a": 3}
    assert pending_by_consumer(stream, stream=STREAM, group=GROUP) == {"a": 2}


def test_a_dead_consumers_messages_are_claimed_by_a_live_one(stream):
    read_tasks(stream, stream=STREAM, group=GROUP, consumer="dead", count=2)
    time.sleep(0.05)  # the messages must be idle longer than min_idle_ms

    claimed = claim_stalled(stream, stream=STREAM, group=GROUP, consumer="alive", min_idle_ms=10)
    acknowledge(stream, stream=STREAM, group=GROUP, message_ids=[i for i, _ in claimed])

    assert orders_of(claimed) == ["1", "2"]
    assert pending_by_consumer(stream, stream=STREAM, group=GROUP) == {}


def test_messages_still_being_worked_on_are_not_claimed(stream):
    read_tasks(stream, stream=STREAM, group=GROUP, consumer="busy", count=2)

    claimed = claim_stalled(
        stream, stream=STREAM, group=GROUP, consumer="alive", min_idle_ms=60_000
    )

    assert claimed == []
    assert pending_by_consumer(stream, stream=STREAM, group=GROUP) == {"busy": 2}


@pytest.fixture
def backlog(redis_client):
    """150 messages read by a worker that died: more than XAUTOCLAIM's default COUNT of 100."""
    create_group(redis_client, stream=STREAM, group=GROUP)
    with redis_client.pipeline(transaction=False) as pipe:
        for n in range(150):
            pipe.xadd(STREAM, {"order": str(n)})
        pipe.execute()
    read_tasks(redis_client, stream=STREAM, group=GROUP, consumer="dead", count=150)
    return redis_client


def test_every_stalled_message_is_claimed_not_only_the_first_batch(backlog):
    # min_idle_ms=0: every pending message counts as stalled, with no wait
    claimed = claim_stalled(backlog, stream=STREAM, group=GROUP, consumer="alive", min_idle_ms=0)

    assert orders_of(claimed) == [str(n) for n in range(150)]
    assert pending_by_consumer(backlog, stream=STREAM, group=GROUP) == {"alive": 150}


def test_claiming_stops_at_the_limit_and_the_next_call_takes_the_rest(backlog):
    first = claim_stalled(
        backlog, stream=STREAM, group=GROUP, consumer="alive", min_idle_ms=0, limit=120
    )
    pending_after_first = pending_by_consumer(backlog, stream=STREAM, group=GROUP)
    acknowledge(backlog, stream=STREAM, group=GROUP, message_ids=[i for i, _ in first])
    rest = claim_stalled(backlog, stream=STREAM, group=GROUP, consumer="alive", min_idle_ms=0)

    assert orders_of(first) == [str(n) for n in range(120)]
    assert pending_after_first == {"alive": 120, "dead": 30}
    assert orders_of(rest) == [str(n) for n in range(120, 150)]


def test_a_stream_is_trimmed_to_its_maximum_length(redis_client):
    for n in range(20):
        publish_task(redis_client, stream="capped", task={"n": str(n)}, max_length=5, exact=True)

    assert redis_client.xlen("capped") == 5  # XACK alone never deletes: the stream would grow


def test_approximate_trimming_keeps_at_least_the_maximum_and_drops_the_rest_in_blocks(redis_client):
    for n in range(1_050):
        publish_task(redis_client, stream="capped", task={"n": str(n)}, max_length=100)

    # `MAXLEN ~` drops only whole nodes (100 entries each, stream-node-max-entries): the
    # newest node's 50 entries and the full node before them stay, where exact would keep 100
    assert 100 < redis_client.xlen("capped") < 200


def test_creating_a_group_on_a_key_that_is_not_a_stream_is_an_error(redis_client):
    redis_client.set(STREAM, "a string, not a stream")

    # only BUSYGROUP (the group exists) is nothing to do: WRONGTYPE must not pass unnoticed
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        create_group(redis_client, stream=STREAM, group=GROUP)
