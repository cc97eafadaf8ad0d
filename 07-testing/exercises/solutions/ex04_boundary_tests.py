"""Tests that kill the mutants, for the discount rule: the reference solution."""

from __future__ import annotations

from collections.abc import Callable


def check_discount(discount: Callable[[int], int]) -> None:
    """Assert the discount rule at each of its boundaries."""
    assert discount(0) == 0
    assert discount(9_999) == 0  # just below 100.00: nothing
    assert discount(10_000) == 1_000  # at 100.00: 10 percent
    assert discount(10_009) == 1_000  # 1000.9 cents rounds DOWN
    assert discount(19_999) == 1_999  # just below the cap
    assert discount(20_010) == 2_000  # 2001 would be over the cap
    assert discount(1_000_000) == 2_000  # far above: still the cap
