"""Checks for ex11: `.venv/bin/course check 01 ex11` runs them against your task."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_project import close_connections, empty_shop

from course.exercises import load_exercise

task = load_exercise(__file__)
BUYERS = 8


@pytest.fixture
def shop(django_database):
    from django_shop.models import Product

    empty_shop()
    Product.objects.create(sku="KB-01", name="Keyboard", price_cents=8900, stock=5)


def stock() -> int:
    from django_shop.models import Product

    return Product.objects.get(sku="KB-01").stock


def test_a_reservation_takes_the_stock(shop):
    assert task.reserve("KB-01", 2) is True
    assert stock() == 3


def test_a_reservation_larger_than_the_stock_changes_nothing(shop):
    assert task.reserve("KB-01", 6) is False
    assert stock() == 5


def test_a_reservation_is_one_query(shop):
    with CaptureQueriesContext(connection) as queries:
        task.reserve("KB-01", 1)

    assert len(queries) == 1, f"expected one UPDATE, got {len(queries)} queries"


@pytest.mark.parametrize("round_number", [1, 2])
def test_eight_concurrent_buyers_get_exactly_the_five_in_stock(shop, round_number):
    start_together = threading.Barrier(BUYERS, timeout=10)

    def buy() -> bool:
        try:
            stock()  # open this thread's connection before the race, not during it
            start_together.wait()
            return task.reserve("KB-01", 1)
        finally:
            close_connections()  # each thread has its own Django connection

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        results = [
            future.result(timeout=10) for future in [pool.submit(buy) for _ in range(BUYERS)]
        ]

    assert stock() == 5 - sum(results), "a reservation was lost"
    assert sum(results) == 5 and stock() == 0, f"{sum(results)} of 8 reserved, stock {stock()}"
