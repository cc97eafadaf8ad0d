"""A stored function in PL/pgSQL, called from Python where it saves round trips.

Run `python 01-database/sql_admin.py`. You will see one order of three products placed twice:
from Python with the ORM (load the customer, load the products, insert the order, insert the
lines, update each product's stock: a statement per step, each a round trip), and with one
call to a PL/pgSQL function that does the same steps inside the server. Both are counted with
the same event listener, and both leave the same stock. The listener counts statements, not
the BEGIN and COMMIT psycopg sends around each transaction (a round trip each, on both
sides), so the difference is the round trips the function saves. The backup half of the database
administrator's kit is in sql_backup.py.
"""

from __future__ import annotations

from sql_models import make_engine
from sql_orm import create_sample_shop
from sql_statements import recorded_statements
from sql_transactions import order_from_skus, stock_by_sku
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

PLACE_ORDER_FUNCTION = """
CREATE OR REPLACE FUNCTION place_order(p_email text, p_skus text[], p_quantities int[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    new_order_id int;
    lines_inserted int;
    unknown_skus text;
BEGIN
    -- lock the products in id order, as the Python code does, so orders queue, not deadlock
    PERFORM 1 FROM products WHERE sku = ANY(p_skus) ORDER BY id FOR UPDATE;
    INSERT INTO orders (customer_id)
    SELECT id FROM customers WHERE email = p_email
    RETURNING id INTO new_order_id;
    IF new_order_id IS NULL THEN
        RAISE EXCEPTION 'unknown customer %', p_email USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)
    SELECT new_order_id, products.id, wanted.quantity, products.price_cents
    FROM unnest(p_skus, p_quantities) AS wanted(sku, quantity)
    JOIN products ON products.sku = wanted.sku;
    -- the JOIN drops an unknown SKU without a word: count the lines, refuse a short order
    GET DIAGNOSTICS lines_inserted = ROW_COUNT;
    IF lines_inserted <> cardinality(p_skus) THEN
        SELECT string_agg(sku, ', ' ORDER BY sku) INTO unknown_skus
        FROM unnest(p_skus) AS wanted(sku)
        WHERE NOT EXISTS (SELECT 1 FROM products WHERE products.sku = wanted.sku);
        RAISE EXCEPTION 'unknown product: %', unknown_skus USING ERRCODE = 'no_data_found';
    END IF;
    -- the CHECK (stock >= 0) still refuses to oversell, and undoes the whole call
    UPDATE products SET stock = stock - wanted.quantity, version = version + 1
    FROM unnest(p_skus, p_quantities) AS wanted(sku, quantity)
    WHERE products.sku = wanted.sku;
    UPDATE orders SET total_cents = (
        SELECT sum(quantity * unit_price_cents) FROM order_lines WHERE order_id = new_order_id)
    WHERE id = new_order_id;
    RETURN new_order_id;
END;
$$;
"""


def install_place_order_function(engine: Engine) -> None:
    """Create (or replace) the place_order() function in the database."""
    with engine.begin() as connection:
        connection.execute(text(PLACE_ORDER_FUNCTION))


def place_order_in_python(engine: Engine, *, email: str, quantities_by_sku: dict[str, int]) -> int:
    """Place an order with the ORM; return its id."""
    with Session(engine) as session, session.begin():
        order = order_from_skus(session, email=email, quantities_by_sku=quantities_by_sku)
        session.flush()
        return order.id


def place_order_in_database(
    engine: Engine, *, email: str, quantities_by_sku: dict[str, int]
) -> int:
    """Place an order with one call to the stored function; return its id."""
    with engine.begin() as connection:
        return connection.scalar(
            text("SELECT place_order(:email, :skus, :quantities)"),
            {
                "email": email,
                "skus": list(quantities_by_sku),
                "quantities": list(quantities_by_sku.values()),
            },
        )


def order_total(engine: Engine, order_id: int) -> int:
    """Return an order's total in cents."""
    with engine.connect() as connection:
        return connection.scalar(
            text("SELECT total_cents FROM orders WHERE id = :id"), {"id": order_id}
        )


def count_round_trips(engine: Engine, place_order, **order) -> tuple[int, int]:
    """Place an order with `place_order`; return (statements sent, the order's total)."""
    with recorded_statements(engine) as statements:
        order_id = place_order(engine, **order)
    return len(statements), order_total(engine, order_id)


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_admin") as url:
        engine = make_engine(url)
        create_sample_shop(engine)
        install_place_order_function(engine)
        order = {
            "email": "linus@example.com",
            "quantities_by_sku": {"KB-01": 1, "MS-01": 1, "CB-02": 2},
        }
        print(f"Stock before: {stock_by_sku(engine)}")
        python_trips, python_total = count_round_trips(engine, place_order_in_python, **order)
        print(f"1. From Python with the ORM: {python_trips} statements; total {python_total}")
        function_trips, function_total = count_round_trips(engine, place_order_in_database, **order)
        print(f"2. One call to place_order(): {function_trips} statement; total {function_total}")
        print(f"   stock after both orders: {stock_by_sku(engine)}")
        engine.dispose()
    print(f"Conclusion: the function saves {python_trips - function_trips} round trips per order;")
    print("worth it when latency to the database dominates, at the price of logic in SQL")
    print("that must be versioned (in a migration), tested and reviewed like any code.")


if __name__ == "__main__":
    course.script_arguments()
    main()
