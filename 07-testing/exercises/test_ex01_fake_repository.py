"""Checks for ex01: `course check 07 ex01` runs the repository contract against your fake."""

import pytest
from orders_domain import DuplicateOrder, InvalidOrder, Line, Order, OrderNotFound

from course.exercises import load_exercise

task = load_exercise(__file__)
TEA = Line("tea", 2, 450)


@pytest.fixture
def orders():
    return task.InMemoryOrders()


def test_an_added_order_comes_back_and_an_unknown_one_is_none(orders):
    order = Order("ORD-1", "ada", (TEA,))
    orders.add(order)
    orders.commit()
    assert orders.get("ORD-1") == order
    assert orders.get("ORD-404") is None, "an unknown reference must give None"


def test_a_duplicate_reference_is_refused_and_the_first_order_kept(orders):
    orders.add(Order("ORD-1", "ada", (TEA,)))
    with pytest.raises(DuplicateOrder):
        orders.add(Order("ORD-1", "bob", (TEA,)))
    assert orders.get("ORD-1").customer == "ada", "the first order must be kept"


def test_a_customer_sees_only_their_orders_by_reference(orders):
    for reference, customer in [("ORD-3", "ada"), ("ORD-1", "bob"), ("ORD-2", "ada")]:
        orders.add(Order(reference, customer, (TEA,)))
    found = [order.reference for order in orders.list_for_customer("ada")]
    assert found == ["ORD-2", "ORD-3"], "only ada's orders, sorted by reference"


def test_a_status_change_is_stored_and_bad_ones_are_refused(orders):
    orders.add(Order("ORD-1", "ada", (TEA,)))
    assert orders.set_status("ORD-1", "paid").status == "paid"
    assert orders.get("ORD-1").status == "paid", "the new status must be stored"
    with pytest.raises(OrderNotFound):
        orders.set_status("ORD-404", "paid")
    with pytest.raises(InvalidOrder):
        orders.set_status("ORD-1", "lost")
