"""The migration history builds the models' schema, backfills data, and runs backwards too."""

import importlib.util
import io
import re
import threading
import time
from argparse import Namespace
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sql_migrations import (
    ALEMBIC_INI,
    add_order_the_old_way,
    autogenerate_drift,
    current_revision,
    downgrade,
    order_totals,
    schema_drift,
    table_names,
    upgrade,
)
from sql_models import Customer, Product
from sql_orm import place_order
from sqlalchemy import Engine, event, inspect, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from course.services.ports import free_port

SHOP_TABLES = ["alembic_version", "customers", "order_lines", "orders", "products"]


def test_upgrade_to_head_builds_every_table(engine, database_url):
    upgrade(database_url)

    assert current_revision(engine) == "0003"
    assert table_names(engine) == SHOP_TABLES


def test_downgrade_to_base_then_upgrade_again_on_the_emptied_database(engine, database_url):
    upgrade(database_url)

    downgrade(database_url, "base")
    emptied = (current_revision(engine), table_names(engine))
    upgrade(database_url)

    assert emptied == (None, ["alembic_version"])
    assert current_revision(engine) == "0003"
    assert table_names(engine) == SHOP_TABLES


def test_the_migrated_schema_matches_the_models_with_no_drift(engine, database_url, settings):
    upgrade(database_url)

    assert schema_drift(engine, settings) == []


def test_a_database_one_revision_behind_shows_drift(engine, database_url):
    upgrade(database_url, "0002b")

    drift = autogenerate_drift(engine)

    assert [difference[0] for difference in drift] == ["add_index"]


def test_a_migration_that_forgot_checks_and_defaults_shows_drift(engine, database_url, settings):
    upgrade(database_url)
    with engine.begin() as connection:  # as if the migrations had never added these
        connection.execute(
            text("ALTER TABLE products DROP CONSTRAINT ck_products_stock_not_negative")
        )
        connection.execute(text("ALTER TABLE orders DROP CONSTRAINT ck_orders_total_not_negative"))
        connection.execute(text("ALTER TABLE products ALTER COLUMN stock DROP DEFAULT"))
        connection.execute(text("ALTER TABLE orders ALTER COLUMN status DROP DEFAULT"))

    drift = "\n".join(map(str, schema_drift(engine, settings)))

    for forgotten in (
        "ck_products_stock_not_negative",
        "ck_orders_total_not_negative",
        "products.stock: integer NOT NULL DEFAULT 0",
        "orders.status: character varying(16) NOT NULL DEFAULT 'placed'",
    ):
        assert forgotten in drift


def test_autogenerate_alone_does_not_see_a_missing_check_constraint(engine, database_url):
    # why the catalog comparison exists: Alembic's compare_metadata skips CHECK constraints
    upgrade(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("ALTER TABLE products DROP CONSTRAINT ck_products_stock_not_negative")
        )

    assert autogenerate_drift(engine) == []


def test_adding_the_total_column_backfills_it_from_the_order_lines(engine, database_url):
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)

    upgrade(database_url, "0002b")

    assert order_totals(engine) == [(order_id, 2 * 8900 + 2 * 2900)]


@pytest.mark.parametrize(("revision", "has_index"), [("0002b", False), ("0003", True)])
def test_revision_0003_adds_the_orders_index_and_its_downgrade_removes_it(
    engine, database_url, revision, has_index
):
    upgrade(database_url)

    downgrade(database_url, revision)

    names = [index["name"] for index in inspect(engine).get_indexes("orders")]
    assert ("ix_orders_customer_id_placed_at" in names) is has_index


def test_the_command_line_x_url_option_picks_the_database(engine, database_url):
    config = Config(ALEMBIC_INI, cmd_opts=Namespace(x=[f"url={database_url}"]))
    config.attributes["configure_logging"] = False

    command.upgrade(config, "0001")

    assert current_revision(engine) == "0001"


def test_the_command_line_x_url_at_a_dead_server_gives_one_line_not_a_traceback():
    # what `alembic -x url=... current` runs, in-process: the CLI prints a SystemExit's
    # message as the one line on stderr and exits 1
    dead = f"postgresql+psycopg://course:secret@127.0.0.1:{free_port()}/shop"
    config = Config(ALEMBIC_INI, cmd_opts=Namespace(x=[f"url={dead}"]))
    config.attributes["configure_logging"] = False

    with pytest.raises(SystemExit) as raised:
        command.current(config)

    message = str(raised.value.code)
    assert message.startswith("error: cannot connect to postgresql+psycopg://course:***@")
    assert "Connection refused" in message  # the server's own reason
    assert message.endswith("check the -x url= value")  # and what to fix
    assert "\n" not in message and "secret" not in message


