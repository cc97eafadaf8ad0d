"""A pg_dump backup restores into an empty database with every row intact."""

import pytest
from sql_backup import backup, postgres_tool, restore, server_major_version, table_fingerprints
from sql_models import make_engine

from course.sandbox import temporary_postgres_database


@pytest.fixture
def empty_engine(settings):
    with temporary_postgres_database(settings, prefix="test_restore") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_restored_backup_has_the_same_rows_and_checksums(shop, empty_engine, tmp_path):
    dump = tmp_path / "shop.dump"

    backup(shop, dump)
    restore(empty_engine, dump)

    assert table_fingerprints(empty_engine) == table_fingerprints(shop)
    assert table_fingerprints(empty_engine)["order_lines"][0] == 5


def test_a_changed_row_changes_the_checksum(shop, empty_engine, tmp_path):
    dump = tmp_path / "shop.dump"
    backup(shop, dump)
    restore(empty_engine, dump)

    with empty_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE products SET stock = stock + 1 WHERE sku = 'KB-01'")

    assert table_fingerprints(empty_engine)["products"] != table_fingerprints(shop)["products"]


@pytest.mark.parametrize("tool", ["pg_dump", "pg_restore"])
def test_the_tools_found_match_the_server_major_version(shop, tool):
    major = server_major_version(shop)

    path = postgres_tool(tool, major_version=major)

    assert path.name == tool
