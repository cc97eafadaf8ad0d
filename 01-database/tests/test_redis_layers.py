"""GET through redis-py's layers, each beside redis-benchmark's ceiling (rates, never asserted)."""

import pytest
import redis
from redis._parsers import _HiredisParser
from redis_layers import LAYERS, benchmark_program, gets_per_second, measure_layers


def test_each_layer_really_uses_its_parser(redis_url):
    for layer in LAYERS:
        client = redis.Redis.from_url(redis_url, parser_class=layer.parser)
        client.ping()
        connection = client.connection_pool.get_connection()
        assert isinstance(connection._parser, _HiredisParser) == (layer.parser is _HiredisParser)
        client.connection_pool.release(connection)
        client.close()


def test_every_layer_returns_a_rate_and_reads_the_value_it_set(redis_url, redis_client):
    rate = gets_per_second(redis_url, LAYERS[-1], seconds=0.05)

    assert rate > 0
    assert redis_client.get("key:__rand_int__") == "xxx"


def test_the_ceiling_comes_from_redis_benchmark_in_the_same_run(redis_url):
    if benchmark_program() is None:
        pytest.skip("redis-benchmark is not installed: `sudo apt install redis-tools`")

    rows = measure_layers(redis_url, seconds=0.05, requests=200)

    assert [row["layer"] for row in rows] == [layer.label for layer in LAYERS]
    assert all(row["ceiling"] > 0 and row["fraction"] > 0 for row in rows)
