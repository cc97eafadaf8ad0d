"""Fixtures shared by this lesson's SQL tests (the services' fixtures are in the root conftest)."""

import pytest
from sql_orm import create_sample_shop


@pytest.fixture
def shop(engine):
    """The test's own database with the lesson's schema and the sample shop in it."""
    create_sample_shop(engine)
    return engine
