"""What each layer between Python and PostgreSQL costs, against pgbench as the server's ceiling.

Run `python 01-database/sql_layers.py`. The same primary-key lookup and the same 1,000-row
read of 100,000 products go through six layers, each on one open connection
(sql_layers_clients.py): bare psycopg, psycopg with a server-side prepared statement,
SQLAlchemy Core, the SQLAlchemy ORM, the Django ORM, and Django's `values_list` (tuples).
Each is printed as queries per second and as a fraction of pgbench running the same two
queries on the same database (sql_layers_pgbench.py): PostgreSQL's own C client, which does
nothing with the rows, so its rate is the ceiling that the server and the loopback round trip
allow. Every layer pays the round trip; a prepared statement skips the parsing and planning;
the driver turns rows into tuples; the ORMs build an object per row (the SQLAlchemy ORM also
files each in its identity map). Both sides get the same warm-up (the same number of queries,
discarded) and the same rounds: each side runs for ROUND_SECONDS (pgbench's `-T` takes whole
seconds), long enough that pgbench's new connection and first queries are a small share of
its run, in an order rotated each round. Each rate is the median of the rounds, printed with
their spread; the absolute numbers depend on the machine, the fractions say what each layer
costs.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from functools import partial

from sql_layers_clients import READ_SIZE, ROWS, add_products, layers
from sql_layers_pgbench import pgbench_problem, pgbench_rate

import course
from course.sandbox import temporary_postgres_database

WARM_UP = {"lookup": 50, "read": 5}  # queries per side, discarded (a read is 1,000 rows)
ROUNDS, ROUND_SECONDS = 3, 1  # about 45 s in all, on 7 sides and 2 queries
PGBENCH = "pgbench -M prepared (C)"
Side = Callable[[int, int], float]  # (seconds, queries) -> queries per second


def pgbench_scripts(*, rows: int = ROWS, size: int = READ_SIZE) -> dict[str, str]:
    """pgbench scripts for the same lookup and read the layers send, at random ids."""
    columns = "id, sku, name, price_cents, stock, version"
    return {
        "lookup": f"\\set id random(1, {rows})\nSELECT {columns} FROM products WHERE id = :id;\n",  # nosec B608  # a pgbench script from constants
        "read": f"\\set first random(1, {rows - size + 1})\n"  # nosec B608  # a pgbench script from constants
        f"SELECT {columns} FROM products WHERE id BETWEEN :first AND :first + {size - 1};\n",
    }


def measure(
    url: str,
    *,
    rounds: int = ROUNDS,
    seconds: int = ROUND_SECONDS,
    warm_up: dict[str, int] = WARM_UP,
    rows: int = ROWS,
    pgbench: bool = True,
) -> dict:
    """Every layer's rate and pgbench's: the same warm-up, then the same rotating rounds.

    `seconds=0` makes each round `warm_up[kind]` queries instead (tiny runs); without
    `pgbench`, or without the program, there is no ceiling and `problem` says why.
    """
    problem = pgbench_problem() if pgbench else "pgbench left out of this run"
    scripts = pgbench_scripts(rows=rows)
    ids = random.Random(19)  # nosec B311  # seeded ids to look up, not a secret
    arguments = {  # cycled through for as long as a round lasts
        "lookup": [ids.randint(1, rows) for _ in range(1_000)],
        "read": [ids.randint(1, rows - READ_SIZE + 1) for _ in range(100)],
    }
    samples: dict[str, dict[str, list[float]]] = {"lookup": {}, "read": {}}
    with layers(url) as clients:
        for position, kind in enumerate(samples):
            sides: dict[str, Side] = {
                name: partial(timed, layer[position], arguments[kind])
                for name, layer in clients.items()
            }
            if not problem:  # pgbench reports its own rate, leaving out its connection time
                sides[PGBENCH] = partial(pgbench_rate, url, scripts[kind])
            for side in sides.values():
                side(0, warm_up[kind])  # the same warm-up on both sides: caches, PREPARE
            # every round runs each side once, in an order rotated each round, so that a busy
            # moment of the machine does not always fall on the same side
            names = list(sides)
            for number in range(rounds):
                for name in names[number % len(names) :] + names[: number % len(names)]:
                    rate = sides[name](seconds, warm_up[kind])
                    samples[kind].setdefault(name, []).append(rate)
    medians = {kind: {name: statistics.median(rates) for name, rates in found.items()}
               for kind, found in samples.items()}  # fmt: skip
    spread = {kind: {name: (min(rates), max(rates)) for name, rates in found.items()}
              for kind, found in samples.items()}  # fmt: skip
    ceiling = None if problem else {kind: found.pop(PGBENCH) for kind, found in medians.items()}
    return {"rates": medians, "spread": spread, "ceiling": ceiling, "problem": problem}


def timed(
    query: Callable[[int], object], arguments: list[int], seconds: int, queries: int
) -> float:
    """Queries per second: the query on each argument in turn for `seconds`, or `queries` times."""
    done, began = 0, time.perf_counter()
    while (time.perf_counter() - began < seconds) if seconds else done < queries:
        query(arguments[done % len(arguments)])
        done += 1
    return done / (time.perf_counter() - began)


def comparison_lines(figures: dict) -> list[str]:
    """Describe measure()'s figures: rate, time per query, time beside psycopg, fraction."""
    titles = {"lookup": "one product by primary key", "read": f"{READ_SIZE:,} products by id range"}
    lines = []
    for kind, title in titles.items():
        lines.append(f"{kind.title()}, {title}, on one connection:")
        lines.append(
            f"   {'':<24} {'queries/s':>9} {'(min-max)':>15} {'each':>9} {'vs psycopg':>11}"
            "  of pgbench"
        )
        top = figures["ceiling"][kind] if figures["ceiling"] else None
        layer_rates = figures["rates"][kind]
        rows = ([(PGBENCH, top)] if top else []) + list(layer_rates.items())
        for name, rate in rows:
            low, high = figures["spread"][kind][name]
            spread = f"({low:,.0f}-{high:,.0f})"
            share = f"{rate / top:10.2f}" if top else ""
            added = f"{added_us(layer_rates, rate):+8,.0f} µs"
            lines.append(
                f"   {name:<24} {rate:>9,.0f} {spread:>15} {1e6 / rate:>6,.0f} µs {added}  {share}"
            )
    if figures["problem"]:
        lines.append(f"   no ceiling to compare with: {figures['problem']}")
    return lines


