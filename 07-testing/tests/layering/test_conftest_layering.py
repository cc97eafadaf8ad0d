"""conftest.py files layer by folder: the nearest fixture of a name wins, built on its parent."""

from orders_domain import Line, Order
from orders_repository import FakeOrderRepository


def test_the_nearest_conftest_overrides_the_fixture_and_builds_on_the_parent(customer):
    assert customer == "ada-layered"


def test_the_overridden_fixture_is_used_like_any_other(customer):
    repository = FakeOrderRepository()
    repository.add(Order("ORD-1", customer, (Line("tea", 1, 450),)))
    assert [order.customer for order in repository.list_for_customer(customer)] == [customer]
