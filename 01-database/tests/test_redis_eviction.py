"""A full Redis refuses writes under noeviction and evicts the unused keys under LRU and LFU."""

import logging

import pytest
import redis
from redis_eviction import MAXMEMORY, VALUE, cache_put, evict, start_over, write_until_refused

from course.services.private import private_server

# one private server for the module (each test starts over on it), on one xdist worker
pytestmark = pytest.mark.xdist_group("redis-eviction")


@pytest.fixture(scope="module")
def full_redis():
    with private_server("redis", extra_args=["--maxmemory", MAXMEMORY]) as server:
        client = redis.Redis.from_url(server.url)
        yield client
        client.close()


def test_noeviction_refuses_the_write_past_the_limit_and_still_serves_reads(full_redis):
    start_over(full_redis, "noeviction")

    written, error = write_until_refused(full_redis)

    assert isinstance(error, redis.OutOfMemoryError)
    assert "maxmemory" in str(error)
    assert 100 < written < 2048  # some KiB fitted, fewer than the 2 MB limit
    assert full_redis.get("data:0") == VALUE
    assert full_redis.dbsize() == written  # nothing was evicted to make room


def test_a_cache_write_to_a_full_redis_is_skipped_with_a_warning(full_redis, caplog):
    start_over(full_redis, "noeviction")
    write_until_refused(full_redis)

    with caplog.at_level(logging.WARNING, logger="redis_eviction"):
        stored = cache_put(full_redis, "report", VALUE)

    assert stored is False
    assert "Redis is full" in caplog.text


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu"])
def test_an_evicting_policy_takes_every_write_and_keeps_the_keys_in_use(full_redis, policy):
    result = evict(full_redis, policy)

    assert result.evicted > 0  # INFO stats evicted_keys, read once the writes were done
    assert result.hot_kept == 50  # read all along: never the least recently/frequently used
    assert result.cold_kept < 600  # written once and never read: what went
    assert full_redis.config_get("maxmemory-policy")["maxmemory-policy"] == policy
