"""Greet a learner by name: the reference solution."""

from __future__ import annotations


def greet(name: str) -> str:
    """Return a greeting for the name, or for the world when there is no name."""
    # an empty string is falsy, so `or` supplies the fallback
    return f"Hello, {name.strip() or 'world'}!"