def test_the_command_line_x_url_that_is_not_a_url_gives_one_line_not_a_traceback():
    config = Config(ALEMBIC_INI, cmd_opts=Namespace(x=["url=course:secret@localhost/shop"]))
    config.attributes["configure_logging"] = False

    with pytest.raises(SystemExit) as raised:
        command.current(config)

    message = str(raised.value.code)
    assert message.startswith("error: the -x url= value is not a database URL")
    assert message.endswith("postgresql+psycopg://user:password@host:port/database")
    assert "\n" not in message and "secret" not in message


def test_the_backfill_fills_every_old_order_across_several_batches(engine, database_url):
    upgrade(database_url, "0001")
    add_order_the_old_way(engine)  # one order of two lines, written before the column existed
    with engine.begin() as connection:  # and 2,500 orders without lines: three batches of 1,000
        connection.execute(
            text(
                "INSERT INTO orders (customer_id)"
                " SELECT (SELECT min(id) FROM customers) FROM generate_series(1, 2500)"
            )
        )

    batches = []

    def count_batches(conn, cursor, statement, parameters, context, executemany):
        if "WHERE id IN (SELECT id FROM orders WHERE total_cents IS NULL" in statement:
            batches.append(statement)

    event.listen(Engine, "before_cursor_execute", count_batches)
    try:
        upgrade(database_url, "0002b")
    finally:
        event.remove(Engine, "before_cursor_execute", count_batches)

    totals = [total for _, total in order_totals(engine)]
    assert totals.count(2 * 8900 + 2 * 2900) == 1
    assert totals.count(0) == 2500
    assert len(batches) == 3  # 1,000 + 1,000 + 501 orders; then no total is NULL: it stops
    # each batch starts after the last order the one before filled, an index range, instead
    # of walking past every order already filled (which made the backfill quadratic)
    ids = [order_id for order_id, _ in order_totals(engine)]
    starts = [
        re.search(r"AND \((\w+) IS NULL OR id >", statement).group(1) for statement in batches
    ]
    assert starts == ["NULL", str(ids[999]), str(ids[1999])]


def test_revision_0002_never_holds_a_lock_across_the_backfill(database_url):
    # the SQL alembic would run (`alembic upgrade 0001:0002b --sql`): the column is added and
    # committed (0002) before the backfill (0002b), and the NOT NULL is proven by a valid CHECK
    output = io.StringIO()
    config = Config(ALEMBIC_INI, output_buffer=output)
    config.attributes.update(url=database_url, configure_logging=False)
    command.upgrade(config, "0001:0002b", sql=True)
    sql = output.getvalue()

    steps = [
        "ADD COLUMN IF NOT EXISTS total_cents integer",
        "CREATE TRIGGER order_lines_keep_total",
        "UPDATE alembic_version SET version_num='0002'",
        "COMMIT",  # from here on each statement is its own transaction: no BEGIN until the end
        "SET lock_timeout",
        "WHERE order_lines.order_id = orders.id",  # the batch (the trigger sums by `touched`)
        "CHECK (total_cents IS NOT NULL) NOT VALID",
        "VALIDATE CONSTRAINT ck_orders_total_not_null",
        "SET NOT NULL",
        "CHECK (total_cents >= 0) NOT VALID",  # not a scan under the ADD's lock either
        "VALIDATE CONSTRAINT ck_orders_total_not_negative",
        # the default last: set before the backfill, it would give the orders the running
        # application inserts meanwhile a total of 0 that the backfill never corrects
        "SET DEFAULT 0",
        "DROP FUNCTION IF EXISTS order_lines_keep_total",  # every writer sets the total now
        "RESET lock_timeout",
    ]
    positions = [sql.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "BEGIN" not in sql[positions[3] : positions[-1]]
    assert "NOT NULL DEFAULT" not in sql  # no NOT NULL column added in one locked step


def test_revision_0002_interrupted_after_adding_the_column_can_be_run_again(engine, database_url):
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)
    with engine.begin() as connection:  # as if an older 0002 had stopped after its first step
        connection.execute(text("ALTER TABLE orders ADD COLUMN total_cents integer"))

    upgrade(database_url, "0002b")

    assert order_totals(engine) == [(order_id, 2 * 8900 + 2 * 2900)]


