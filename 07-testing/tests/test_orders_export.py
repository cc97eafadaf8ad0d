"""pytest's built-in fixtures on the export: tmp_path, monkeypatch, caplog and capsys.

Each controls one thing the code touches: a fresh folder per test (`tmp_path`), an environment
variable set for one test and restored after (`monkeypatch`), the log records (`caplog`) and
what was printed (`capsys`). None leaks into the next test.
"""

import logging
import os

import pytest
from orders_domain import Line, Order
from orders_export import (
    EXPORT_DIR_VARIABLE,
    ExportError,
    export_directory,
    export_orders,
    print_summary,
)
from orders_repository import FakeOrderRepository


@pytest.fixture
def repository(customer) -> FakeOrderRepository:
    """A fake repository with two orders of the customer and one of someone else."""
    repository = FakeOrderRepository()
    repository.add(Order("ORD-2", customer, (Line("tea", 2, 450),), "paid"))
    repository.add(Order("ORD-1", customer, (Line("cake", 1, 1200),)))
    repository.add(Order("ORD-3", "bob", (Line("jam", 1, 300),)))
    return repository


def test_the_export_is_written_in_a_folder_of_the_tests_own(repository, tmp_path):
    path = export_orders(repository, "ada", tmp_path)
    assert path == tmp_path / "ada-orders.csv"
    assert path.read_text().splitlines() == [
        "reference,status,total",
        "ORD-1,new,12.00",
        "ORD-2,paid,9.00",
    ]


def test_the_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(EXPORT_DIR_VARIABLE, str(tmp_path))
    assert export_directory() == tmp_path


def test_monkeypatch_restores_the_environment_afterwards(monkeypatch, tmp_path):
    monkeypatch.delenv(EXPORT_DIR_VARIABLE, raising=False)  # whatever your shell has set
    with pytest.MonkeyPatch.context() as patch:  # what the fixture does at a test's teardown
        patch.setenv(EXPORT_DIR_VARIABLE, str(tmp_path))
        assert export_directory() == tmp_path
    assert EXPORT_DIR_VARIABLE not in os.environ  # undone, in this test, whatever the order


@pytest.mark.parametrize(
    ("value", "message"),
    [(None, "set ORDERS_EXPORT_DIR to the folder"), ("/no/such/folder", "is not a folder")],
    ids=["unset", "missing folder"],
)
def test_a_bad_setting_says_what_to_change(monkeypatch, value, message):
    if value is None:
        monkeypatch.delenv(EXPORT_DIR_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(EXPORT_DIR_VARIABLE, value)
    with pytest.raises(ExportError, match=message):
        export_directory()


def test_an_empty_export_logs_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="orders_export"):
        export_orders(FakeOrderRepository(), "nobody", tmp_path)
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "no orders for nobody" in caplog.text


def test_the_summary_is_printed(repository, tmp_path, capsys):
    print_summary(export_orders(repository, "ada", tmp_path))
    assert capsys.readouterr().out == "ada-orders.csv: 2 orders\n"
