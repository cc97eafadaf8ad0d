"""GET through redis-py's layers, each beside redis-benchmark's ceiling (rates, never asserted)."""

from types import SimpleNamespace

import pytest
import redis
import redis_layers
from redis._parsers import _HiredisParser
from redis_layers import (
    LAYERS,
    benchmark_layers,
    benchmark_program,
    gets_per_second,
)

from course.bench import validate_figures


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


@pytest.mark.parametrize("with_redis_benchmark", [True, False])
def test_the_benchmark_figures_have_the_shape_make_bench_checks(
    redis_url, monkeypatch, with_redis_benchmark
):
    if with_redis_benchmark and benchmark_program() is None:
        pytest.skip("redis-benchmark is not installed: `sudo apt install redis-tools`")
    if not with_redis_benchmark:
        monkeypatch.setattr(redis_layers, "benchmark_program", lambda: None)
    measure = redis_layers.measure_layers
    monkeypatch.setattr(
        redis_layers, "measure_layers", lambda url: measure(url, seconds=0.05, requests=200)
    )

    figures = validate_figures(benchmark_layers(SimpleNamespace(redis_url=redis_url)), "layers")

    assert [figure["measured_label"] for figure in figures] == [layer.label for layer in LAYERS]
    expected = "redis-benchmark -c 1" if with_redis_benchmark else "(no redis-benchmark)"
    assert all(expected in figure["baseline_label"] for figure in figures)
