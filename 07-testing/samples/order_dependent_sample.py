"""Two tests that pass in file order and fail the other way round: part 6's planted pair.

The first test leaves an order in a module-level fake repository; the second, written later,
silently relies on it. pytest-randomly shuffles the order and exposes the dependence. The
fixed pair (`test_*_fixed`) builds what each test needs in a fixture of its own.
"""

import pytest
from orders_domain import Line, Order
from orders_repository import FakeOrderRepository

SHARED = FakeOrderRepository()  # THE WRONG WAY: state shared by every test in the module
TEA = Line("tea", 2, 450)


def test_placing_an_order_stores_it():
    SHARED.add(Order("ORD-1", "ada", (TEA,)))
    assert SHARED.get("ORD-1") is not None


def test_paying_an_order_changes_its_status():
    assert SHARED.set_status("ORD-1", "paid").status == "paid"  # needs the test above first


@pytest.fixture
def repository_with_an_order():
    repository = FakeOrderRepository()
    repository.add(Order("ORD-1", "ada", (TEA,)))
    return repository


def test_placing_an_order_stores_it_fixed():
    repository = FakeOrderRepository()
    repository.add(Order("ORD-1", "ada", (TEA,)))
    assert repository.get("ORD-1") is not None


def test_paying_an_order_changes_its_status_fixed(repository_with_an_order):
    assert repository_with_an_order.set_status("ORD-1", "paid").status == "paid"
