"""A failing test on purpose, for part 4's tour of pytest's failure report.

pytest does not collect this file (its name does not start with `test_`); the tour and a test
run it explicitly: `pytest 07-testing/samples/report_sample.py`. The bug: the total counts
the first line twice.
"""

from orders_domain import Line, Order


def total_with_a_bug(order: Order) -> int:
    """Return the order's total, wrongly: the first line is counted twice."""
    return order.lines[0].total_cents + order.total_cents


def test_the_total_is_the_sum_of_the_lines():
    order = Order("ORD-1", "ada", (Line("tea", 2, 450), Line("cake", 1, 1200)))
    assert total_with_a_bug(order) == 2100
