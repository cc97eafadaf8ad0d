"""Spread requests over unequal instances: nginx's smooth weighted round-robin.

`api_balance.SpreadingClient` takes turns. When one instance has four cores and the others
one, it should get more of the requests, but not in bursts: nginx's `upstream` block with
`server a weight=5; server b; server c;` sends a, a, b, a, c, a, a, then again, never five
a's in a row. Write the class `SmoothWeighted(weights)` with a method `pick(down)`:

- every instance has a weight (a positive int) and a *current* value, 0 at first;
- on each pick, among the instances not in `down` (a set of names): add each one's weight to
  its current value; choose the one with the highest current value (on a tie, the first in
  `weights`' order); subtract the total weight of those live instances from the chosen one's
  current value; return its name;
- an instance in `down` is left out: its current value does not change;
- with every instance down, raise `LookupError("every instance is down")`.

Check your work with `.venv/bin/course check 04 ex08`; a hint: `.venv/bin/course hint 04 ex08`.
"""

from __future__ import annotations


class SmoothWeighted:
    """nginx's smooth weighted round-robin over named instances."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.weights = dict(weights)
        # TODO: one current value per instance, starting at 0

    def pick(self, down: frozenset[str] | set[str] = frozenset()) -> str:
        """The instance the next request goes to."""
        # TODO: add weights, choose the highest current, subtract the live total from it
        raise NotImplementedError("TODO: smooth weighted round-robin")
