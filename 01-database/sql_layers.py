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
files each in its identity map). Each rate is the median of alternating rounds; the absolute
numbers depend on the machine, the fractions say what each layer costs.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable

from db_timing import alternating_ms
from sql_layers_clients import READ_SIZE, ROWS, add_products, layers
from sql_layers_pgbench import pgbench_problem, pgbench_rate

import course
from course.sandbox import temporary_postgres_database

LOOKUPS, READS, ROUNDS = 1_000, 20, 3  # per round: a second or less per layer


def pgbench_scripts(*, rows: int = ROWS, size: int = READ_SIZE) -> dict[str, str]:
    """pgbench scripts for the same lookup and read the layers send, at random ids."""
    columns = "id, sku, name, price_cents, stock, version"
    return {
        "lookup": f"\\set id random(1, {rows})\nSELECT {columns} FROM products WHERE id = :id;\n",
        "read": f"\\set first random(1, {rows - size + 1})\n"
        f"SELECT {columns} FROM products WHERE id BETWEEN :first AND :first + {size - 1};\n",
    }


def rates(url: str, *, lookups: int, reads: int, rounds: int, rows: int = ROWS) -> dict:
    """Queries per second of every layer, {"lookup": {layer: rate}, "read": {...}}."""
    ids, size = random.Random(19), READ_SIZE
    lookup_ids = [ids.randint(1, rows) for _ in range(lookups)]
    read_ids = [ids.randint(1, rows - size + 1) for _ in range(reads)]
    found: dict[str, dict[str, float]] = {"lookup": {}, "read": {}}
    with layers(url) as clients:
        for kind, position, arguments in (("lookup", 0, lookup_ids), ("read", 1, read_ids)):
            runs = {name: batch(layer[position], arguments) for name, layer in clients.items()}
            for run in runs.values():
                run()  # warm-up: caches, prepared statements, Django's first query
            durations = alternating_ms(runs, rounds=rounds)
            for name, ms in durations.items():
                found[kind][name] = len(arguments) / (statistics.median(ms) / 1000)
    return found


def batch(query: Callable[[int], object], arguments: list[int]) -> Callable[[], None]:
    """One timed run: the query once for each argument."""

    def run() -> None:
        for argument in arguments:
            query(argument)

    return run


def ceiling(url: str, *, lookups: int, reads: int, rounds: int, rows: int = ROWS) -> dict:
    """pgbench's median rate for the same lookup and read, {"lookup": tps, "read": tps}."""
    scripts, counts = pgbench_scripts(rows=rows), {"lookup": lookups, "read": reads}
    return {
        kind: statistics.median(
            pgbench_rate(url, scripts[kind], transactions=counts[kind]) for _ in range(rounds)
        )
        for kind in scripts
    }


def measure(url: str, *, lookups=LOOKUPS, reads=READS, rounds=ROUNDS, rows=ROWS) -> dict:
    """Every layer's rates, and pgbench's (None, with the reason, where it is missing)."""
    problem, sizes = pgbench_problem(), {"lookups": lookups, "reads": reads, "rounds": rounds}
    return {
        "rates": rates(url, **sizes, rows=rows),
        "ceiling": None if problem else ceiling(url, **sizes, rows=rows),
        "problem": problem,
    }


def comparison_lines(figures: dict) -> list[str]:
    """Describe measure()'s figures: rate, time per query, time beside psycopg, fraction."""
    titles = {"lookup": "one product by primary key", "read": f"{READ_SIZE:,} products by id range"}
    lines = []
    for kind, title in titles.items():
        lines.append(f"{kind.title()}, {title}, on one connection:")
        lines.append(f"   {'':<24} {'queries/s':>9} {'each':>9} {'vs psycopg':>11}  of pgbench")
        top = figures["ceiling"][kind] if figures["ceiling"] else None
        layer_rates = figures["rates"][kind]
        rows = ([("pgbench -M prepared (C)", top)] if top else []) + list(layer_rates.items())
        for name, rate in rows:
            share = f"{rate / top:10.2f}" if top else ""
            added = f"{added_us(layer_rates, rate):+8,.0f} µs"
            lines.append(f"   {name:<24} {rate:>9,.0f} {1e6 / rate:>6,.0f} µs {added}  {share}")
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
        figures = measure(url)
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
        print(f"{ROWS:,} products; each rate is the median of {ROUNDS} alternating rounds.")
        figures = measure(url)
    print("\n".join(comparison_lines(figures)))
    print("Conclusion: every layer pays the round trip; each one above the driver adds Python")
    print("work per query and per row, most of all the objects an ORM builds: where a page reads")
    print("many rows, ask for rows (Core, values_list), not models.")


if __name__ == "__main__":
    main()
