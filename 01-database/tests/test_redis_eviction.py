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
    # the keys evicted just now may wait for the background thread (lazyfree-lazy-eviction):
    # starting over waits for it, or the next run would fill a server that is not empty yet
    start_over(full_redis, policy)
    assert full_redis.info("memory")["lazyfree_pending_objects"] == 0


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
