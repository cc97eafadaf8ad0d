"""A Hypothesis state machine that finds the planted bug in `BuggyDraftOrder` and shrinks it.

The machine keeps a model (a plain dict of SKU -> quantity) beside the real draft order; its
rules add and remove random quantities of a few SKUs, and after every step its invariant checks
that the draft's lines match the model. Against `DraftOrder` every run passes; against
`BuggyDraftOrder` Hypothesis finds a failing sequence and shrinks it to the shortest one:
add a SKU, then remove exactly that quantity. Running it prints both.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from orders_draft import BuggyDraftOrder, DraftOrder

SKUS = st.sampled_from(["tea", "cake", "jam"])
QUANTITIES = st.integers(min_value=1, max_value=5)


class DraftOrderMachine(RuleBasedStateMachine):
    """Random adds and removes; after each, the draft must agree with a plain dict."""

    draft_class: type[DraftOrder] = DraftOrder

    def __init__(self) -> None:
        super().__init__()
        self.draft = self.draft_class()
        self.model: dict[str, int] = {}

    @rule(sku=SKUS, quantity=QUANTITIES, price=st.integers(min_value=0, max_value=2000))
    def add(self, sku: str, quantity: int, price: int) -> None:
        self.draft.add(sku, quantity, price)
        self.model[sku] = self.model.get(sku, 0) + quantity

    @rule(sku=SKUS, quantity=QUANTITIES)
    def remove(self, sku: str, quantity: int) -> None:
        self.draft.remove(sku, quantity)
        left = self.model.get(sku, 0) - quantity
        if left > 0:
            self.model[sku] = left
        else:
            self.model.pop(sku, None)

    @invariant()
    def lines_match_the_model(self) -> None:
        assert {line.sku: line.quantity for line in self.draft.lines()} == self.model  # nosec B101  # a Hypothesis invariant: assert is its API


def machine_for(draft_class: type[DraftOrder]) -> type[DraftOrderMachine]:
    """Return the state machine class that tests `draft_class`."""
    return type(
        f"{draft_class.__name__}Machine", (DraftOrderMachine,), {"draft_class": draft_class}
    )


def find_failure(draft_class: type[DraftOrder], max_examples: int = 100) -> str | None:
    """Run the machine; return Hypothesis's shrunk failing steps, or None if all runs passed."""
    # derandomize: the same search every run, so the demo and the test see the same result;
    # database=None: no .hypothesis folder replaying an old failure first
    chosen = settings(
        max_examples=max_examples,
        stateful_step_count=20,  # short runs: the bug needs two steps, shrinking needs fewer
        deadline=None,
        derandomize=True,
        database=None,
    )
    report = io.StringIO()
    try:
        with redirect_stdout(report):  # Hypothesis prints the falsifying steps
            run_state_machine_as_test(machine_for(draft_class), settings=chosen)
    except Exception as error:  # any failure of the machine is the finding we report
        # recent Hypothesis versions attach the falsifying steps to the error as notes
        notes = "\n".join(getattr(error, "__notes__", []))
        found = f"{type(error).__name__}: {error}"
        return "\n".join(part for part in (report.getvalue().strip(), notes, found) if part)
    return None


def main() -> None:
    print("1. The state machine against DraftOrder (100 random sequences of adds and removes):")
    print(f"   failure found: {find_failure(DraftOrder)}")
    print("2. The same machine against BuggyDraftOrder (one character wrong: > for >=):")
    steps = find_failure(BuggyDraftOrder)
    print("   Hypothesis found it and shrank it to:")
    for line in (steps or "nothing found").splitlines():
        print(f"   | {line}")
    print("Conclusion: nobody wrote the failing sequence; a model and two rules found it, and")
    print("shrinking made it short enough to read. tests/test_orders_draft.py keeps it as a")
    print("plain regression test, so the bug cannot come back even if Hypothesis stops looking.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