def test_each_revision_commits_on_its_own_so_a_later_failure_keeps_it(engine, database_url):
    # one transaction per revision (env.py): had the whole upgrade been one transaction, the
    # failure in 0003 would roll back the record of 0002b, whose steps 0002b committed itself
    upgrade(database_url, "0001")
    with engine.begin() as connection:  # an index of 0003's name already exists: 0003 fails
        connection.execute(
            text("CREATE INDEX ix_orders_customer_id_placed_at ON orders (customer_id)")
        )

    with pytest.raises(ProgrammingError):
        upgrade(database_url, "head")

    assert current_revision(engine) == "0002b"
    assert "total_cents" in {column["name"] for column in inspect(engine).get_columns("orders")}


def load_revision(name: str):
    """Import a revision file as a module (its name starts with a digit)."""
    path = next((Path(ALEMBIC_INI).parent / "migrations" / "versions").glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"revision_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_until_blocked_or_done(engine, pid: int, thread: threading.Thread) -> None:
    """Return once the session `pid` waits for a lock, or `thread` has finished."""
    deadline = time.monotonic() + 10
    with engine.connect() as watcher:
        while thread.is_alive() and time.monotonic() < deadline:
            waiting = watcher.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
            if waiting == "Lock":
                return
            time.sleep(0.01)
    assert not thread.is_alive(), "the backfill batch neither waited for a lock nor finished"


@pytest.mark.parametrize("writer_sets_total", [False, True], ids=["old-code", "new-code"])
def test_a_line_added_while_a_backfill_batch_runs_is_counted(
    engine, database_url, writer_sets_total
):
    # the reviewer's interleaving: the shop adds a line to an order in an open transaction
    # (the old code adds the line only; the new code also sets the total) while one backfill
    # batch runs; before the fix the total kept the old sum in both cases
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)
    upgrade(database_url, "0002")  # expand: the column exists, NULL for every old order
    batch_sql = load_revision("0002b").BACKFILL_ONE_BATCH.format(batch=1000, after="NULL")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO products (sku, name, price_cents) VALUES ('PAD-01', 'Pad', 500)")
        )
    with engine.connect() as writer, engine.connect() as backfill:
        writer.execute(
            text(
                "INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)"
                " SELECT :order_id, id, 1, 500 FROM products WHERE sku = 'PAD-01'"
            ),
            {"order_id": order_id},
        )
        if writer_sets_total:
            writer.execute(
                text(
                    "UPDATE orders SET total_cents = (SELECT sum(quantity * unit_price_cents)"
                    " FROM order_lines WHERE order_id = :id) WHERE id = :id"
                ),
                {"id": order_id},
            )
        backfill = backfill.execution_options(isolation_level="AUTOCOMMIT")
        pid = backfill.execute(text("SELECT pg_backend_pid()")).scalar()
        batch = threading.Thread(target=backfill.execute, args=(text(batch_sql),))
        batch.start()
        wait_until_blocked_or_done(engine, pid, batch)
        writer.commit()
        batch.join()
    upgrade(database_url, "0002b")

    with engine.connect() as connection:
        lines_sum = connection.execute(
            text("SELECT sum(quantity * unit_price_cents) FROM order_lines")
        ).scalar()
    assert lines_sum == 2 * 8900 + 2 * 2900 + 500
    assert order_totals(engine) == [(order_id, lines_sum)]


