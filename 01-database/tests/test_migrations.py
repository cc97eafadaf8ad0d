"""The migration history builds the models' schema, backfills data, and runs backwards too."""

import io
from argparse import Namespace

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
from sqlalchemy import inspect, text
from sqlalchemy.exc import ProgrammingError

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
    upgrade(database_url, "0002")

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

    upgrade(database_url, "0002")

    assert order_totals(engine) == [(order_id, 2 * 8900 + 2 * 2900)]


@pytest.mark.parametrize(("revision", "has_index"), [("0002", False), ("0003", True)])
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

    upgrade(database_url, "0002")

    totals = [total for _, total in order_totals(engine)]
    assert totals.count(2 * 8900 + 2 * 2900) == 1
    assert totals.count(0) == 2500


def test_revision_0002_never_holds_a_lock_across_the_backfill(database_url):
    # the SQL alembic would run (`alembic upgrade 0001:0002 --sql`): the column is added and
    # committed before the backfill, and the NOT NULL is proven by a validated CHECK
    output = io.StringIO()
    config = Config(ALEMBIC_INI, output_buffer=output)
    config.attributes.update(url=database_url, configure_logging=False)
    command.upgrade(config, "0001:0002", sql=True)
    sql = output.getvalue()

    steps = [
        "SET lock_timeout",
        "COMMIT",  # from here on each statement is its own transaction: no BEGIN until the end
        "ADD COLUMN IF NOT EXISTS total_cents integer",
        "UPDATE orders SET total_cents",
        "CHECK (total_cents IS NOT NULL) NOT VALID",
        "VALIDATE CONSTRAINT ck_orders_total_not_null",
        "SET NOT NULL",
        "VALIDATE CONSTRAINT ck_orders_total_not_negative",
        # the default last: set before the backfill, it would give the orders the running
        # application inserts meanwhile a total of 0 that the backfill never corrects
        "SET DEFAULT 0",
    ]
    positions = [sql.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "BEGIN" not in sql[positions[1] : positions[-1]]
    assert "NOT NULL DEFAULT" not in sql  # no NOT NULL column added in one locked step


def test_revision_0002_interrupted_after_adding_the_column_can_be_run_again(engine, database_url):
    upgrade(database_url, "0001")
    order_id = add_order_the_old_way(engine)
    with engine.begin() as connection:  # as if 0002 had stopped after its first step
        connection.execute(text("ALTER TABLE orders ADD COLUMN total_cents integer"))

    upgrade(database_url, "0002")

    assert order_totals(engine) == [(order_id, 2 * 8900 + 2 * 2900)]


def test_each_revision_commits_on_its_own_so_a_later_failure_keeps_it(engine, database_url):
    # one transaction per revision (env.py): had the whole upgrade been one transaction, the
    # failure in 0003 would roll back the record of 0002, whose steps 0002 committed itself
    upgrade(database_url, "0001")
    with engine.begin() as connection:  # an index of 0003's name already exists: 0003 fails
        connection.execute(
            text("CREATE INDEX ix_orders_customer_id_placed_at ON orders (customer_id)")
        )

    with pytest.raises(ProgrammingError):
        upgrade(database_url, "head")

    assert current_revision(engine) == "0002"
    assert "total_cents" in {column["name"] for column in inspect(engine).get_columns("orders")}
