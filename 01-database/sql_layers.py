"""What each layer between Python and PostgreSQL costs, against pgbench as the server's ceiling.

Run `python 01-database/sql_layers.py`. The same primary-key lookup and the same 1,000-row
read of 100,000 products go through five layers, each on one open connection
(sql_layers_clients.py): bare psycopg, psycopg with a server-side prepared statement,
SQLAlchemy Core, the SQLAlchemy ORM and the Django ORM. Each is printed as queries per second
and as a fraction of pgbench running the same two queries on the same database
(sql_layers_pgbench.py): PostgreSQL's own C client, which does nothing with the rows, so its
rate is the ceiling that the server and the loopback round trip allow. Every layer pays the
round trip; a prepared statement skips the parsing and planning; the driver turns rows into
tuples; the ORMs build an object per row (the SQLAlchemy ORM also files each in its identity
map). Each rate is the median of alternating rounds; the absolute numbers depend on the
machine, the fractions say what each layer costs.
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

LOOKUPS, READS, ROUNDS = 2_000, 40, 3  # per round: about a second per layer
LOOKUP_SCRIPT = (
    f"\\set id random(1, {ROWS})\n"
    "SELECT id, sku, name, price_cents, stock, version FROM products WHERE id = :id;\n"
)
READ_SCRIPT = (
    f"\\set first random(1, {ROWS - READ_SIZE + 1})\n"
    "SELECT id, sku, name, price_cents, stock, version FROM products"
    f" WHERE id BETWEEN :first AND :first + {READ_SIZE - 1};\n"
)


def rates(url: str, *, lookups: int, reads: int, rounds: int, size: int = READ_SIZE) -> dict:
    """Queries per second of every layer, {"lookup": {layer: rate}, "read": {...}}."""
    ids = random.Random(19)
    lookup_ids = [ids.randint(1, ROWS) for _ in range(lookups)]
    read_ids = [ids.randint(1, ROWS - size + 1) for _ in range(reads)]
    found: dict[str, dict[str, float]] = {"lookup": {}, "read": {}}
    with layers(url, size=size) as clients:
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


def ceiling(url: str, *, lookups: int, reads: int, rounds: int) -> dict[str, float]:
    """pgbench's median rate for the same lookup and read, {"lookup": tps, "read": tps}."""
    return {
        "lookup": statistics.median(
            pgbench_rate(url, LOOKUP_SCRIPT, transactions=lookups) for _ in range(rounds)
        ),
        "read": statistics.median(
            pgbench_rate(url, READ_SCRIPT, transactions=reads) for _ in range(rounds)
        ),
    }


def measure(url: str, *, lookups: int = LOOKUPS, reads: int = READS, rounds: int = ROUNDS) -> dict:
    """Every layer's rates, and pgbench's (None, with the reason, where it is missing)."""
    problem = pgbench_problem()
    return {
        "rates": rates(url, lookups=lookups, reads=reads, rounds=rounds),
        "ceiling": None if problem else ceiling(url, lookups=lookups, reads=reads, rounds=rounds),
        "problem": problem,
    }


def comparison_lines(figures: dict) -> list[str]:
    """Describe measure()'s figures: rate, time per query and the fraction of the ceiling."""
    titles = {"lookup": "one product by primary key", "read": f"{READ_SIZE:,} products by id range"}
    lines = []
    for kind, title in titles.items():
        lines.append(f"{kind.title()}, {title} (queries/s on one connection):")
        top = figures["ceiling"][kind] if figures["ceiling"] else None
        rows = ([("pgbench -M prepared (C)", top)] if top else []) + list(
            figures["rates"][kind].items()
        )
        for name, rate in rows:
            share = f"  {rate / top:5.2f} of pgbench" if top else ""
            lines.append(f"   {name:<24} {rate:>9,.0f}/s  {1e6 / rate:>8,.0f} µs each{share}")
    if figures["problem"]:
        lines.append(f"   no ceiling to compare with: {figures['problem']}")
    return lines


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
    print("Conclusion: on a lookup the round trip dominates and every layer stays near the")
    print("ceiling; on 1,000 rows the objects dominate: read rows, not models, where it matters.")


if __name__ == "__main__":
    main()
