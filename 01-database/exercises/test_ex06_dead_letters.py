"""Checks for ex06: `course check 01 ex06` runs them against your task."""

import contextlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis_queues import read_tasks

from course.exercises import load_exercise
from course.redis_wire import watch_script_keys, watch_sent_commands

task = load_exercise(__file__)

STREAM, GROUP, DEAD = "jobs", "workers", "jobs:dead"


@pytest.fixture
def jobs(redis_client):
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    ids = [redis_client.xadd(STREAM, {"job": str(n)}) for n in range(3)]
    return redis_client, ids


def deliver(client, times, idle_ms=10):
    """Read every pending message `times` times, as crashing workers would, then wait."""
    client.xreadgroup(GROUP, "w0", {STREAM: ">"})
    for n in range(1, times):
        client.xautoclaim(STREAM, GROUP, f"w{n}", 0, "0-0")
    wait_until_idle(client, idle_ms)


def wait_until_idle(client, idle_ms):
    """Return once every pending message has been idle `idle_ms` or more, by the server's clock."""
    deadline = time.monotonic() + 10
    while True:
        pending = client.xpending(STREAM, GROUP)["pending"]
        if len(client.xpending_range(STREAM, GROUP, "-", "+", 1000, idle=idle_ms)) == pending:
            return
        assert time.monotonic() < deadline, f"the pending messages never became {idle_ms} ms idle"
        time.sleep(0.002)


def recover(client, max_deliveries, min_idle_ms=10):
    return task.recover_stalled(
        client,
        stream=STREAM,
        group=GROUP,
        consumer="rescuer",
        min_idle_ms=min_idle_ms,
        max_deliveries=max_deliveries,
        dead_letters=DEAD,
    )


def times_delivered(client):
    return [
        entry["times_delivered"] for entry in client.xpending_range(STREAM, GROUP, "-", "+", 99)
    ]


def owners_of_pending(client):
    """Each pending message's id, with the consumer it is pending for."""
    return {
        e["message_id"]: e["consumer"] for e in client.xpending_range(STREAM, GROUP, "-", "+", 99)
    }


def test_messages_delivered_fewer_times_than_the_maximum_are_claimed(jobs):
    client, ids = jobs
    deliver(client, times=1)

    retried, dead = recover(client, max_deliveries=3)

    assert (retried, dead) == ([(id_, {"job": str(n)}) for n, id_ in enumerate(ids)], []), (
        "return the claimed messages as (id, fields), for the caller's worker to process"
    )
    consumers = {c["name"]: c["pending"] for c in client.xpending(STREAM, GROUP)["consumers"]}
    assert consumers == {"rescuer": 3}
    assert times_delivered(client) == [2, 2, 2], (
        "the claim is a delivery: its count goes up (XCLAIM without JUSTID)"
    )


def test_a_message_that_keeps_failing_reaches_the_dead_letters_after_max_deliveries(jobs):
    client, ids = jobs
    handled = Counter()

    def work(messages):
        """The lesson's worker: job 1 crashes it every time, before its XACK."""
        for message_id, fields in messages:
            handled[message_id] += 1
            if fields["job"] != "1":
                client.xack(STREAM, GROUP, message_id)

    work(read_tasks(client, stream=STREAM, group=GROUP, consumer="w0"))
    dead = []
    for _ in range(5):  # a recoverer that runs every few seconds, and its worker
        wait_until_idle(client, 10)
        retried, dead = recover(client, max_deliveries=3)
        if dead:
            break
        work(retried)
        work(read_tasks(client, stream=STREAM, group=GROUP, consumer="rescuer"))

    assert dead == [ids[1]], "after 3 failed deliveries, the poison message is parked"
    assert handled == {ids[0]: 1, ids[1]: 3, ids[2]: 1}, (
        "each retry delivers the message to the worker once, and counts it"
    )
    assert [fields for _, fields in client.xrange(DEAD)] == [{"job": "1", "original_id": ids[1]}]


@pytest.fixture
def bare_writes(monkeypatch):
    """The XACK and XADD commands sent outside a script, pipelines and MULTI included."""
    sent = []
    # a command of its own on the wire; inside a script it travels as the script's text
    watch_sent_commands(
        monkeypatch,
        lambda _connection, names: sent.extend(n for n in names if n in ("XACK", "XADD")),
    )
    return sent


