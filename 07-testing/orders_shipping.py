"""The shipping charge: part 6's target for mutation testing.

Free from 50.00 upwards, 4.95 below, nothing for an empty order. Three lines of logic, and a
test suite can run every one of them (full line and branch coverage) while checking none of
the boundaries: mutation testing changes `>=` to `>` or `<= 0` to `<= 1` and asks whether any
test notices. `tests/test_orders_shipping.py` has the tests that do.
"""

from __future__ import annotations

FREE_FROM_CENTS = 5000
CHARGE_CENTS = 495


def shipping_cents(total_cents: int) -> int:
    """Return the shipping charge for an order of this total, in cents."""
    if total_cents <= 0:
        return 0  # an empty (or fully discounted) order ships nothing
    if total_cents >= FREE_FROM_CENTS:
        return 0
    return CHARGE_CENTS
