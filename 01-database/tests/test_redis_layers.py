"""GET through redis-py's layers, each beside one C client's rate (rates, never asserted)."""

from types import SimpleNamespace

import pytest
import redis
import redis_layers
from redis._parsers import _HiredisParser, _RESP2Parser
from redis.connection import HiredisRespSerializer, PythonRespSerializer
from redis_layers import KEY, LAYERS, benchmark_layers, benchmark_program, layer_client
from redis_structures import server_label

from course.bench import validate_figures
from course.redis_wire import watch_sent_commands


def test_each_layer_packs_and_parses_the_way_its_label_says(redis_url):
    for layer in LAYERS:
        client = layer_client(redis_url, layer)
        client.ping()
        connection = client.connection_pool.get_connection()

        # with hiredis installed, redis-py packs with it unless told otherwise, whatever parser
        packer, parser = (HiredisRespSerializer, _HiredisParser) if layer.hiredis else (
            PythonRespSerializer, _RESP2Parser)  # fmt: skip
        assert type(connection._command_packer) is packer, layer.label
        assert type(connection._parser) is parser, layer.label
        assert connection.protocol == 2  # RESP2, as redis-benchmark speaks
        client.connection_pool.release(connection)
        client.close()


def test_a_tiny_run_gives_every_layer_a_rate_and_leaves_no_key(redis_url, redis_client):
    rows = redis_layers.measure_layers(redis_url, seconds=0.02, requests=50, rounds=1)

    assert [row["layer"] for row in rows] == [layer.label for layer in LAYERS]
    assert all(row["per_second"] > 0 for row in rows)
    assert redis_client.get(KEY) is None  # set for the run (the ceiling reads it too), then gone


def rows_of(rates, fraction, spreads=None):
    spreads = spreads or [(rate * 0.99, rate * 1.01) for rate in rates]
    return [
        {"per_second": rate, "fraction": fraction, "spread": spread, "program": "redis-benchmark"}
        for rate, spread in zip(rates, spreads, strict=True)
    ]


@pytest.mark.parametrize(("fraction", "said"), [(0.25, "round trip is 25% of"), (None, "install")])
def test_the_conclusion_says_only_what_the_figures_show(fraction, said):
    rows = rows_of((1_000, 1_500, 40_000, 50_000), fraction)

    line = redis_layers.conclusion(rows)

    assert said in line
    assert "1.50x one at a time and 1.25x pipelined; pipelining gives 40x" in line


def test_the_conclusion_calls_a_gain_noise_when_the_rounds_overlap():
    # hiredis one at a time: 1,100 against 1,000, but its slowest round (900) was slower than
    # the plain client's fastest (1,200): the run cannot tell them apart
    spreads = [(800, 1_200), (900, 1_300), (39_000, 41_000), (49_000, 51_000)]
    line = redis_layers.conclusion(rows_of((1_000, 1_100, 40_000, 50_000), 0.25, spreads))

    assert "1.10x (within this run's noise: the two sides' rounds overlap) one at a time" in line
    assert "1.25x pipelined" in line


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
        redis_layers,
        "measure_layers",
        lambda url: measure(url, seconds=0.02, requests=50, rounds=1),
    )

    figures = validate_figures(benchmark_layers(SimpleNamespace(redis_url=redis_url)), "layers")

    assert [figure["measured_label"] for figure in figures] == [layer.label for layer in LAYERS]
    with redis.Redis.from_url(redis_url) as client:  # "Valkey 9.1.2 GET" in embedded mode
        assert all(f["name"].startswith(f"{server_label(client)} GET") for f in figures)
    expected = "redis-benchmark -c 1" if with_redis_benchmark else "(no redis-benchmark)"
    assert all(expected in figure["baseline_label"] for figure in figures)
    for figure in figures:  # higher is better: the ratio is measured over baseline, not inverted
        # (1%: the figures beside it are rounded to whole GETs per second)
        expected = figure["measured"] / figure["baseline"]
        assert figure["ratio"] == pytest.approx(expected, rel=0.01, abs=0.001)


class Clock:
    """A perf_counter one second further on at every call: the loop no longer depends on time."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1
        return self.now


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.label)
def test_the_rate_counts_every_get_a_round_trip_carries(redis_url, monkeypatch, layer):
    monkeypatch.setattr(redis_layers, "time", Clock())
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.extend(names))

    # the clock reads 1 at the start; 2, 3 and 4 pass the loop's check (under 1 + 3.5), 5
    # ends it, and 6 is the end: three round trips in five "seconds"
    rate = redis_layers.gets_per_second(redis_url, layer, seconds=3.5)

    assert rate == 3 * layer.depth / 5
    # and the GETs counted were sent: the warm-up's one, then three trips of `depth` each
    assert sent.count("GET") == 1 + 3 * layer.depth


def benchmark_output(rps: object) -> SimpleNamespace:
    """What `redis-benchmark -t get --csv` prints, as subprocess.run returns it."""
    return SimpleNamespace(stdout=f'"test","rps"\n"GET","{rps}"\n')


def fake_benchmark_run(commands):
    """subprocess.run for the benchmark program: 1,000 GET/s for each unit of depth."""

    def run(command, **_):
        commands.append(command)
        return benchmark_output(1000 * int(command[command.index("-P") + 1]))

    return run


def test_each_depth_is_compared_with_redis_benchmark_at_the_same_depth(redis_url, monkeypatch):
    commands = []
    monkeypatch.setattr(redis_layers, "benchmark_program", lambda: "redis-benchmark")
    monkeypatch.setattr(redis_layers.subprocess, "run", fake_benchmark_run(commands))

    rows = redis_layers.measure_layers(redis_url, seconds=0.01, requests=50, rounds=1)

    assert sorted(int(c[c.index("-P") + 1]) for c in commands) == [1, redis_layers.PIPELINE_DEPTH]
    for row in rows:  # each row's ceiling is redis-benchmark's at the row's own depth
        assert row["ceiling"] == 1000 * row["depth"], row["layer"]
        assert row["fraction"] == row["per_second"] / row["ceiling"]


def test_the_baseline_is_labelled_by_the_program_that_ran(redis_url, monkeypatch):
    # where only Valkey's tools are installed, the rows must not say redis-benchmark ran
    monkeypatch.setattr(redis_layers, "benchmark_program", lambda: "/usr/bin/valkey-benchmark")
    monkeypatch.setattr(redis_layers.subprocess, "run", fake_benchmark_run([]))
    measure = redis_layers.measure_layers
    fast = {"seconds": 0.01, "requests": 50, "rounds": 1}
    monkeypatch.setattr(redis_layers, "measure_layers", lambda url: measure(url, **fast))

    figures = benchmark_layers(SimpleNamespace(redis_url=redis_url))

    assert [f["baseline_label"].split(" -c ")[0] for f in figures] == ["valkey-benchmark"] * 4


def test_a_benchmark_run_too_short_to_time_is_run_again_longer(redis_url, monkeypatch):
    # redis-benchmark prints "inf" requests per second for a run shorter than its clock tick
    asked = []

    def run(command, **_):
        asked.append(int(command[command.index("-n") + 1]))
        return benchmark_output("inf" if len(asked) == 1 else 2000)

    monkeypatch.setattr(redis_layers, "benchmark_program", lambda: "redis-benchmark")
    monkeypatch.setattr(redis_layers.subprocess, "run", run)

    assert redis_layers.server_ceiling(redis_url, requests=50, depth=100) == 2000
    assert asked == [50, 500]
