"""What the layers between Python and Redis cost: GET through redis-py, against a C client's rate.

Run `python 01-database/redis_layers.py`. The same GET of the same small value, on ONE
connection: redis-py without hiredis (commands packed and replies parsed in Python), redis-py
with `hiredis` (both done in C: with hiredis installed, redis-py 5+ also packs every command
with it), and each of them pipelined (100 GETs per round trip). Each is printed as GETs per
second and as a fraction of `redis-benchmark` (or Valkey's `valkey-benchmark`, whichever is on
PATH) run in the same process tree against the same server with one connection (`-c 1`, and
`-P 100` for the pipelined row): what one C client reaches asking that way, with no Python at all;
the rows are labelled with the server's own name and the program's. Every side speaks RESP2, as
redis-benchmark does, gets the same warm-up and the same rounds in rotating order; each rate is
the median. Where does the time go? redis-benchmark makes the same round trip on the same
loopback about twice as fast or more (BENCHMARKS.md has a committed run; machines differ, and
the printed Conclusion gives this run's own share), so on one connection about half of each
GET's time or more is redis-py's own work in Python (its command path, pool and parser), not
the wire. hiredis takes part of that work into C, a similar share one at a time
and pipelined; pipelining is the big step, because it spreads both that work and the round trip
over 100 GETs.
"""

from __future__ import annotations

import csv
import math
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis._parsers import Encoder, _HiredisParser, _RESP2Parser
from redis.connection import PythonRespSerializer
from redis_structures import server_label

PIPELINE_DEPTH = 100
ROUNDS, ROUND_SECONDS = 3, 0.7
KEY, VALUE = "key:__rand_int__", b"xxx"  # what `redis-benchmark -t get` reads: 3 bytes
INSTALL_HINT = "install it with `sudo apt install redis-tools` or `brew install redis`"


@dataclass(frozen=True)
class Layer:
    """One way of sending GETs: its label, whether hiredis packs and parses, GETs per trip."""

    label: str
    hiredis: bool
    depth: int = 1


LAYERS = [
    Layer("redis-py without hiredis", False),
    Layer("redis-py with hiredis", True),
    Layer(f"redis-py without hiredis, pipelined x{PIPELINE_DEPTH}", False, PIPELINE_DEPTH),
    Layer(f"redis-py with hiredis, pipelined x{PIPELINE_DEPTH}", True, PIPELINE_DEPTH),
]


def layer_client(redis_url: str, layer: Layer) -> redis.Redis:
    """A client that packs and parses the layer's way, in RESP2 (redis-benchmark's protocol)."""
    if layer.hiredis:  # hiredis's C parser, and (redis-py's default with it) its C packer
        return redis.Redis.from_url(redis_url, protocol=2, parser_class=_HiredisParser)
    # without protocol=2 redis-py 8 says HELLO 3 and swaps _RESP2Parser for _RESP3Parser; and
    # with hiredis installed it packs with hiredis whatever the parser: name the Python packer
    packer = PythonRespSerializer(6000, Encoder("utf-8", "strict", False).encode)
    return redis.Redis.from_url(
        redis_url, protocol=2, parser_class=_RESP2Parser, command_packer=packer
    )


def gets_per_second(redis_url: str, layer: Layer, *, seconds: float) -> float:
    """Send GETs the layer's way on one connection for about `seconds`; return the rate."""
    client = layer_client(redis_url, layer)
    try:
        client.get(KEY)  # connect and warm up before the clock starts
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            if layer.depth == 1:
                client.get(KEY)
            else:
                with client.pipeline(transaction=False) as pipe:
                    for _ in range(layer.depth):
                        pipe.get(KEY)
                    pipe.execute()
            done += layer.depth
        return done / (time.perf_counter() - began)
    finally:
        client.close()


def benchmark_program() -> str | None:
    """The `redis-benchmark` (or Valkey's `valkey-benchmark`) on PATH, or None."""
    return shutil.which("redis-benchmark") or shutil.which("valkey-benchmark")


def program_name() -> str:
    """The benchmark program's name as a label: "redis-benchmark" or "valkey-benchmark"."""
    program = benchmark_program()
    return Path(program).name if program else "redis-benchmark"


def server_ceiling(redis_url: str, *, requests: int, depth: int = 1) -> float | None:
    """GETs per second that `redis-benchmark -c 1` reaches (one C client); None without it."""
    program = benchmark_program()
    if program is None:
        return None
    for _ in range(4):  # a run over in under a millisecond has no rate ("inf"): run 10x longer
        command = [program, "-u", redis_url, "-c", "1", "-n", str(requests), "-P", str(depth),
                   "-t", "get", "--csv"]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
        [row] = csv.DictReader(output.stdout.splitlines())
        rate = float(row["rps"])
        if math.isfinite(rate):
            return rate
        requests *= 10
    raise RuntimeError(f"{Path(program).name} reported no finite rate, even for {requests:,} GETs")