def test_poison_messages_move_to_the_dead_letter_stream_and_are_acknowledged(jobs, bare_writes):
    client, ids = jobs
    deliver(client, times=3)

    retried, dead = recover(client, max_deliveries=3)

    assert (retried, dead) == ([], ids)
    assert bare_writes == [], (
        f"{bare_writes} sent on their own: a recoverer killed between the XACK and the XADD "
        "loses the message; send both in one script"
    )
    assert client.xpending(STREAM, GROUP)["pending"] == 0
    parked = client.xrange(DEAD)
    assert [fields for _, fields in parked] == [
        {"job": str(n), "original_id": message_id} for n, message_id in enumerate(ids)
    ]


def test_a_script_receives_both_streams_in_keys(jobs, monkeypatch):
    # a dead-letter name built inside the script (KEYS[1] .. ':dead') hides that key from
    # Redis Cluster, which routes the call by its KEYS, and from ACLs
    client, _ = jobs
    deliver(client, times=3)
    script_keys = watch_script_keys(monkeypatch)

    recover(client, max_deliveries=3)

    assert all({STREAM, DEAD} <= set(keys) for keys in script_keys), (
        f"pass the stream and the dead-letter stream in keys=[...]: {script_keys}"
    )


def test_one_call_takes_at_most_1000_messages(redis_client):
    # unbounded, a backlog of a million stalled messages is one XPENDING and one XCLAIM of a
    # million: one reply too big for the recoverer's memory and a server blocked while it builds
    redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    with redis_client.pipeline(transaction=False) as pipe:
        for n in range(1001):
            pipe.xadd(STREAM, {"job": str(n)})
        pipe.execute()
    redis_client.xreadgroup(GROUP, "w0", {STREAM: ">"})

    retried, _ = recover(redis_client, max_deliveries=3, min_idle_ms=0)

    consumers = {c["name"]: c["pending"] for c in redis_client.xpending(STREAM, GROUP)["consumers"]}
    assert (len(retried), consumers) == (1000, {"rescuer": 1000, "w0": 1}), (
        "up to 1,000 per call: the next call takes the rest"
    )


def test_messages_still_being_worked_on_are_left_alone(jobs):
    client, _ = jobs
    deliver(client, times=3)

    assert recover(client, max_deliveries=3, min_idle_ms=60_000) == ([], [])
    assert not client.exists(DEAD)


def test_a_message_a_worker_claims_after_the_listing_is_left_to_the_worker(jobs, monkeypatch):
    client, ids = jobs
    deliver(client, times=3, idle_ms=100)
    # right after the recoverer's XPENDING answer, a worker claims the first message (it
    # retries it now): only a claim of the recoverer's own, which the server refuses for a
    # message idle less than min_idle_ms, tells the recoverer to leave it
    original, taken = client.execute_command, []

    def execute_command(*args, **options):
        reply = original(*args, **options)
        if str(args[0]).upper() == "XPENDING" and not taken:
            taken.append(original("XCLAIM", STREAM, GROUP, "worker", 0, ids[0]))
        return reply

    monkeypatch.setattr(client, "execute_command", execute_command)
    retried, dead = recover(client, max_deliveries=3, min_idle_ms=100)
    monkeypatch.setattr(client, "execute_command", original)

    assert taken, "the recoverer never listed the pending messages with XPENDING"
    assert (retried, dead) == ([], ids[1:]), (
        "park only what you claimed: the worker's claim made the first message busy again"
    )
    consumers = {c["name"]: c["pending"] for c in client.xpending(STREAM, GROUP)["consumers"]}
    assert consumers == {"worker": 1}, "the worker's message is still pending, not acknowledged"
    assert [fields["original_id"] for _, fields in client.xrange(DEAD)] == ids[1:]


