"""Checks for ex04: `course check 07 ex04` runs your checks on the rule and on six mutants.

Every rule, the correct one and each mutant, is made by the same factory, so a check can only
tell them apart by what they return, as mutation testing demands.
"""

from collections.abc import Callable

from course.exercises import load_exercise

task = load_exercise(__file__)


def make_rule(
    *,
    threshold: int = 10_000,
    at_threshold: bool = True,
    percent: int = 10,
    cap: int = 2_000,
    rounded_down: bool = True,
    capped: bool = True,
) -> Callable[[int], int]:
    """Return a discount rule; the defaults are the correct one (10 percent from 100.00, ...)."""

    def discount(total_cents: int) -> int:
        if total_cents < threshold or (total_cents == threshold and not at_threshold):
            return 0
        off = total_cents * percent // 100 if rounded_down else round(total_cents * percent / 100)
        return min(off, cap) if capped else max(off, cap)

    return discount


MUTANTS = {
    "`total >= 10000` became `total > 10000`": make_rule(at_threshold=False),
    "the threshold moved to 9999": make_rule(threshold=9_999),
    "11 percent instead of 10": make_rule(percent=11),
    "rounded to the nearest cent instead of down": make_rule(rounded_down=False),
    "the cap moved to 2001": make_rule(cap=2_001),
    "`min` became `max` (the cap became a floor)": make_rule(capped=False),
}


def survives(rule: Callable[[int], int]) -> bool:
    """Return True when the learner's checks pass on this rule (so a mutant lives)."""
    try:
        task.check_discount(rule)
    except AssertionError:
        return False
    return True


def test_your_checks_hold_for_the_correct_rule():
    task.check_discount(make_rule())


def test_no_mutant_survives_your_checks():
    survivors = [name for name, rule in MUTANTS.items() if survives(rule)]
    killed = len(MUTANTS) - len(survivors)
    assert not survivors, (
        f"{killed} of {len(MUTANTS)} mutants killed; your checks still pass when "
        + "; when ".join(survivors)
    )
