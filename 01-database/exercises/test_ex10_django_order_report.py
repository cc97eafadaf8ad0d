"""Checks for ex10: `.venv/bin/course check 01 ex10` runs them against your task."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_orm import add_sample_shop
from django_project import empty_shop

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def shop(django_database):
    """The sample shop (3 orders) and one more order without lines, for linus."""
    from django_shop.models import Customer, Order

    empty_shop()
    add_sample_shop()
    Order.objects.create(customer=Customer.objects.get(email="linus@example.com"))


def test_the_report_has_every_order_its_customer_and_its_units(shop):
    assert task.order_report() == [
        (1, "ada@example.com", 2),
        (2, "ada@example.com", 3),
        (3, "grace@example.com", 4),
        (4, "linus@example.com", 0),
    ]


def test_the_report_sends_at_most_two_queries(shop):
    with CaptureQueriesContext(connection) as queries:
        task.order_report()

    assert len(queries) <= 2, f"{len(queries)} queries: an N+1 is still there"


def test_more_orders_do_not_mean_more_queries(shop):
    from django_shop.models import Customer, Order

    ada = Customer.objects.get(email="ada@example.com")
    Order.objects.bulk_create(Order(customer=ada) for _ in range(20))

    with CaptureQueriesContext(connection) as queries:
        report = task.order_report()

    assert len(report) == 24
    assert len(queries) <= 2, f"{len(queries)} queries for 24 orders: an N+1 is still there"