def test_the_backfill_goes_on_after_a_batch_whose_orders_a_writer_filled_meanwhile(
    engine, database_url
):
    # a batch updates no row when a writer filled every order its sub-select picked (it waits
    # for the writer's lock, then its own `AND total_cents IS NULL` skips them); that is not
    # "none left": the orders after that batch still need a total. Batches of one order, so
    # that one writer can fill a whole batch
    upgrade(database_url, "0001")
    filled_by_the_writer = add_order_the_old_way(engine)
    with engine.begin() as connection:  # a second old order, without lines
        connection.execute(text("INSERT INTO orders (customer_id) SELECT min(id) FROM customers"))
    upgrade(database_url, "0002")  # expand: the column exists, NULL for both
    revision = load_revision("0002b")
    with engine.connect() as writer, engine.connect() as backfill:
        writer.execute(  # the new code sets the first order's total, not yet committed
            text("UPDATE orders SET total_cents = 23600 WHERE id = :id"),
            {"id": filled_by_the_writer},
        )
        backfill = backfill.execution_options(isolation_level="AUTOCOMMIT")
        pid = backfill.execute(text("SELECT pg_backend_pid()")).scalar()
        batches = threading.Thread(
            target=revision.run_batches_until_no_total_is_null,
            args=(backfill,),
            kwargs={"batch_size": 1},
        )
        batches.start()
        wait_until_blocked_or_done(engine, pid, batches)  # the first batch waits for the writer
        writer.commit()
        batches.join()

    assert [total for _, total in order_totals(engine)] == [23600, 0]


def old_orders_with_ids(engine, database_url, ids: tuple[int, ...]) -> None:
    """Orders with these ids, written at revision 0001; then revision 0002 (totals NULL)."""
    upgrade(database_url, "0001")
    values = ", ".join(f"({int(order_id)})" for order_id in ids)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO customers (email, name) VALUES ('a@b.c', 'A')"))
        connection.execute(
            text(
                "INSERT INTO orders (id, customer_id) SELECT n, min(id) FROM customers,"
                f" (VALUES {values}) AS ids(n) GROUP BY n"
            )
        )
    upgrade(database_url, "0002")


def backfill_or_fail(engine, failure: str, on_execute=None, **batch_options) -> None:
    """Run the 0002b batches; if they are still running after 10 s, end them and fail."""
    revision = load_revision("0002b")
    with engine.connect() as backfill:
        backfill = backfill.execution_options(isolation_level="AUTOCOMMIT")
        pid = backfill.execute(text("SELECT pg_backend_pid()")).scalar()
        if on_execute:
            event.listen(backfill, "after_cursor_execute", on_execute)
        batches = threading.Thread(
            target=revision.run_batches_until_no_total_is_null,
            args=(backfill,),
            kwargs=batch_options,
            daemon=True,
        )
        batches.start()
        batches.join(timeout=10)
        if batches.is_alive():  # end the endless loop, so that the test can fail and clean up
            with engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            batches.join(timeout=10)
            pytest.fail(failure)


def test_the_backfill_fills_an_order_whatever_its_id(engine, database_url):
    # ids are the database's to choose (a sequence may start anywhere, rows may be copied in):
    # a walk that starts again from a lower bound (id > 0, say) after a batch that fills none
    # never reaches id 0 and loops for ever (a bound on the first batch alone heals through
    # that restart: the several-batches test checks the first batch has no bound)
    old_orders_with_ids(engine, database_url, (-1, 0, 1))

    backfill_or_fail(engine, "the backfill never filled the orders with an id of 0 or below")

    assert order_totals(engine) == [(-1, 0), (0, 0), (1, 0)]


def test_the_backfill_looks_again_from_the_start_for_an_order_below_where_it_walked(
    engine, database_url
):
    # an order whose id was taken before the walk passed it, committed after (an old-code
    # writer's transaction): the batches past the end fill none, and the backfill must look
    # again from the start, not walk on forever from its last id
    old_orders_with_ids(engine, database_url, (10, 11))  # both totals NULL
    late: list[int] = []

    def commit_an_order_below(conn, cursor, statement, parameters, context, executemany):
        if "RETURNING id" in statement and not late:
            late.append(5)
            with engine.begin() as writer:  # committed once the walk has passed id 5
                writer.execute(
                    text("INSERT INTO orders (id, customer_id) SELECT 5, min(id) FROM customers")
                )

    backfill_or_fail(
        engine,
        "the backfill walked on from its last id and never found order 5",
        on_execute=commit_an_order_below,
        batch_size=1,
    )

    assert late == [5]
    assert order_totals(engine) == [(5, 0), (10, 0), (11, 0)]


