"""A full Redis refuses writes under noeviction and evicts the unused keys under LRU and LFU."""

import logging

import pytest
import redis
from redis_eviction import (
    MAXMEMORY,
    VALUE,
    cache_put,
    evict,
    fill,
    start_over,
    wait_for_lru_tick,
    write_until_refused,
)

from course.services.private import private_server

# one private server for the module (each test starts over on it), on one xdist worker
pytestmark = pytest.mark.xdist_group("redis-eviction")


@pytest.fixture(scope="module")
def full_redis():
    with private_server("redis", extra_args=["--maxmemory", MAXMEMORY]) as server:
        client = redis.Redis.from_url(server.url)
        client.url = server.url  # for the Recording client below
        yield client
        client.close()


def test_noeviction_refuses_the_write_past_the_limit_and_a_cache_skips_it(full_redis, caplog):
    # one fill for both checks: filling the server is this module's cost
    start_over(full_redis, "noeviction")

    written, error = write_until_refused(full_redis)
    with caplog.at_level(logging.WARNING, logger="redis_eviction"):
        stored = cache_put(full_redis, "report", VALUE)

    assert isinstance(error, redis.OutOfMemoryError)
    assert "maxmemory" in str(error)
    # the empty server's own ~1.1 MB leaves room for fewer than a thousand 1 KiB keys
    assert 100 < written < 1000
    assert full_redis.get("data:0") == VALUE
    assert full_redis.dbsize() == written  # nothing was evicted to make room
    assert stored is False  # a cache write to a full Redis is skipped, with a warning
    assert "Redis is full" in caplog.text


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_an_evicting_policy_takes_every_write_and_keeps_the_keys_in_use(full_redis, policy):
    result = evict(full_redis, policy)

    assert result.evicted > 0  # INFO stats evicted_keys, read once the writes were done
    # written before the cold keys, so only being read all along can have kept every one
    assert result.hot_kept == 50
    assert result.cold_kept < 600  # written once and never read: what went
    # read thirty times, then idle: frequent (LFU keeps them) but not recent (LRU does not)
    if policy == "allkeys-lfu":
        assert result.frequent_kept == 50
    else:
        assert result.frequent_kept < 50
    assert full_redis.config_get("maxmemory-policy")["maxmemory-policy"] == policy


def queue_big_hashes_for_the_thread(full_redis, client) -> None:
    """Eight hashes of 200,000 fields; six UNLINKed (handed to the thread) on `client`."""
    full_redis.config_set("maxmemory", 0)  # room for the big hashes
    try:
        with full_redis.pipeline(transaction=False) as pipe:
            for start in range(0, 200_000, 10_000):
                fields = {f"f{field}": field for field in range(start, start + 10_000)}
                pipe.hset("big:0", mapping=fields)
            for number in range(1, 8):
                pipe.copy("big:0", f"big:{number}")  # the server copies: quicker than sending
            pipe.execute()
    finally:
        full_redis.config_set("maxmemory", MAXMEMORY)
    client.unlink(*[f"big:{number}" for number in range(6)])  # queued for the thread


def test_starting_over_waits_for_the_memory_the_background_thread_still_holds(full_redis):
    # lazy freeing (Valkey 8.0+'s default) sends large values to a background thread: six
    # big hashes unlinked, then start_over at once, on the same connection. A plain FLUSHALL,
    # or SYNC without the wait, leaves megabytes still allocated, and the next write can be
    # refused with OOM. The thread may win the race: then the setup runs again (3 tries)
    for _ in range(3):
        start_over(full_redis, "noeviction")
        client = Recording.from_url(full_redis.url)
        client.ping()  # connected before the UNLINK: nothing between it and start_over
        queue_big_hashes_for_the_thread(full_redis, client)
        client.pending_seen.clear()
        start_over(client, "noeviction")
        client.close()
        if client.pending_seen and client.pending_seen[0] > 0:
            break
    else:
        pytest.fail("the background thread freed the hashes before start_over, three times")

    assert ("FLUSHALL", "SYNC") in client.sent
    assert client.pending_seen[-1] == 0, "start_over returned with memory still to free"
    assert full_redis.info("memory")["lazyfree_pending_objects"] == 0
    assert full_redis.set("after", VALUE)  # not refused with OOM: the memory is free again


class Recording(redis.Redis):
    """A client that remembers the commands it sent and the lazyfree counts INFO gave it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[tuple] = []
        self.pending_seen: list[int] = []

    def execute_command(self, *args, **options):
        self.sent.append(tuple(str(arg).upper() for arg in args))
        reply = super().execute_command(*args, **options)
        if args[0] == "INFO" and "lazyfree_pending_objects" in reply:
            self.pending_seen.append(int(reply["lazyfree_pending_objects"]))
        return reply


def test_the_lru_wait_lasts_until_the_last_key_written_is_idle(full_redis):
    start_over(full_redis, "allkeys-lru")
    fill(full_redis, "cold", 10)
    # the LRU clock ticked after the first nine were written: they are idle, the last is not
    for number in range(9):
        key = f"cold:{number}"
        full_redis.restore(key, 0, full_redis.dump(key), replace=True, idletime=10)

    wait_for_lru_tick(full_redis, "cold", 10)

    idle = [full_redis.object("idletime", f"cold:{number}") for number in range(10)]
    assert min(idle) >= 1, f"some cold keys are not older than what comes next: {idle}"
