"""Tests that kill the mutants: checks of a discount rule, at its boundaries.

The rule: an order of 100.00 or more (10000 cents) gets 10 percent off, rounded DOWN to the
cent, and never more than 20.00 (2000 cents) off; below 100.00 it gets nothing.
Write `check_discount(discount)`. It receives a function `discount(total_cents) -> cents` and
asserts what the rule says, with plain `assert` statements. `course check 07 ex04` calls it
with a correct implementation (every assert must hold) and then with six mutants, each one
small change like those mutmut makes (`<` to `<=`, 10 percent to 11, the cap moved, rounding
to the nearest cent instead of down, ...): each mutant must make one of your asserts fail.
A check that only tests "somewhere in the middle" lets most of them live, as the weak
shipping tests of part 6 did: think about the boundaries.

`part6-quality-gates.md` explains mutation testing.
Check your work with `.venv/bin/course check 07 ex04`; a hint: `.venv/bin/course hint 07 ex04`.
"""

from __future__ import annotations

from collections.abc import Callable


def check_discount(discount: Callable[[int], int]) -> None:
    """Assert the discount rule at each of its boundaries."""
    # TODO: one assert per boundary: just below and at 100.00, a total whose tenth ends in
    # more than half a cent (10009: rounding down gives 1000, to the nearest 1001; 10001
    # gives 1000 either way), just below and at the 20.00 cap, far above it
    raise NotImplementedError("TODO: assert the rule at its boundaries")
