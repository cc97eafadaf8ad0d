"""Reference solution for ex06: retry stalled messages, dead-letter the poison ones."""

from __future__ import annotations

import redis

# KEYS: the stream, the dead letters; ARGV: the group, our consumer, the message id, then its
# fields and values. Park only a message still pending for US: XACK does not ask who owns it,
# and after a pause past min_idle_ms a worker may have claimed it (and be retrying it)
PARK_IF_STILL_OURS = """
if #redis.call('xpending', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2]) == 0 then
    return 0
end
redis.call('xack', KEYS[1], ARGV[1], ARGV[3])
redis.call('xadd', KEYS[2], '*', unpack(ARGV, 4))
return 1
"""


def recover_stalled(
    client: redis.Redis,
    *,
    stream: str,
    group: str,
    consumer: str,
    min_idle_ms: int,
    max_deliveries: int,
    dead_letters: str,
) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """Claim stalled messages for `consumer`; move those delivered too often to `dead_letters`."""
    # at most 1,000 per call, as the task allows: the next call takes the rest
    stalled = client.xpending_range(stream, group, min="-", max="+", count=1000, idle=min_idle_ms)
    deliveries = {entry["message_id"]: entry["times_delivered"] for entry in stalled}
    if not deliveries:
        return [], []
    # claim first: XCLAIM re-checks the idle time on the server, so of two recoverers running
    # at once only one gets each message. Without JUSTID the claim is a delivery: it returns
    # the fields and adds one to the count (a JUSTID claim does neither, and a worker reading
    # ">" never sees the message again). A message deleted from the stream (XDEL, trimming)
    # is dropped from the pending list and not returned (Redis 7.0+)
    claimed = client.xclaim(stream, group, consumer, min_idle_ms, list(deliveries))
    if not claimed:
        return [], []
    # decide on the count AFTER the claim: stalled past min_idle_ms between the listing and
    # the claim, another recoverer may have delivered a message meanwhile, and the listing's
    # count would be one short. The claim's reply has no count: ask XPENDING again, for each
    # claimed id (a range could hold other pending ids too), in one round trip
    with client.pipeline(transaction=False) as pipe:
        for message_id, _ in claimed:
            pipe.xpending_range(stream, group, min=message_id, max=message_id, count=1)
        now = {entries[0]["message_id"]: entries[0] for entries in pipe.execute() if entries}
    # our claim protects a message only for min_idle_ms: paused longer (GC, swap, a slow
    # network), another recoverer may claim and park it, or a worker claim and retry it. The
    # script parks only a message still pending for our consumer, so neither is undone
    park = client.register_script(PARK_IF_STILL_OURS)
    retried, dead = [], []
    for message_id, fields in claimed:
        entry = now.get(message_id)
        if entry is None:
            continue  # acknowledged (parked or done) by someone else since our claim
        if entry["consumer"] in (consumer, consumer.encode()):  # str, or bytes undecoded
            before_our_claim = entry["times_delivered"] - 1  # deliveries to workers, all failed
        else:
            # claimed again since ours: park is no longer ours to do; retry it (at least once)
            # if the listing said so
            before_our_claim = deliveries[message_id]
        if before_our_claim < max_deliveries:
            retried.append((message_id, fields))
            continue
        flat = [item for pair in {**fields, "original_id": message_id}.items() for item in pair]
        if park([stream, dead_letters], [group, consumer, message_id, *flat]):
            dead.append(message_id)
    return retried, dead