def test_the_trigger_keeps_totals_until_the_contract_step_and_downgrades_back(engine, database_url):
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)
    upgrade(database_url, "0002")
    with engine.begin() as connection:  # old code deletes a line after the expand step
        connection.execute(
            text("DELETE FROM order_lines WHERE unit_price_cents = 2900 AND order_id = :id"),
            {"id": order_id},
        )
    kept = order_totals(engine)
    upgrade(database_url, "0002b")
    with engine.connect() as connection:
        triggers_at_0002b = connection.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'order_lines_keep_total'")
        ).scalar()
    downgrade(database_url, "0002")
    with engine.connect() as connection:
        triggers_at_0002 = connection.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'order_lines_keep_total'")
        ).scalar()
    with engine.begin() as connection:  # the old code's insert, without a total, works again
        old_order_total = connection.execute(
            text(
                "INSERT INTO orders (customer_id) SELECT min(id) FROM customers"
                " RETURNING total_cents"
            )
        ).scalar()

    assert kept == [(order_id, 2 * 8900)]
    assert (triggers_at_0002b, triggers_at_0002) == (0, 1)
    assert old_order_total is None  # nullable and without a default again, as 0002 left it


def lock_timeout_seen_by_revision_0003(
    database_url: str, upgrades: list[str], at: str = "CREATE INDEX ix_orders_customer_id_placed_at"
) -> str:
    """Run `upgrades` in turn; return the lock_timeout 0003's CREATE INDEX (or `at`) ran with."""
    seen = []

    def show_lock_timeout(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(at):
            seen.append(cursor.connection.execute("SHOW lock_timeout").fetchone()[0])

    event.listen(Engine, "before_cursor_execute", show_lock_timeout)
    try:
        for target in upgrades:
            upgrade(database_url, target)
    finally:
        event.remove(Engine, "before_cursor_execute", show_lock_timeout)
    [setting] = seen
    return setting


def test_revision_0003_sees_the_same_lock_timeout_alone_and_under_upgrade_head(
    engine, database_url
):
    # 0002's session-wide SET used to reach 0003 only when both ran in one `upgrade head`
    under_head = lock_timeout_seen_by_revision_0003(database_url, ["head"])
    downgrade(database_url, "base")
    alone = lock_timeout_seen_by_revision_0003(database_url, ["0002b", "head"])

    assert under_head == alone == "0"


def test_the_expand_and_contract_steps_wait_at_most_two_seconds_for_a_lock(engine, database_url):
    add_column = "ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_cents"
    validate = "ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total_not_null"

    assert lock_timeout_seen_by_revision_0003(database_url, ["0002"], at=add_column) == "2s"
    assert lock_timeout_seen_by_revision_0003(database_url, ["0002b"], at=validate) == "2s"


def test_the_code_that_writes_the_total_runs_between_expand_and_contract(engine, database_url):
    # the deploy point: after 0002 the column exists (nullable), so today's models can insert;
    # before the split there was no such revision, and at 0001 the ORM's INSERT failed
    upgrade(database_url, "0001")
    old_order = add_order_the_old_way(engine)
    upgrade(database_url, "0002")
    with Session(engine) as session:
        customer = session.scalars(select(Customer)).one()
        products = session.scalars(select(Product).order_by(Product.sku)).all()
        new_order = place_order(session, customer=customer, quantities={products[0]: 1})
        session.commit()
        new_order_id = new_order.id
    upgrade(database_url, "0002b")

    assert order_totals(engine) == [(old_order, 2 * 8900 + 2 * 2900), (new_order_id, 8900)]


def test_two_writers_adding_lines_to_one_order_at_once_both_count_under_the_trigger(
    engine, database_url
):
    # the trigger locks the order, then sums in a new statement: its snapshot sees the line
    # the other writer committed while this one waited (one statement would sum without it)
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)
    upgrade(database_url, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO products (sku, name, price_cents)"
                " VALUES ('PAD-01', 'Pad', 500), ('CAB-01', 'Cable', 700)"
            )
        )
    add_line = text(
        "INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)"
        " SELECT :order_id, id, 1, price_cents FROM products WHERE sku = :sku"
    )
    with engine.connect() as first, engine.connect() as second:
        first.execute(add_line, {"order_id": order_id, "sku": "PAD-01"})
        pid = second.execute(text("SELECT pg_backend_pid()")).scalar()

        def second_writer() -> None:
            second.execute(add_line, {"order_id": order_id, "sku": "CAB-01"})
            second.commit()

        writer = threading.Thread(target=second_writer)
        writer.start()
        wait_until_blocked_or_done(engine, pid, writer)
        first.commit()
        writer.join()

    assert order_totals(engine) == [(order_id, 2 * 8900 + 2 * 2900 + 500 + 700)]
