"""The migration history builds the models' schema, backfills data, and runs backwards too."""

from argparse import Namespace

import pytest
from alembic import command
from alembic.config import Config
from sql_migrations import (
    ALEMBIC_INI,
    add_order_the_old_way,
    current_revision,
    downgrade,
    order_totals,
    schema_drift,
    table_names,
    upgrade,
)
from sqlalchemy import inspect

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


def test_the_migrated_schema_matches_the_models_with_no_drift(engine, database_url):
    upgrade(database_url)

    assert schema_drift(engine) == []


def test_a_database_one_revision_behind_shows_drift(engine, database_url):
    upgrade(database_url, "0002")

    drift = schema_drift(engine)

    assert [difference[0] for difference in drift] == ["add_index"]


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
