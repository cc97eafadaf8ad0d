"""Migrations with Alembic: a schema history you can replay forwards and backwards.

Run `python 01-database/sql_migrations.py`. On an empty database you will see revision 0001
create the tables, an order written the old way (no total column yet), revision 0002 add
`orders.total_cents` (nullable, kept right by a trigger until the code that writes it is
deployed), 0002b backfill it from the order lines and require it, 0003 add an index, a check
that the migrated schema matches the models exactly (no drift), a downgrade to an empty
database and an upgrade back to head.

Run `python 01-database/sql_migrations.py --alembic-cli` to see the same history through the
real `alembic` command (history, upgrade head, current, downgrade base), each run with
`-x url=` aimed at a scratch database that is dropped afterwards. Without `-x url=`, alembic
would migrate the shared `course` database in DATABASE_URL.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from textwrap import indent

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sql_models import Base, make_engine
from sqlalchemy import Engine, inspect, text

import course
from course.sandbox import temporary_postgres_database

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
ALEMBIC_CLI_STEPS = [["history"], ["upgrade", "head"], ["current"], ["downgrade", "base"]]


def alembic_config(url: str) -> Config:
    """Return Alembic's configuration for the lesson's migrations, aimed at `url`."""
    config = Config(ALEMBIC_INI)
    config.attributes["url"] = url  # read by migrations/env.py
    config.attributes["configure_logging"] = False  # leave the caller's logging alone
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database forwards to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database backwards to `revision` ("base" is the empty schema)."""
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at (Alembic keeps it in `alembic_version`)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# what autogenerate cannot compare (CHECK constraints, among others), read from the catalog:
# every constraint, column (type, NOT NULL, default) and index, in a form both sides share
SCHEMA_CATALOG = text("""
SELECT 'constraint ' || conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ': ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
                AND c.relnamespace = 'public'::regnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'index ' || tablename || '.' || indexname || ': ' || indexdef
FROM pg_indexes WHERE schemaname = 'public'
""")


def autogenerate_drift(engine: Engine) -> list:
    """Return what autogenerate finds between the database and the models (types, defaults too)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, Base.metadata)


def schema_catalog(engine: Engine) -> set[str]:
    """Return every constraint, column and index of the database, one line each."""
    with engine.connect() as connection:
        lines = set(connection.scalars(SCHEMA_CATALOG))
    return {line for line in lines if "alembic_version" not in line}


def catalog_drift(engine: Engine, settings: course.Settings) -> list[str]:
    """Compare the catalog with a database that `create_all()` built from the models."""
    with temporary_postgres_database(settings, prefix="drift_reference") as reference_url:
        reference = make_engine(reference_url)
        Base.metadata.create_all(reference)
        expected = schema_catalog(reference)
        reference.dispose()
    actual = schema_catalog(engine)
    return sorted(
        [f"missing from the database: {line}" for line in expected - actual]
        + [f"not in the models: {line}" for line in actual - expected]
    )


def schema_drift(engine: Engine, settings: course.Settings) -> list:
    """Return every difference between the migrated database and the models."""
    return autogenerate_drift(engine) + catalog_drift(engine, settings)


def table_names(engine: Engine) -> list[str]:
    """Return the tables in the database, Alembic's own included."""
    return sorted(inspect(engine).get_table_names())


def add_order_the_old_way(engine: Engine) -> int:
    """Write a customer, a product and a two-line order as revision 0001 knew them."""
    with engine.begin() as connection:
        return connection.execute(
            text("""
            WITH c AS (INSERT INTO customers (email, name) VALUES ('ada@example.com', 'Ada')
                       RETURNING id),
                 p AS (INSERT INTO products (sku, name, price_cents, stock)
                       VALUES ('KB-01', 'Keyboard', 8900, 5), ('MS-01', 'Mouse', 2900, 5)
                       RETURNING id, price_cents),
                 o AS (INSERT INTO orders (customer_id) SELECT id FROM c RETURNING id)
            INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)
            SELECT o.id, p.id, 2, p.price_cents FROM o, p RETURNING order_id
            """)
        ).scalar()


def order_totals(engine: Engine) -> list[tuple[int, int]]:
    """Return (order id, total in cents) for every order."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, total_cents FROM orders ORDER BY id"))
        return [(order_id, total) for order_id, total in rows]


def run_alembic_cli(url: str, arguments: list[str]) -> str:
    """Run the real `alembic` command against `url`; return what it printed."""
    alembic = Path(sys.executable).with_name("alembic")
    command_line = [str(alembic), "-c", str(ALEMBIC_INI), "-x", f"url={url}", *arguments]
    # alembic logs its steps to stderr and prints results to stdout: one merged stream keeps
    # them in the order a terminal shows them
    finished = subprocess.run(
        command_line, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True
    )
    return finished.stdout.strip()


def show_alembic_cli(settings: course.Settings) -> None:
    """Print alembic's shell commands and their output, run on a scratch database."""
    with temporary_postgres_database(settings, prefix="sql_migrations_cli") as url:
        print("A scratch database, so the shared `course` database is never migrated:")
        for arguments in ALEMBIC_CLI_STEPS:
            shell = ".venv/bin/alembic -c 01-database/alembic.ini -x url=$SCRATCH"
            print(f"$ {shell} {' '.join(arguments)}")
            print(indent(run_alembic_cli(url, arguments), "  "))
    print("The scratch database is dropped.")


def main(*, alembic_cli: bool = False) -> None:
    settings = course.require("postgres")
    if alembic_cli:
        show_alembic_cli(settings)
        return
    with temporary_postgres_database(settings, prefix="sql_migrations") as url:
        engine = make_engine(url)
        upgrade(url, "0001")
        print(f"1. upgrade 0001: revision {current_revision(engine)}, tables {table_names(engine)}")
        add_order_the_old_way(engine)
        print("2. An order of 2 keyboards (89.00) and 2 mice (29.00), written with no total.")
        upgrade(url, "0002")
        print(f"3. upgrade 0002 (expand) added orders.total_cents: {order_totals(engine)}")
        print("   (deploy the code that writes the total here; a trigger covers the old code)")
        upgrade(url, "0002b")
        print(f"   upgrade 0002b (contract) backfilled and required it: {order_totals(engine)}")
        upgrade(url, "head")
        indexes = [index["name"] for index in inspect(engine).get_indexes("orders")]
        print(f"4. upgrade head ({current_revision(engine)}): indexes on orders {indexes}")
        drift = schema_drift(engine, settings)
        print(f"5. Differences between the migrated schema and the models: {drift}")
        print("   (autogenerate, with types and server defaults, plus the catalog's CHECKs,")
        print("   defaults and indexes compared with a database built by create_all())")
        downgrade(url, "base")
        print(
            f"6. downgrade base: revision {current_revision(engine)}, tables {table_names(engine)}"
        )
        upgrade(url, "head")
        print(f"7. upgrade head again: revision {current_revision(engine)}")
        engine.dispose()
    print("Conclusion: every schema change is a reviewed, versioned script that runs the same")
    print("way everywhere, forwards and back. Autogenerate compares tables, columns, types,")
    print("defaults, indexes and keys, but by default not CHECK constraints: compare the")
    print("catalog too.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--alembic-cli", action="store_true", help="run the alembic command on a scratch database"
    )
    main(alembic_cli=parser.parse_args().alembic_cli)
