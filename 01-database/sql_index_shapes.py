"""Index shapes beyond one column: partial, expression, covering (INCLUDE) and GIN on JSONB.

Run `python 01-database/sql_index_shapes.py`. On 50,000 generated orders and products, each
query's plan is shown before and after the index shaped for it is added:
- a partial index (`WHERE status = 'placed'`) covers only the rows a hot query asks for, so
  it is a fraction of the full index's size;
- an expression index on `lower(email)` serves a case-insensitive lookup, which a plain
  index on `email` cannot;
- a covering index (`INCLUDE (total_cents)`) answers a sum from the index alone: an Index Only
  Scan, no visit to the table (once VACUUM has marked the pages all-visible), where the plain
  index on `customer_id` it improves on finds the rows but reads each one's page of the table
  for its total (Bitmap Heap Scan);
- a GIN index on a JSONB column serves containment (`@>`) queries on any key.
Each plan's node types come from EXPLAIN; the conclusion names none of them faster by timing.
"""

from __future__ import annotations

from sql_models import create_schema, make_engine
from sqlalchemy import Engine, text

import course
from course.sandbox import temporary_postgres_database

ROWS = 50_000
# name -> (the query, the index shaped for it)
SHAPES = {
    "partial": (
        "SELECT id FROM orders WHERE status = 'placed' ORDER BY placed_at LIMIT 10",
        "CREATE INDEX ix_orders_placed ON orders (placed_at) WHERE status = 'placed'",
    ),
    "expression": (
        "SELECT id FROM customers WHERE lower(email) = lower('Customer42@Example.com')",
        "CREATE INDEX ix_customers_lower_email ON customers (lower(email))",
    ),
    "covering": (
        "SELECT sum(total_cents) FROM orders WHERE customer_id = 42",
        "CREATE INDEX ix_orders_customer_total ON orders (customer_id) INCLUDE (total_cents)",
    ),
    "gin": (
        """SELECT id FROM catalog WHERE attributes @> '{"colour": "red", "size": "L"}'""",
        "CREATE INDEX ix_catalog_attributes ON catalog USING gin (attributes)",
    ),
}
# the plain index the covering one improves on, there from the start
PLAIN_INDEXES = {"covering": "CREATE INDEX ix_orders_customer ON orders (customer_id)"}
# what each query has before its shaped index: nothing, or a plain index that does less
BEFORE = {
    "partial": "no index for it",
    "expression": "the schema's plain UNIQUE index on email",
    "covering": "the plain index on customer_id",
    "gin": "no index for it",
}


def load_shop(engine: Engine, *, rows: int = ROWS) -> None:
    """Create the schema (plain indexes only), customers, orders and a JSONB catalog."""
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_orders_customer_id_placed_at"))
        connection.execute(
            text(
                "INSERT INTO customers (email, name) SELECT 'customer' || n || '@example.com',"
                " 'Customer ' || n FROM generate_series(1, :customers) AS n"
            ),
            {"customers": rows // 10},
        )
        # 1 order in 100 still 'placed'; the rest are shipped: the hot query wants the few
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at, status, total_cents)"
                " SELECT 1 + n % :customers, now() - n * interval '1 minute',"
                " CASE WHEN n % 100 = 0 THEN 'placed' ELSE 'shipped' END, n % 10000"
                " FROM generate_series(1, :rows) AS n"
            ),
            {"customers": rows // 10, "rows": rows},
        )
        connection.execute(
            text("CREATE TABLE catalog (id serial PRIMARY KEY, attributes jsonb NOT NULL)")
        )
        connection.execute(
            text(
                "INSERT INTO catalog (attributes) SELECT jsonb_build_object("
                " 'colour', (ARRAY['red','green','blue','black'])[1 + n % 4],"
                " 'size', (ARRAY['S','M','L','XL','XXL'])[1 + n % 5], 'sku', 'P' || n)"
                " FROM generate_series(1, :rows) AS n"
            ),
            {"rows": rows},
        )
        for plain_index in PLAIN_INDEXES.values():
            connection.execute(text(plain_index))
    vacuum_analyze(engine)


def vacuum_analyze(engine: Engine) -> None:
    """Refresh the planner's statistics and the visibility map (for index-only scans)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def plan_nodes(engine: Engine, query: str) -> list[str]:
    """Return the node types of the query's plan (EXPLAIN without ANALYZE: nothing runs)."""
    with engine.connect() as connection:
        (plan,) = connection.execute(text(f"EXPLAIN (FORMAT JSON) {query}")).scalar()
    nodes, pending = [], [plan["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(node["Node Type"])
        pending.extend(node.get("Plans", []))
    return nodes


def add_index(engine: Engine, shape: str) -> None:
    """Create the index shaped for one query, then refresh the statistics."""
    with engine.begin() as connection:
        connection.execute(text(SHAPES[shape][1]))
    vacuum_analyze(engine)


def index_sizes(engine: Engine) -> dict[str, int]:
    """Return the size in bytes of a full index on orders(placed_at) and of the partial one."""
    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_orders_placed_at_full ON orders (placed_at)"))
        sizes = {
            name: connection.scalar(text(f"SELECT pg_relation_size('{name}')"))
            for name in ("ix_orders_placed_at_full", "ix_orders_placed")
        }
        connection.execute(text("DROP INDEX ix_orders_placed_at_full"))
    return sizes


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_index_shapes") as url:
        engine = make_engine(url)
        print(f"Loading {ROWS:,} orders and catalog products ...")
        load_shop(engine)
        for number, shape in enumerate(SHAPES, start=1):
            query, index = SHAPES[shape]
            before = " -> ".join(plan_nodes(engine, query))
            add_index(engine, shape)
            after = " -> ".join(plan_nodes(engine, query))
            print(f"{number}. {shape}: {index}")
            print(f"   {query}")
            print(f"   before, {BEFORE[shape]}: {before}\n   after: {after}")
        sizes = index_sizes(engine)
        print(f"5. The partial index is {sizes['ix_orders_placed']:,} bytes;"
              f" a full one on the same column {sizes['ix_orders_placed_at_full']:,}")  # fmt: skip
        engine.dispose()
    print("Conclusion: shape the index to the query: only the rows it reads (partial), the")
    print("expression it filters on, the columns it returns (INCLUDE), the operator it uses (GIN).")


if __name__ == "__main__":
    course.script_arguments()
    main()
