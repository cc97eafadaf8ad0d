"""The repository contract: every test here runs against the fake AND against PostgreSQL.

When both pass, the fake may stand in for the real repository in fast unit tests. The last test
shows why the contract exists: a fake written from memory breaks it.
"""

import pytest
from orders_domain import DuplicateOrder, InvalidOrder, Line, Order, OrderNotFound
from orders_repository import NaiveFakeOrderRepository

TEA = Line("tea", 2, 450)
CAKE = Line("cake", 1, 1200)


def check_a_duplicate_reference_is_refused(repository) -> None:
    """The contract's uniqueness rule, as a function so the naive fake can be held to it."""
    repository.add(Order("ORD-1", "ada", (TEA,)))
    with pytest.raises(DuplicateOrder, match="ORD-1"):
        repository.add(Order("ORD-1", "bob", (CAKE,)))
    assert repository.get("ORD-1").customer == "ada", "the first order must be kept"


def test_an_added_order_comes_back_equal_with_its_lines_in_order(repository):
    order = Order("ORD-1", "ada", (TEA, CAKE))
    repository.add(order)
    repository.commit()
    assert repository.get("ORD-1") == order
    assert repository.get("ORD-1").total_cents == 2100


def test_an_unknown_reference_gives_none(repository):
    assert repository.get("ORD-404") is None


def test_a_duplicate_reference_is_refused_and_the_first_order_kept(repository):
    check_a_duplicate_reference_is_refused(repository)


def test_a_customer_sees_only_their_orders_by_reference(repository):
    for reference, customer in [("ORD-3", "ada"), ("ORD-1", "bob"), ("ORD-2", "ada")]:
        repository.add(Order(reference, customer, (TEA,)))
    assert [order.reference for order in repository.list_for_customer("ada")] == ["ORD-2", "ORD-3"]
    assert repository.list_for_customer("nobody") == []


def test_setting_a_status_returns_and_stores_the_updated_order(repository):
    repository.add(Order("ORD-1", "ada", (TEA,)))
    paid = repository.set_status("ORD-1", "paid")
    assert paid.status == "paid" and repository.get("ORD-1").status == "paid"


@pytest.mark.parametrize(
    ("reference", "status", "error", "message"),
    [
        ("ORD-404", "paid", OrderNotFound, "no order ORD-404"),
        ("ORD-1", "lost", InvalidOrder, "status must be one of"),
    ],
    ids=["unknown order", "unknown status"],
)
def test_a_bad_status_change_is_refused(repository, reference, status, error, message):
    repository.add(Order("ORD-1", "ada", (TEA,)))
    with pytest.raises(error, match=message):
        repository.set_status(reference, status)
    assert repository.get("ORD-1").status == "new"


def test_the_naive_fake_breaks_the_contract_so_it_may_not_stand_in():
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        check_a_duplicate_reference_is_refused(NaiveFakeOrderRepository())
