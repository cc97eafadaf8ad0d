"""The tests never wipe a server on another machine that a learner's variables point at."""

import pytest

from course.sandbox import remote_service_problem
from course.settings import Settings


def problem(address: str, environ: dict[str, str] | None = None) -> str | None:
    settings = Settings(_env_file=None)
    return remote_service_problem("Redis", "redis_url", address, settings, environ or {})


@pytest.mark.parametrize(
    "address",
    ["redis://127.0.0.1:6379/0", "redis://localhost:6379/0", "redis://[::1]:6379/0",
     "redis://127.0.0.2:6380/1"],
)  # fmt: skip
def test_a_server_on_this_machine_is_used(address):
    assert problem(address) is None


@pytest.mark.parametrize(
    "address",
    ["redis://cache.example.com:6379/0", "redis://10.0.0.5:6379/0",
     "https://shopaccount.blob.core.windows.net"],
)  # fmt: skip
def test_a_server_on_another_machine_is_refused_in_one_line_that_says_how_to_allow_it(address):
    message = problem(address)

    assert message is not None and "\n" not in message
    assert "REDIS_URL points at" in message
    assert "not this machine" in message
    assert "COURSE_ALLOW_REMOTE_SERVICES=1" in message


def test_the_learner_may_allow_a_remote_server_that_is_theirs_to_wipe():
    assert (
        problem("redis://cache.example.com:6379/0", {"COURSE_ALLOW_REMOTE_SERVICES": "1"}) is None
    )
