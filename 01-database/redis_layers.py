"""What the layers between Python and Redis cost: GET through redis-py, against Redis's ceiling.

Run `python 01-database/redis_layers.py`. The same GET of the same small value, on ONE
connection: redis-py with its pure-Python reply parser, redis-py with `hiredis` (a C parser),
and each of them pipelined (100 GETs per round trip). Each is printed as GETs per
second and as a fraction of `redis-benchmark` run in the same process tree against the same
server with one connection (`-c 1`, and `-P 100` for the pipelined row): the server's own
ceiling for that way of asking, with no Python at all. Where does the time go? On one
connection, mostly into waiting for each round trip; then into building and parsing the
protocol in Python. Pipelining removes most round trips, and then the parsing it leaves is
what hiredis speeds up.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import redis
from redis._parsers import _HiredisParser, _RESP2Parser

PIPELINE_DEPTH = 100
KEY, VALUE = "key:__rand_int__", b"xxx"  # what `redis-benchmark -t get` reads: 3 bytes
INSTALL_HINT = "install it with `sudo apt install redis-tools` or `brew install redis`"


@dataclass(frozen=True)
class Layer:
    """One way of sending GETs: its label, its parser, and how many GETs per round trip."""

    label: str
    parser: type
    depth: int = 1


LAYERS = [
    Layer("redis-py, pure-Python parser", _RESP2Parser),
    Layer("redis-py with hiredis", _HiredisParser),
    Layer(f"redis-py, pipelined x{PIPELINE_DEPTH}", _RESP2Parser, PIPELINE_DEPTH),
    Layer(f"redis-py with hiredis, pipelined x{PIPELINE_DEPTH}", _HiredisParser, PIPELINE_DEPTH),
]


def gets_per_second(redis_url: str, layer: Layer, *, seconds: float) -> float:
    """Send GETs the layer's way on one connection for about `seconds`; return the rate."""
    client = redis.Redis.from_url(redis_url, parser_class=layer.parser)
    try:
        client.set(KEY, VALUE)
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


def server_ceiling(redis_url: str, *, requests: int, depth: int = 1) -> float | None:
    """GETs per second that `redis-benchmark -c 1` reaches; None where it is not installed."""
    program = benchmark_program()
    if program is None:
        return None
    command = [program, "-u", redis_url, "-c", "1", "-n", str(requests), "-P", str(depth),
               "-t", "get", "--csv"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    rows = list(csv.DictReader(output.stdout.splitlines()))
    return float(rows[0]["rps"])


def measure_layers(redis_url: str, *, seconds: float = 2.0, requests: int = 20_000) -> list[dict]:
    """Measure every layer and its ceiling in one run; return one row per layer."""
    ceilings = {
        depth: server_ceiling(redis_url, requests=requests * depth, depth=depth)
        for depth in {layer.depth for layer in LAYERS}
    }
    rows = []
    for layer in LAYERS:
        rate, ceiling = gets_per_second(redis_url, layer, seconds=seconds), ceilings[layer.depth]
        rows.append(
            {"layer": layer.label, "depth": layer.depth, "per_second": rate, "ceiling": ceiling,
             "fraction": rate / ceiling if ceiling else None}
        )  # fmt: skip
    return rows


def benchmark_layers(settings) -> list[dict[str, Any]]:
    """Return each layer's GETs per second beside redis-benchmark's, for `make bench`.

    Without redis-benchmark, the baseline is the pure-Python parser one GET at a time.
    """
    rows = measure_layers(settings.redis_url)
    figures = []
    for row in rows:
        if row["ceiling"]:
            baseline_label, baseline = f"redis-benchmark -c 1 -P {row['depth']}", row["ceiling"]
        else:
            baseline_label, baseline = (
                f"{rows[0]['layer']} (no redis-benchmark)",
                rows[0]["per_second"],
            )
        figures.append(
            {
                "name": f"Redis GET, one connection: {row['layer']}",
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
    print("GET of one 3-byte value on one connection, for 2 s each (higher is better):")
    rows = measure_layers(settings.redis_url)
    for number, row in enumerate(rows, 1):
        share = (
            f"{row['fraction']:.0%} of redis-benchmark's {row['ceiling']:,.0f}/s"
            if row["fraction"]
            else f"redis-benchmark is not installed: {INSTALL_HINT}"
        )
        print(f"{number}. {row['layer']:<34} {row['per_second']:>10,.0f} GET/s  ({share})")
    plain, hiredis, pipelined, both = (row["per_second"] for row in rows)
    print(
        f"Conclusion: one GET at a time, hiredis gives {hiredis / plain:.2f}x the Python parser:"
        f" the round trip is the cost. Pipelined ({pipelined / plain:.0f}x), the parsing is"
        f" what is left, and hiredis gives {both / pipelined:.2f}x on top."
    )


if __name__ == "__main__":
    main()
