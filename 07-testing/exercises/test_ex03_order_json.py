"""Checks for ex03: `course check 07 ex03` round-trips generated orders through your code."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from orders_domain import STATUSES, Line, Order

from course.exercises import load_exercise

task = load_exercise(__file__)
lines = st.builds(
    Line,
    sku=st.text(min_size=1, max_size=8),
    quantity=st.integers(min_value=1, max_value=10**6),
    unit_price_cents=st.integers(min_value=0, max_value=10**9),
)
orders = st.builds(
    Order,
    reference=st.text(max_size=12),
    customer=st.text(max_size=12),
    lines=st.lists(lines, max_size=4).map(tuple),
    status=st.sampled_from(STATUSES),
)


def test_a_known_order_is_written_with_the_agreed_keys():
    order = Order("ORD-1", "ada", (Line("tea", 2, 450),), "paid")
    document = json.loads(task.order_to_json(order))
    assert document == {
        "reference": "ORD-1",
        "customer": "ada",
        "status": "paid",
        "lines": [{"sku": "tea", "quantity": 2, "unit_price_cents": 450}],
    }, "the JSON must have reference, customer, status and lines (sku, quantity, unit_price_cents)"


@settings(max_examples=100, deadline=None)
@given(orders)
def test_every_order_reads_back_equal(order):
    assert task.order_from_json(task.order_to_json(order)) == order
