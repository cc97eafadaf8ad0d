"""Part 3: properties of pure functions, checked on examples Hypothesis generates.

A property says what holds for EVERY input: a price written by `format_cents` reads back to the
same cents (a round trip); an order's total is the sum of its lines (an invariant). Budgets
are small and deadlines off, so the suite stays fast and a busy machine never fails a test.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from orders_domain import InvalidOrder, Line, Order, format_cents, parse_cents

FAST = settings(max_examples=100, deadline=None)
lines = st.builds(
    Line,
    sku=st.sampled_from(["tea", "cake", "jam"]),
    quantity=st.integers(min_value=1, max_value=1000),
    unit_price_cents=st.integers(min_value=0, max_value=1_000_000),
)


@FAST
@given(st.integers(min_value=-(10**12), max_value=10**12))
@example(-5)  # a pinned case: the sign of a price below one unit is easy to lose
def test_a_formatted_price_reads_back_to_the_same_cents(cents):
    assert parse_cents(format_cents(cents)) == cents


@FAST
@given(st.integers(min_value=0, max_value=10**12))
def test_a_formatted_price_always_has_two_decimals(cents):
    whole, _, decimals = format_cents(cents).partition(".")
    assert len(decimals) == 2 and int(whole) == cents // 100


@FAST
@given(st.lists(lines, max_size=10))
def test_an_orders_total_is_the_sum_of_its_lines(order_lines):
    order = Order("ORD-1", "ada", tuple(order_lines))
    assert order.total_cents == sum(line.quantity * line.unit_price_cents for line in order_lines)
    assert order.total_cents >= 0


@pytest.mark.parametrize("price", ["12", "12.3", "1.234", "abc", "-", "1,50"])
def test_a_malformed_price_is_refused_with_one_clear_line(price):
    with pytest.raises(InvalidOrder, match=r"price must look like 12\.34"):
        parse_cents(price)