@pytest.mark.parametrize("max_deliveries", [3, 10], ids=["parks", "retries"])
def test_two_recoverers_at_once_handle_each_message_once(jobs, monkeypatch, max_deliveries):
    client, ids = jobs
    deliver(client, times=3, idle_ms=50)
    # both recoverers get their list of pending messages before either acts on it: the
    # interleaving where a recoverer that parks without claiming first parks everything twice
    both_listed, listed = threading.Barrier(2, timeout=2), threading.local()
    original = client.execute_command

    def execute_command(*args, **options):
        reply = original(*args, **options)
        if str(args[0]).upper() == "XPENDING" and not getattr(listed, "done", False):
            listed.done = True
            # a solution that does not list with XPENDING in both calls: no pause
            with contextlib.suppress(threading.BrokenBarrierError):
                both_listed.wait()
        return reply

    monkeypatch.setattr(client, "execute_command", execute_command)
    with ThreadPoolExecutor(max_workers=2) as pool:
        # idle for 50 ms (deliver waits for it): the second claim comes well within 50 ms of the
        # first, which made the messages idle again, so it finds nothing left to claim
        first, second = [pool.submit(recover, client, max_deliveries, 50) for _ in range(2)]
        (retried_1, dead_1), (retried_2, dead_2) = first.result(), second.result()
    # the checks below list the pending messages too: no pause for them
    monkeypatch.setattr(client, "execute_command", original)

    if max_deliveries == 10:
        ids_1, ids_2 = [i for i, _ in retried_1], [i for i, _ in retried_2]
        assert not set(ids_1) & set(ids_2), (
            f"{sorted(set(ids_1) & set(ids_2))} handed to a worker by both recoverers: claim "
            "with min-idle-time min_idle_ms, so the server refuses the second claim of a "
            "message the first has just claimed"
        )
        assert sorted(ids_1 + ids_2) == sorted(ids)
        assert (dead_1, dead_2, client.exists(DEAD)) == ([], [], 0)
        assert times_delivered(client) == [4, 4, 4], "each message claimed once"
        return
    assert client.xlen(DEAD) == len(ids), (
        "each poison message is parked once, not once per recoverer"
    )
    assert sorted(dead_1 + dead_2) == sorted(ids) and not set(dead_1) & set(dead_2)
    assert retried_1 == retried_2 == []


@contextlib.contextmanager
def recoverer_paused_after_its_claim(client, monkeypatch, max_deliveries):
    """Run recoverer A in a thread; yield once it has claimed, then stalled past min_idle_ms.

    A goes on when the block ends; the list yielded then holds its (retried, dead_ids).
    """
    a_claimed, released, paused = threading.Event(), threading.Event(), threading.Lock()
    original = client.execute_command

    def execute_command(*args, **options):
        reply = original(*args, **options)
        if str(args[0]).upper() in ("XCLAIM", "XAUTOCLAIM") and paused.acquire(blocking=False):
            a_claimed.set()  # only the first claim of the test pauses: A's
            released.wait(timeout=10)
        return reply

    def recoverer_a():
        try:
            return recover(client, max_deliveries=max_deliveries)
        finally:
            # a solution that never claims (or claims in a pipeline or a script, which this
            # hook does not see): the block runs after A instead
            a_claimed.set()

    monkeypatch.setattr(client, "execute_command", execute_command)
    result = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(recoverer_a)
        try:
            assert a_claimed.wait(timeout=10), "recoverer A neither claimed nor finished"
            wait_until_idle(client, 10)  # past min_idle_ms since A's claim, by the server's clock
            yield result
        finally:
            released.set()
        result.extend(first.result())


@pytest.mark.parametrize("max_deliveries", [3, 10], ids=["parks", "retries"])
def test_a_recoverer_paused_after_its_claim_does_not_park_again(jobs, monkeypatch, max_deliveries):
    client, ids = jobs
    deliver(client, times=3)
    # recoverer A claims, then stalls (a GC pause, a slow network) until the messages it
    # claimed are idle again and recoverer B has claimed and parked them all; then A goes on
    with recoverer_paused_after_its_claim(client, monkeypatch, max_deliveries) as a:
        retried_b, dead_b = recover(client, max_deliveries=max_deliveries)
    retried_a, dead_a = a

    if max_deliveries == 10:
        # B's claim overtook A's stale one, so B delivered every message again (at least
        # once); A delivered what it claimed before its pause: all, or the first if it claims
        # one by one (its later claims come after B's and are refused as not idle)
        retried_ids_a = [i for i, _ in retried_a]
        assert [i for i, _ in retried_b] == ids
        assert retried_ids_a and set(retried_ids_a) <= set(ids)
        assert (dead_a, dead_b, client.exists(DEAD)) == ([], [], 0)
        assert times_delivered(client) == [4 + (i in retried_ids_a) for i in ids]
        return
    assert client.xlen(DEAD) == len(ids), (
        "each poison message is parked once: a recoverer whose claim has gone stale (another "
        "claimed and parked the message meanwhile) must not park it again; acknowledge and "
        "park in one atomic step, a script that first checks the message is still pending for "
        "your consumer (XPENDING with the consumer), then XACKs and XADDs"
    )
    assert sorted(dead_a + dead_b) == sorted(ids) and not set(dead_a) & set(dead_b)
    assert retried_a == retried_b == []