def added_us(layer_rates: dict[str, float], rate: float) -> float:
    """How many microseconds per query a rate adds to bare psycopg's (negative: saves)."""
    return 1e6 / rate - 1e6 / layer_rates["psycopg"]


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: each layer's rate against pgbench's (or bare psycopg's)."""
    with temporary_postgres_database(settings, prefix="bench_layers") as url:
        add_products(url)
        return bench_figures(measure(url))


def bench_figures(figures: dict) -> list[dict]:
    """measure()'s figures in `make bench`'s shape: one per layer and kind, against the ceiling."""
    result = []
    for kind, layer_rates in figures["rates"].items():
        label, base = (("pgbench", figures["ceiling"][kind]) if figures["ceiling"]
                       else ("psycopg", layer_rates["psycopg"]))  # fmt: skip
        for name, rate in layer_rates.items():
            result.append({
                "name": f"PostgreSQL {kind}, queries/s", "baseline_label": label,
                "baseline": round(base), "measured_label": name, "measured": round(rate),
                "unit": "queries/s", "ratio": round(rate / base, 2),
            })  # fmt: skip
    return result


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_layers") as url:
        add_products(url)
        print(f"{ROWS:,} products; each rate is the median of {ROUNDS} rounds of {ROUND_SECONDS} s")
        print("per side, in rotating order, after the same warm-up on every side.")
        figures = measure(url)
    print("\n".join(comparison_lines(figures)))
    print("Conclusion: every layer pays the round trip; each one above the driver adds Python")
    print("work per query and per row, most of all the objects an ORM builds: where a page reads")
    print("many rows, ask for rows (Core, values_list), not models.")


if __name__ == "__main__":
    course.script_arguments()
    main()
