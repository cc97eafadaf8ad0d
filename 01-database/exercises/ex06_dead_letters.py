"""Retry stalled stream messages, and park the poison ones in a dead-letter stream.

A message that crashes every worker that reads it (a "poison" message) would be claimed and
retried forever. Write `recover_stalled(client, *, stream, group, consumer, min_idle_ms,
max_deliveries, dead_letters)`. For every message of `group` pending longer than
`min_idle_ms` (up to 1,000 of them per call: a recoverer that runs every few seconds takes
the rest on its next call):
- if it has been delivered `max_deliveries` times or more, copy its fields to the stream
  `dead_letters` (adding a field "original_id" with its id) and acknowledge it in `group`;
- otherwise claim it for `consumer` (so it is delivered once more).
Return `(retried_ids, dead_ids)`, each a list of message ids in stream order. Several
recoverers may run at once (one per worker host): each message must be retried or parked by
one of them only, never parked twice (the test runs two together). A claim guards a message
for `min_idle_ms` only: a recoverer that stalls longer after it (a GC pause, a slow network)
finds that another has claimed and parked it meanwhile, and must not park it again (the test
pauses one to check); `dead_ids` lists the messages this call parked.

`redis_queues.py` shows XREADGROUP, XPENDING and XAUTOCLAIM; `redis_structures.py` a Lua
script (`touch_session`). Redis 6.2 commands only.

Check your work with `.venv/bin/course check 01 ex06` (or `course check 01 ex06` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex06`.
"""

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
    # TODO: list the pending entries idle for min_idle_ms or more (XPENDING with IDLE);
    # each has its delivery count. XCLAIM them for `consumer`; of those you got, dead-letter
    # the ones at max_deliveries (XRANGE to read the fields, then XACK and XADD in one step).
    raise NotImplementedError("TODO: recover the stalled messages")
