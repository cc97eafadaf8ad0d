"""Spread requests over unequal instances, nginx's smooth weighted round-robin: the solution."""

from __future__ import annotations


class SmoothWeighted:
    """nginx's smooth weighted round-robin over named instances."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.weights = dict(weights)
        self.current = dict.fromkeys(self.weights, 0)

    def pick(self, down: frozenset[str] | set[str] = frozenset()) -> str:
        """The instance the next request goes to."""
        live = [name for name in self.weights if name not in down]
        if not live:
            raise LookupError("every instance is down")
        for name in live:
            self.current[name] += self.weights[name]
        # max() keeps the first of equal values: ties go to the earlier instance
        chosen = max(live, key=lambda name: self.current[name])
        self.current[chosen] -= sum(self.weights[name] for name in live)
        return chosen