def measure_layers(
    redis_url: str, *, seconds: float = ROUND_SECONDS, requests: int = 10_000, rounds=ROUNDS
) -> list[dict]:
    """Measure every layer and its ceiling in the same rotating rounds; one row per layer."""
    client = redis.Redis.from_url(redis_url)
    server, program = server_label(client), program_name()
    client.set(KEY, VALUE)  # before the ceilings too: redis-benchmark GETs this very key
    sides: dict[object, Callable[[], float | None]] = {
        layer: lambda layer=layer: gets_per_second(redis_url, layer, seconds=seconds)
        for layer in LAYERS
    }
    for depth in sorted({layer.depth for layer in LAYERS}):
        sides[depth] = lambda depth=depth: server_ceiling(
            redis_url, requests=requests * depth, depth=depth
        )
    samples: dict[object, list[float | None]] = {side: [] for side in sides}
    names = list(sides)
    try:
        for number in range(rounds):  # rotated, so a busy moment does not always hit one side
            for side in names[number % len(names) :] + names[: number % len(names)]:
                samples[side].append(sides[side]())
    finally:
        client.delete(KEY)
        client.close()
    rows = []
    for layer in LAYERS:
        rate, found = statistics.median(samples[layer]), samples[layer.depth]
        ceiling = statistics.median(found) if None not in found else None
        rows.append(
            {"layer": layer.label, "depth": layer.depth, "per_second": rate, "ceiling": ceiling,
             "server": server, "program": program,
             "fraction": rate / ceiling if ceiling else None,
             "spread": (min(samples[layer]), max(samples[layer]))}
        )  # fmt: skip
    return rows


def benchmark_layers(settings) -> list[dict[str, Any]]:
    """Return each layer's GETs per second beside redis-benchmark's, for `make bench`.

    Without redis-benchmark, the baseline is redis-py without hiredis, one GET at a time.
    """
    rows = measure_layers(settings.redis_url)
    figures = []
    for row in rows:
        if row["ceiling"]:
            baseline_label, baseline = f"{row['program']} -c 1 -P {row['depth']}", row["ceiling"]
        else:
            baseline_label, baseline = (
                f"{rows[0]['layer']} (no redis-benchmark)",
                rows[0]["per_second"],
            )
        figures.append(
            {
                "name": f"{row['server']} GET, one connection: {row['layer']}",
                "baseline_label": baseline_label,
                "baseline": round(baseline),
                "measured_label": row["layer"],
                "measured": round(row["per_second"]),
                "unit": "GET/s",
                "ratio": round(row["per_second"] / baseline, 3),
            }
        )
    return figures


def main() -> None:
    import course

    settings = course.require("redis")
    with redis.Redis.from_url(settings.redis_url) as client:
        server = server_label(client)
    print(f"GET of one 3-byte value from {server} on one connection; each rate the median")
    print(f"of {ROUNDS} rounds of {ROUND_SECONDS} s in rotating order (higher is better):")
    rows = measure_layers(settings.redis_url)
    for number, row in enumerate(rows, 1):
        share = (
            f"{row['fraction']:.0%} of {row['program']}'s {row['ceiling']:,.0f}/s"
            if row["fraction"]
            else f"redis-benchmark is not installed: {INSTALL_HINT}"
        )
        low, high = row["spread"]
        print(
            f"{number}. {row['layer']:<44} {row['per_second']:>9,.0f} GET/s"
            f" ({low:,.0f}-{high:,.0f}; {share})"
        )
    print(conclusion(rows))


def gain(faster: dict, slower: dict) -> str:
    """Return one row's rate over another's, and say so when their rounds overlap (noise)."""
    ratio = f"{faster['per_second'] / slower['per_second']:.2f}x"
    if faster["spread"][0] <= slower["spread"][1] and slower["spread"][0] <= faster["spread"][1]:
        return f"{ratio} (within this run's noise: the two sides' rounds overlap)"
    return ratio


def conclusion(rows: list[dict]) -> str:
    """Return the Conclusion line, every claim in it computed from the measured rows."""
    plain, pipelined = rows[0]["per_second"], rows[2]["per_second"]
    if rows[0]["fraction"]:  # the round trip alone (and the server) is the C client's time
        wire = (
            f"{rows[0]['program']}'s round trip is {rows[0]['fraction']:.0%} of redis-py's time per"
            " GET; the rest is redis-py's own work in Python"
        )
    else:
        wire = "install redis-benchmark to see how much of each GET is the round trip"
    return (
        f"Conclusion: one GET at a time, {wire}. hiredis gives {gain(rows[1], rows[0])} one at"
        f" a time and {gain(rows[3], rows[2])} pipelined; pipelining gives"
        f" {pipelined / plain:.0f}x, spreading that work and the round trip over 100 GETs."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
