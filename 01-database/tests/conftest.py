"""Fixtures shared by this lesson's SQL tests (the services' fixtures are in the root conftest)."""

import pytest
from sql_models import create_schema
from sql_orm import add_sample_shop
from sqlalchemy.orm import Session


@pytest.fixture
def shop(engine):
    """The test's own database with the lesson's schema and the sample shop in it."""
    create_schema(engine)
    with Session(engine) as session:
        add_sample_shop(session)
        session.commit()
    return engine
