"""Retry stalled stream messages, and park the poison ones in a dead-letter stream.

A message that crashes every worker that reads it (a "poison" message) would be claimed and
retried forever. Write `recover_stalled(client, *, stream, group, consumer, min_idle_ms,
max_deliveries, dead_letters)`. For every message of `group` pending longer than
`min_idle_ms` (up to 1,000 of them per call: a recoverer that runs every few seconds takes
the rest on its next call):
- if it had been delivered `max_deliveries` times or more before your claim, copy its fields
  to the stream `dead_letters` (adding a field "original_id" with its id) and acknowledge it
  in `group`. Count after you claim: XPENDING then reports your claim too, so one more. The
  count your first listing gave can be one short: another recoverer may deliver the message
  between your listing and your claim (the test does so), and the claim's reply has no count;
- otherwise claim it for `consumer` and return it, for the caller to hand to its worker: the
  claim must be a real delivery (the message with its fields, its delivery count one up),
  since a worker that reads only new messages (`XREADGROUP ... >`, as
  `redis_queues.read_tasks` does) never sees it again.
Return `(retried, dead_ids)`: `retried` the messages this call claimed to retry, as
`(id, fields)` pairs, and `dead_ids` the ids of the messages it parked, each in stream order.
Several recoverers may run at once (one per worker host). Four rules, each one tested:
1. One owner per message: each message is retried or parked by one recoverer only (the test
   runs two together).
2. Never parked twice. A claim guards a message for `min_idle_ms` only: a recoverer that
   stalls longer after it (a GC pause, a slow network) finds that another has claimed the
   message meanwhile, and must not park it again (the test pauses one to check). A message it
   retries is then handed out twice, which delivery at least once allows.
3. No loss if killed: a recoverer killed at any point must not lose a message, so acknowledge
   and park in one atomic step (the test refuses an XACK or XADD sent on its own).
4. Hands off a message someone claims meanwhile: a worker may claim a message between your
   listing and your park (it retries it now); leave it, neither parked nor acknowledged (the
   test has a worker claim one right after your XPENDING, and another after your own claim,
   while you stall past `min_idle_ms`, and a third just before your park script). Claim
   before you park: the server refuses you a message that was claimed less than
   `min_idle_ms` ago; and park only a message still pending for your consumer, since XACK
   does not ask who owns it, checked inside the park script (a check made before it can be
   overtaken by a worker's claim).
The dead-letter stream is a second key your script touches: on Redis Cluster both keys of a
script must be in one hash slot, so name them with a hash tag (`{jobs}` and `{jobs}:dead`);
the one server of this course has no slots, so the test uses `jobs` and `jobs:dead`.

`redis_queues.py` shows XREADGROUP, XPENDING (its summary form) and XAUTOCLAIM;
`redis_structures.py` a Lua script (`touch_session`). To list the pending messages with
their idle time and delivery count, use redis-py's `client.xpending_range(...)` with its
`idle=` argument (XPENDING's extended form). Everything you need exists since Redis 6.2
(XPENDING's IDLE option and XAUTOCLAIM came in 6.2), so keep to those commands: the solution
then runs on any server the course uses, and newer additions (such as Redis 8.2's `ACKED`
option, which Valkey 9.1 refuses) are not needed.

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
) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """Claim stalled messages for `consumer`; move those delivered too often to `dead_letters`."""
    # TODO: list the pending entries idle for min_idle_ms or more (XPENDING with IDLE:
    # client.xpending_range(..., idle=min_idle_ms)).
    # XCLAIM them for `consumer` (a real delivery, not JUSTID); of those you got, read the
    # delivery count again (XPENDING) and dead-letter the ones delivered max_deliveries times
    # before your claim (XACK and XADD in one step).
    raise NotImplementedError("TODO: recover the stalled messages")
