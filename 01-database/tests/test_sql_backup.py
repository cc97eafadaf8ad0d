"""A pg_dump backup restores into an empty database with every row intact."""

from pathlib import Path

import pytest
import sql_backup
from sql_backup import (
    BackupToolFailed,
    backup,
    libpq_connection,
    postgres_tool,
    restore,
    schema_differences,
    server_major_version,
    table_fingerprints,
    tool_major_version,
)
from sql_models import make_engine

from course.sandbox import temporary_postgres_database


@pytest.fixture
def empty_engine(settings):
    with temporary_postgres_database(settings, prefix="test_restore") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_restored_backup_has_the_same_rows_and_a_changed_row_changes_the_checksum(
    shop, empty_engine, tmp_path
):
    dump = tmp_path / "shop.dump"

    backup(shop, dump)
    restore(empty_engine, dump)

    assert table_fingerprints(empty_engine) == table_fingerprints(shop)
    assert table_fingerprints(empty_engine)["order_lines"][0] == 5
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("UPDATE products SET stock = stock + 1 WHERE sku = 'KB-01'")
    assert table_fingerprints(empty_engine)["products"] != table_fingerprints(shop)["products"]


def test_the_checksum_reads_the_rows_in_key_order_not_storage_order(shop):
    # a restore, a VACUUM FULL or a CLUSTER may store the same rows in another order
    before = table_fingerprints(shop)
    with shop.begin() as connection:
        connection.exec_driver_sql("CLUSTER products USING uq_products_sku")

    assert table_fingerprints(shop) == before


def test_a_restored_backup_has_the_same_constraints_and_indexes(shop, empty_engine, tmp_path):
    dump = tmp_path / "shop.dump"
    backup(shop, dump)
    restore(empty_engine, dump)

    assert schema_differences(shop, empty_engine) == []
    # a restore without its keys holds the same rows: only the schema tells it apart
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE customers DROP CONSTRAINT uq_customers_email")
    assert schema_differences(shop, empty_engine) == [
        "missing from the restore: constraint customers.uq_customers_email: unique",
        "missing from the restore: index customers.uq_customers_email: CREATE UNIQUE INDEX"
        " uq_customers_email ON public.customers USING btree (email)",
    ]


def test_a_failed_restore_says_pg_restores_own_reason_in_one_line(shop, tmp_path):
    dump = tmp_path / "shop.dump"
    backup(shop, dump)

    # into the database it came from, whose tables are all there already
    with pytest.raises(BackupToolFailed) as failure:
        restore(shop, dump)

    assert str(failure.value).startswith("pg_restore failed: pg_restore: error: ")
    assert "already exists" in str(failure.value) and "\n" not in str(failure.value)


def test_a_failed_restore_stops_at_its_first_error(shop, empty_engine, tmp_path):
    # not a database that holds most of the backup, looks restored, and lacks one table
    dump = tmp_path / "shop.dump"
    backup(shop, dump)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id int)")

    with pytest.raises(BackupToolFailed, match="already exists"):
        restore(empty_engine, dump)

    with empty_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT to_regclass('products')").scalar() is None


@pytest.mark.parametrize("tool", ["pg_dump", "pg_restore"])
def test_the_tool_found_is_at_least_as_new_as_the_server(shop, tool):
    major = server_major_version(shop)

    path = postgres_tool(tool, major_version=major)

    assert path.name == tool
    assert tool_major_version(path) >= major


def test_the_newest_suitable_tool_is_chosen(monkeypatch):
    versions = {Path("/a/pg_dump"): 17, Path("/b/pg_dump"): 19, Path("/c/pg_dump"): 18}
    monkeypatch.setattr(sql_backup, "tool_candidates", lambda name: list(versions))
    monkeypatch.setattr(sql_backup, "tool_major_version", versions.get)

    assert postgres_tool("pg_dump", major_version=18) == Path("/b/pg_dump")


def test_a_tool_older_than_the_server_is_never_chosen(shop):
    with pytest.raises(FileNotFoundError, match="PostgreSQL 99 or newer"):
        postgres_tool("pg_dump", major_version=99)


def test_the_password_reaches_the_tools_in_a_private_file_not_the_environment(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "leaked")
    url = "postgresql+psycopg://course:pa:ss\\word@127.0.0.1:5432/shop"

    with libpq_connection(url) as (_options, environment):
        passfile = Path(environment["PGPASSFILE"])
        mode, line = passfile.stat().st_mode & 0o777, passfile.read_text()

    assert "PGPASSWORD" not in environment
    assert mode == 0o600
    assert line == "127.0.0.1:5432:*:course:pa\\:ss\\\\word\n"
    assert not passfile.exists()  # removed when the tool has run
