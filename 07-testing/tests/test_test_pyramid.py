"""The lesson's suite has the shape of a pyramid: more unit tests than integration tests, and
more integration tests than end-to-end ones, counted on this very run's collection."""

from pathlib import Path

import pytest
from testing_pyramid import levels

TESTS = Path(__file__).resolve().parent


def test_the_lesson_suite_is_a_pyramid(request):
    items = request.session.items
    collected = {item.path for item in items if TESTS in item.path.parents}
    if collected != set(TESTS.rglob("test_*.py")):
        pytest.skip("only part of the lesson was collected: run `pytest 07-testing` to count it")
    counts = levels(items)
    assert counts["unit"] > counts["integration"] > counts["e2e"] > 0, counts
