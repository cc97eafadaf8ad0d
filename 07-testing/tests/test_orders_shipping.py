"""The shipping charge at its boundaries: the tests that kill the mutants the weak ones let live.

`samples/shipping_weak_tests.py` covers every line and branch and checks no boundary;
mutation testing (part 6) shows which changes it misses. Each test here pins one of them.
"""

import pytest
from orders_shipping import shipping_cents


@pytest.mark.parametrize(
    ("total", "charge"),
    [(0, 0), (1, 495), (4_999, 495), (5_000, 0), (5_001, 0)],
    ids=["empty", "one cent", "just below free", "exactly free", "just above free"],
)
def test_shipping_at_each_boundary(total, charge):
    assert shipping_cents(total) == charge
