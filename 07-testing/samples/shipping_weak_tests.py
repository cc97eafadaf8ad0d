"""Tests of `shipping_cents` with full line and branch coverage that still let mutants live.

Every line and both sides of every `if` run, so coverage says 100%. None of the tests sits on
a boundary (0, 1, 4999, 5000), so `>=` changed to `>`, or `<= 0` to `<= 1`, passes them all.
Part 6 runs mutmut with these tests, then with `tests/test_orders_shipping.py`.
"""

from orders_shipping import shipping_cents


def test_an_empty_order_ships_free():
    assert shipping_cents(-100) == 0


def test_a_large_order_ships_free():
    assert shipping_cents(10_000) == 0


def test_a_small_order_pays_shipping():
    assert shipping_cents(1_000) > 0
