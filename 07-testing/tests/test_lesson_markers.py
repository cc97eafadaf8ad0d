"""Markers: the lesson's conftest marks each test by the fixtures it uses.

`-m "not integration and not e2e and not tool"` then runs only the unit tests (no service), and
`--strict-markers` (in the course's configuration) turns a misspelled marker into an error. A
test that reaches PostgreSQL or Redis without its marker fails (`require_level`), so a
fixture the hook does not know about cannot make a "unit" test need a server unnoticed.
"""

import pytest


def test_a_test_without_services_has_no_level_marker(request):
    assert request.node.get_closest_marker("integration") is None
    assert request.node.get_closest_marker("e2e") is None


def test_a_test_that_uses_postgres_is_marked_integration(session, request):
    assert request.node.get_closest_marker("integration") is not None


def test_a_contract_test_run_on_postgres_is_marked_too(request, repository):
    marked = request.node.get_closest_marker("integration") is not None
    assert marked == (request.node.callspec.params["repository"] == "postgres")


def test_a_fixture_that_reaches_postgres_unmarked_fails_before_it_connects(request):
    # a fixture asking with getfixturevalue is invisible to the hook: the check is in the fixture
    with pytest.raises(pytest.fail.Exception, match="reaches PostgreSQL"):
        request.getfixturevalue("orders_engine")
