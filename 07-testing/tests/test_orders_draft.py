"""Part 3: the state machine passes on DraftOrder, finds the planted bug, and a regression test.

The suite runs the machine with a small, fixed budget (`max_examples`, no deadline) so it costs
a second or two; `find_failure` uses a fixed seed (`derandomize=True`) so the result is the
same on every run and every machine.
"""

import pytest
from hypothesis import settings
from orders_domain import InvalidOrder
from orders_draft import BuggyDraftOrder, DraftOrder
from testing_draft_machine import DraftOrderMachine, find_failure

TestDraftOrderStateMachine = DraftOrderMachine.TestCase
TestDraftOrderStateMachine.settings = settings(
    max_examples=30, stateful_step_count=20, deadline=None
)


def test_the_machine_finds_the_planted_bug_and_shrinks_it_to_two_steps():
    steps = find_failure(BuggyDraftOrder, max_examples=100)
    assert steps is not None, "the machine should have found the planted bug"
    calls = [line.strip() for line in steps.splitlines() if line.strip().startswith("state.")]
    actions = [call for call in calls if call.startswith(("state.add(", "state.remove("))]
    assert len(actions) == 2, f"expected add then remove, got {actions}"
    assert actions[0].startswith("state.add(") and actions[1].startswith("state.remove(")


def test_the_machine_finds_nothing_wrong_with_the_fixed_draft():
    assert find_failure(DraftOrder, max_examples=30) is None


@pytest.mark.parametrize("draft_class", [DraftOrder, BuggyDraftOrder], ids=["fixed", "buggy"])
def test_removing_exactly_what_is_there_removes_the_line(draft_class):
    """The regression test the shrunk example became: it fails on the buggy version."""
    draft = draft_class()
    draft.add("tea", 1, 450)
    draft.remove("tea", 1)
    if draft_class is BuggyDraftOrder:
        with pytest.raises(InvalidOrder, match="quantity of tea must be at least 1, not 0"):
            draft.lines()
    else:
        assert draft.lines() == ()
