"""Checks for ex04: `course check 07 ex04` runs your checks on the rule and on six mutants."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def discount(total_cents: int) -> int:
    """The rule: 10 percent off from 100.00, rounded down, at most 20.00."""
    if total_cents < 10_000:
        return 0
    return min(total_cents // 10, 2_000)


MUTANTS = {
    "< became <=": lambda t: 0 if t <= 10_000 else min(t // 10, 2_000),
    "threshold 9999": lambda t: 0 if t < 9_999 else min(t // 10, 2_000),
    "11 percent": lambda t: 0 if t < 10_000 else min(t * 11 // 100, 2_000),
    "rounded to nearest": lambda t: 0 if t < 10_000 else min(round(t / 10), 2_000),
    "cap 2001": lambda t: 0 if t < 10_000 else min(t // 10, 2_001),
    "min became max": lambda t: 0 if t < 10_000 else max(t // 10, 2_000),
}


def test_your_checks_hold_for_the_correct_rule():
    task.check_discount(discount)


@pytest.mark.parametrize("mutant", MUTANTS.values(), ids=MUTANTS.keys())
def test_your_checks_kill_the_mutant(mutant):
    with pytest.raises(AssertionError):
        task.check_discount(mutant)
