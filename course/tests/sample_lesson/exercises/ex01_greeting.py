"""Greet a learner by name.

Write `greet(name)`: it returns "Hello, NAME!" with the name as given, and "Hello, world!"
when the name is empty or only spaces.
"""

from __future__ import annotations


def greet(name: str) -> str:
    """Return a greeting for the name, or for the world when there is no name."""
    # TODO: strip the name; greet the world when nothing is left
    raise NotImplementedError("TODO: return a greeting that names the learner")
