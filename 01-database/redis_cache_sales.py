"""The slow query the cache sits in front of: revenue per product over many sales rows.

A realistic kind of slowness: an aggregate that reads every row of a big table (no index can
help a full GROUP BY), so its cost grows with the data. `create_sales` fills the table inside
PostgreSQL with `generate_series`, quickly, without sending the rows over the wire.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

CREATE_SALES = """
CREATE TABLE cache_sales (
    id          bigserial PRIMARY KEY,
    sku         text        NOT NULL,
    qty         integer     NOT NULL CHECK (qty > 0),
    price_cents integer     NOT NULL CHECK (price_cents >= 0),
    sold_at     timestamptz NOT NULL DEFAULT now()
)
"""

# deterministic rows: row n sells product n % 5, n % 4 + 1 of them
FILL_SALES = """
INSERT INTO cache_sales (sku, qty, price_cents, sold_at)
SELECT (ARRAY['pen', 'ink', 'pad', 'env', 'map'])[n % 5 + 1],
       n % 4 + 1,
       (ARRAY[2500, 800, 450, 300, 1900])[n % 5 + 1],
       timestamptz '2025-01-01' + n * interval '1 minute'
FROM generate_series(1, :rows) AS n
"""

REVENUE_BY_SKU = """
SELECT sku, sum(qty * price_cents)::bigint AS revenue_cents, count(*) AS sales
FROM cache_sales
GROUP BY sku
ORDER BY sku
"""


def create_sales(engine: Engine, *, rows: int) -> None:
    """Create the cache_sales table and fill it with `rows` deterministic sales."""
    with engine.begin() as connection:
        connection.execute(text(CREATE_SALES))
        connection.execute(text(FILL_SALES), {"rows": rows})
        connection.execute(text("ANALYZE cache_sales"))


def revenue_by_sku(engine: Engine) -> dict[str, dict[str, Any]]:
    """Run the slow aggregate; return {sku: {"revenue_cents", "sales"}} (JSON-friendly)."""
    with engine.connect() as connection:
        rows = connection.execute(text(REVENUE_BY_SKU))
        return {row.sku: {"revenue_cents": row.revenue_cents, "sales": row.sales} for row in rows}


def record_sale(engine: Engine, *, sku: str, qty: int, price_cents: int) -> None:
    """Insert one sale (a write that makes any cached report stale)."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO cache_sales (sku, qty, price_cents) VALUES (:sku, :qty, :price)"),
            {"sku": sku, "qty": qty, "price": price_cents},
        )
