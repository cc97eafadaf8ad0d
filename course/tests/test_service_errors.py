"""A service that cannot be reached fails with one line: the service, the URL, the fix."""

import os
import subprocess
import sys
import textwrap

import pytest

from course.paths import ROOT
from course.services.manager import free_port
from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings

DEAD_URLS = {
    "postgres": "postgresql+psycopg://course:course@127.0.0.1:{port}/course",
    "mongo": "mongodb://127.0.0.1:{port}/course?directConnection=true",
    "redis": "redis://127.0.0.1:{port}/0",
    "s3": "http://127.0.0.1:{port}",
}


@pytest.mark.parametrize("key", sorted(SERVICES))
def test_a_stopped_service_gives_one_line_naming_service_url_and_command(key):
    spec = SERVICES[key]
    dead_url = DEAD_URLS[key].format(port=free_port())
    settings = Settings(_env_file=None, **{spec.url_setting: dead_url})
    with pytest.raises(ServiceUnavailable) as raised:
        spec.check(settings)
    message = str(raised.value)
    assert message.startswith(f"{spec.title} is not reachable at ")
    assert dead_url.replace("course:course@", "course:***@") in message
    assert "make services-up" in message
    assert "\n" not in message


def test_a_lesson_script_exits_with_the_one_line_error_not_a_traceback():
    script = "import course; course.require('redis'); print('unreachable')"
    environment = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: Redis is not reachable at redis://127.0.0.1:")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_lesson_script_with_a_malformed_url_names_the_variable():
    script = "import course; course.require('postgres')"
    environment = {**os.environ, "DATABASE_URL": "postgres//nowhere"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: DATABASE_URL in the environment is not valid")


def test_a_test_whose_service_is_down_fails_with_the_one_line_error(tmp_path):
    test_file = tmp_path / "test_needs_redis.py"
    test_file.write_text(
        textwrap.dedent(
            """
            def test_uses_redis(redis_client):
                redis_client.set("key", "value")
            """
        )
    )
    environment = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    environment.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        # -p conftest: load the course's root conftest.py for a test file outside the repo
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "conftest", str(test_file)],
        capture_output=True, text=True, env=environment, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    error_lines = [line for line in result.stdout.splitlines() if "is not reachable" in line]
    assert error_lines[0].startswith("Redis is not reachable at redis://127.0.0.1:")
    assert error_lines[0].endswith(
        "start the services with `make services-up` (or `course services up`)"
    )
    assert "Traceback" not in result.stdout