def test_a_worker_that_claims_from_a_paused_recoverer_keeps_the_message(jobs, monkeypatch):
    client, ids = jobs
    deliver(client, times=3)  # poison: the recoverer would park them all
    # recoverer A claims, then stalls past min_idle_ms; meanwhile a worker claims the
    # messages (it retries them now). A's acknowledgement would still succeed, since XACK
    # does not ask who owns a message: A must park only what is still its own
    with recoverer_paused_after_its_claim(client, monkeypatch, max_deliveries=3) as a:
        client.xautoclaim(STREAM, GROUP, "worker-w", 10, "0-0")  # A's pause is already taken
    retried_a, dead_a = a

    owners = owners_of_pending(client)
    parked_from_the_worker = [i for i in dead_a if owners.get(i) != "rescuer"]
    assert (dead_a, client.xlen(DEAD) if client.exists(DEAD) else 0) == ([], 0), (
        f"{parked_from_the_worker} parked while worker-w retried them: check in the script that "
        "the message is still pending for your consumer before you acknowledge it (XACK does "
        "not ask who owns a message)"
    )
    assert owners == dict.fromkeys(ids, "worker-w") and retried_a == []


def test_a_worker_that_claims_just_before_the_park_keeps_the_message(jobs, monkeypatch):
    client, ids = jobs
    deliver(client, times=3)  # poison: the recoverer would park them all
    # the recoverer has claimed the messages; just before its park script runs, a worker
    # claims them all (it retries them now). An owner check made in Python before the script
    # passed already: only a check inside the script, atomic with the XACK, sees the worker
    original, taken = client.execute_command, []

    def execute_command(*args, **options):
        if str(args[0]).upper() in ("EVAL", "EVALSHA") and not taken:
            taken.append(original("XCLAIM", STREAM, GROUP, "worker-w", 0, *ids, "JUSTID"))
        return original(*args, **options)

    monkeypatch.setattr(client, "execute_command", execute_command)
    retried, dead = recover(client, max_deliveries=3)
    monkeypatch.setattr(client, "execute_command", original)

    assert taken, "the recoverer ran no script: acknowledge and park in one script"
    owners = owners_of_pending(client)
    assert (dead, client.exists(DEAD)) == ([], 0), (
        f"{dead} parked while worker-w retried them: the check that a message is still pending "
        "for your consumer belongs inside the script, in the same atomic step as the XACK"
    )
    assert owners == dict.fromkeys(ids, "worker-w") and retried == []


def test_a_delivery_made_while_the_recoverer_stalled_before_its_claim_counts(jobs, monkeypatch):
    client, ids = jobs
    deliver(client, times=2)  # two failed deliveries: one short of the maximum of 3
    # right after the recoverer's XPENDING answer, another recoverer hands the first message
    # to worker w2 (its third delivery), whose crash leaves it pending; the recoverer stalls
    # past min_idle_ms, then claims it: a fourth delivery. Deciding on the count XPENDING gave
    # before the claim (2) would retry it once more; the count after the claim says park
    original, taken = client.execute_command, []

    def execute_command(*args, **options):
        reply = original(*args, **options)
        if str(args[0]).upper() == "XPENDING" and not taken:
            taken.append(original("XCLAIM", STREAM, GROUP, "w2", 0, ids[0]))
            wait_until_idle(client, 10)
        return reply

    monkeypatch.setattr(client, "execute_command", execute_command)
    retried, dead = recover(client, max_deliveries=3)
    monkeypatch.setattr(client, "execute_command", original)

    assert taken, "the recoverer never listed the pending messages with XPENDING"
    assert dead == [ids[0]], (
        "delivered 3 times before your claim: park it. Decide on the count after your claim "
        "(the claim's reply has none: list the claimed ids again with XPENDING), not on the "
        "count your first XPENDING gave"
    )
    assert [i for i, _ in retried] == ids[1:]
