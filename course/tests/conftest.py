"""Fixtures for the toolkit's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course.tests.scratch import Scratch


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    """A scratch checkout; the test fails if any of its processes is left running after it."""
    checkout = Scratch()
    yield checkout
    left = checkout.remove()
    if left:
        pytest.fail(f"processes of the scratch checkout left running: {left}", pytrace=False)
