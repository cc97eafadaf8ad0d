"""Checks for ex01: `.venv/bin/course check 04 ex01` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.mark.parametrize("header", ['"3"', 'W/"3"', '"1", "3"', '"1",W/"3"', "*", ' "3" '])
def test_a_header_naming_the_current_etag_means_not_modified(header):
    assert task.is_current(header, '"3"') is True, f"If-None-Match: {header} names version 3"


@pytest.mark.parametrize("header", [None, '"1"', '"1", "2"', '"33"', "3", ""])
def test_anything_else_means_send_the_body(header):
    assert task.is_current(header, '"3"') is False, f"If-None-Match: {header} is not version 3"
