"""A conftest one folder down: its fixtures apply to the tests in this folder only.

`customer` here overrides the one in `tests/conftest.py` for the tests below this folder, and
builds on it: a fixture may ask for the fixture of the same name one level up.
"""

import pytest


@pytest.fixture
def customer(customer: str) -> str:
    """The parent folder's customer, made distinct for this folder's tests."""
    return f"{customer}-layered"
