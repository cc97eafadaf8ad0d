"""A notebook's first cell on a Python with no embedded MongoDB: say so, stop only if asked for."""

import pytest

import course
from course.services import availability

REASON = "MongoDB: no embedded MongoDB server installs on Python 3.14 (test)"


@pytest.fixture
def no_embedded_mongo(monkeypatch):
    monkeypatch.setenv("COURSE_SERVICES_MODE", "embedded")
    monkeypatch.setattr(availability, "embedded_mongo_missing", lambda: REASON)


def test_the_all_services_check_names_the_missing_mongodb_and_goes_on(no_embedded_mongo, capsys):
    course.check_services()  # the start-here notebook's check: every service

    assert f"skip {REASON}" in capsys.readouterr().out


def test_a_notebook_that_needs_mongodb_stops_with_the_reason(no_embedded_mongo):
    with pytest.raises(course.ServicesDown, match="no embedded MongoDB server installs"):
        course.check_services("mongo")
