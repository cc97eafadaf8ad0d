"""A service that cannot be reached fails with one line: the service, the URL, the fix."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

import course
from course.connection_strings import development_connection_string
from course.exercise_checks import NO_HYPOTHESIS
from course.paths import ROOT
from course.runner import ScriptResult
from course.services import diagnosis
from course.services.manager import free_port
from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings

DEAD_URLS = {
    "postgres": "postgresql+psycopg://course:course@127.0.0.1:{port}/course",
    "mongo": "mongodb://127.0.0.1:{port}/course?directConnection=true",
    "redis": "redis://127.0.0.1:{port}/0",
    "s3": "http://127.0.0.1:{port}",
    "gcs": "http://127.0.0.1:{port}",
    "azure": development_connection_string(port="{port}"),  # type: ignore[arg-type]
    "memcached": "memcached://127.0.0.1:{port}",
}


@pytest.mark.parametrize("key", sorted(SERVICES))
def test_a_stopped_service_gives_one_line_naming_service_url_and_command(key, monkeypatch):
    # as on a machine where `course services up` has started nothing yet
    monkeypatch.setattr(diagnosis, "course_address", lambda key, url_setting: None)
    spec = SERVICES[key]
    dead_url = DEAD_URLS[key].format(port=free_port())
    settings = Settings(_env_file=None, **{spec.url_setting: dead_url})
    with pytest.raises(ServiceUnavailable) as raised:
        spec.check(settings)
    message = str(raised.value)
    assert message.startswith(f"{spec.title} is not reachable at ")
    shown = spec.address(dead_url) if spec.address else dead_url  # a connection string's endpoint
    assert shown.replace("course:course@", "course:***@") in message
    # an optional service is started by name: `make services-up` starts it only for a lesson
    hint = f"course services up {key}`" if spec.optional else "make services-up"
    assert hint in message
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


def test_a_script_whose_optional_service_is_not_running_exits_with_the_skip_status():
    script = "import course; course.require('s3', 'azure'); print('unreachable')"
    dead = DEAD_URLS["azure"].format(port=free_port())
    environment = {**os.environ, "AZURE_STORAGE_CONNECTION_STRING": dead}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.returncode == course.OPTIONAL_SERVICE_MISSING != 1
    assert result.stderr.startswith("error: Azure Blob Storage is not reachable at ")
    assert result.stderr.count("\n") == 1


def test_a_malformed_url_of_an_optional_service_is_a_failure_not_a_skip():
    script = "import course; course.require('memcached'); print('unreachable')"
    environment = {**os.environ, "MEMCACHED_URL": "memcached//nowhere"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert "MEMCACHED_URL" in result.stderr


def test_make_run_shows_a_script_stopped_by_a_missing_optional_service_as_skipped():
    line = "error: Azure Blob Storage is not reachable at http://127.0.0.1:10000 (...)"
    skipped = ScriptResult(
        "03-cloud", "blob_azure_sas.py", course.OPTIONAL_SERVICE_MISSING, 1, line
    )
    assert skipped.skipped and not skipped.failed and not skipped.passed
    assert skipped.status == f"skipped: {line.removeprefix('error: ')}"
    failed = ScriptResult("03-cloud", "s3_basics.py", 1, 1, "error: S3 is not reachable")
    assert failed.failed and failed.status == "FAILED (1)"


@pytest.mark.parametrize(("second", "exit_code"), [(0, 0), (1, 1)])
def test_make_run_passes_with_a_skipped_script_and_fails_with_a_failed_one(
    monkeypatch, second, exit_code
):
    from typer.testing import CliRunner

    from course import cli
    from course.services.manager import UpReport

    line = "error: Azure Blob Storage is not reachable at http://127.0.0.1:10000 (...)"
    results = [
        ScriptResult("03-cloud", "blob_azure_sas.py", course.OPTIONAL_SERVICE_MISSING, 1, line),
        ScriptResult("03-cloud", "s3_basics.py", second, 1, "error: S3 is not reachable"),
    ]
    monkeypatch.setattr(cli, "bring_up", lambda manager, mode: UpReport(mode="embedded"))
    monkeypatch.setattr(cli, "print_status", lambda manager, explained=(): True)
    monkeypatch.setattr(cli, "run_lessons", lambda lessons, on_start, on_done: results)

    result = CliRunner().invoke(cli.app, ["run", "03-cloud"], terminal_width=200)

    assert result.exit_code == exit_code, result.output
    assert "skipped: Azure Blob Storage is not reachable" in result.output


def test_a_lesson_script_with_a_malformed_url_names_the_variable():
    script = "import course; course.require('postgres')"
    environment = {**os.environ, "DATABASE_URL": "postgres//nowhere"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: DATABASE_URL (from the environment) is ")
    assert result.stderr.count("\n") == 1


def test_a_redis_script_runs_although_database_url_is_malformed(redis_url):
    # each script checks only the settings of the services it uses
    environment = {**os.environ, "DATABASE_URL": "postgres://nope", "REDIS_URL": redis_url}
    result = subprocess.run(
        [sys.executable, "01-database/redis_structures.py"],
        capture_output=True, text=True, env=environment, cwd=ROOT,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert "Conclusion:" in result.stdout


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
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "conftest", str(test_file),
         *NO_HYPOTHESIS],
        capture_output=True, text=True, env=environment, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    error_lines = [line for line in result.stdout.splitlines() if "is not reachable" in line]
    # marked, so that `course check` says "cannot check" instead of blaming the exercise
    assert error_lines[0].startswith("service down: Redis is not reachable at redis://127.0.0.1:")
    assert "(nothing listens on 127.0.0.1:" in error_lines[0]
    assert "Traceback" not in result.stdout


# --- the real commands in a scratch checkout, with a bad setting in its own `.env` ---------


class Checkout:
    """A copy of the toolkit with its own `.env` and `.services/`, driven by its real commands."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(
            ROOT / "course", root / "course", ignore=shutil.ignore_patterns("tests", "__pycache__")
        )
        for name in (".env.example", "docker-compose.yml"):
            shutil.copy(ROOT / name, root / name)
        self.env_file = root / ".env"

    def write_env(self, **values: str) -> None:
        self.env_file.write_text("".join(f"{name}={value}\n" for name, value in values.items()))

    def run(self, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
        """`python ARGUMENTS` at the checkout's root: `-m course ...` or `-c SCRIPT`."""
        clean = {k: v for k, v in os.environ.items() if k not in URL_VARIABLES}
        clean.pop("COURSE_SERVICES_MODE", None)
        return subprocess.run(
            [sys.executable, *arguments],
            capture_output=True, text=True, cwd=self.root, timeout=120,
            env={**clean, "PYTHONPATH": str(self.root), **environment},
        )  # fmt: skip


URL_VARIABLES = {"DATABASE_URL", "MONGO_URL", "REDIS_URL", "S3_ENDPOINT_URL"}
REQUIRE_POSTGRES = ("-c", "import course; course.require('postgres'); print('answered')")


def dead_urls() -> dict[str, str]:
    return {
        "DATABASE_URL": DEAD_URLS["postgres"].format(port=free_port()),
        "MONGO_URL": DEAD_URLS["mongo"].format(port=free_port()),
        "REDIS_URL": DEAD_URLS["redis"].format(port=free_port()),
        "S3_ENDPOINT_URL": DEAD_URLS["s3"].format(port=free_port()),
    }


def without_tables(output: str) -> list[str]:
    """The lines a command printed outside its Rich table."""
    return [line for line in output.splitlines() if line.strip() and line[0] not in "┏┃┡│└ "]


@pytest.fixture
def checkout(tmp_path) -> Checkout:
    return Checkout(tmp_path)


def test_status_with_a_malformed_url_in_env_file_gives_one_line_not_a_traceback(checkout):
    checkout.write_env(**{**dead_urls(), "DATABASE_URL": "postgres://nope"})
    result = checkout.run("-m", "course", "services", "status")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = [line for line in without_tables(result.stdout) if line.startswith("PostgreSQL")]
    assert line == (
        "PostgreSQL: DATABASE_URL (from .env) has scheme 'postgres'; it must start with "
        "'postgresql://' or 'postgresql+psycopg://' "
        "(e.g. postgresql+psycopg://course:course@127.0.0.1:5432/course); "
        "fix the DATABASE_URL line in .env, or delete it to use the default"
    )


def test_a_stopped_service_where_the_course_started_nothing_says_to_start_it(checkout):
    urls = dead_urls()
    checkout.write_env(**urls)
    result = checkout.run(*REQUIRE_POSTGRES)
    dead = urls["DATABASE_URL"].replace("course:course@", "course:***@")
    port = dead.rsplit(":", 1)[1].split("/")[0]
    assert result.stderr == (
        f"error: PostgreSQL is not reachable at {dead} (nothing listens on 127.0.0.1:{port}): "
        "start the services with `make services-up`"
        " (or `.venv/bin/course services up`)\n"
    )


def test_services_up_with_a_malformed_url_refuses_and_keeps_the_line(checkout):
    checkout.write_env(DATABASE_URL="postgres://nope")
    result = checkout.run("-m", "course", "services", "up", "postgres", "--mode", "embedded")
    assert result.returncode == 1
    assert result.stdout.startswith("error: DATABASE_URL (from .env) has scheme 'postgres'")
    assert result.stdout.count("\n") == 1
    assert checkout.env_file.read_text() == "DATABASE_URL=postgres://nope\n"
    assert not (checkout.root / ".services").exists(), "nothing may have been started"


def test_the_alembic_command_with_a_malformed_url_gives_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "01-database/alembic.ini", "current"],
        capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgres://nope"},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: DATABASE_URL (from the environment) has scheme")
    assert "Traceback" not in result.stderr


def test_doctor_with_a_malformed_url_names_it_and_checks_the_other_services(checkout):
    checkout.write_env(**{**dead_urls(), "DATABASE_URL": "postgres://nope"})
    result = checkout.run("-m", "course", "doctor")
    assert "Traceback" not in result.stdout + result.stderr
    flat = " ".join(result.stdout.replace("│", " ").split())
    assert "DATABASE_URL (from .env) has scheme 'postgres'" in flat
    assert "Redis FAIL nothing listens on 127.0.0.1:" in flat


@pytest.fixture(scope="module")
def course_postgres(tmp_path_factory) -> Iterator[tuple[Checkout, str]]:
    """A scratch checkout whose own embedded PostgreSQL runs: started by `course services up`."""
    # in /tmp, not pytest's private folder: PostgreSQL's unprivileged user must reach it
    root = Path(tempfile.mkdtemp(prefix="course-errors-"))
    root.chmod(0o755)
    checkout = Checkout(root)
    checkout.write_env(DATABASE_URL=dead_urls()["DATABASE_URL"])  # so `up` starts its own
    started = checkout.run("-m", "course", "services", "up", "postgres", "--mode", "embedded")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        own_url = dotenv_values(checkout.env_file)["DATABASE_URL"]
        yield checkout, own_url
    finally:
        checkout.run("-m", "course", "services", "down")
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize(
    ("bad_url", "cause"),
    [
        ("postgresql://nope", "its host 'nope' does not resolve"),
        ("postgresql://course:course@127.0.0.1:{dead}/course", "nothing listens on 127.0.0.1:"),
    ],
    ids=["unknown-host", "refused-port"],
)
def test_a_url_beside_the_running_course_service_says_where_the_course_service_is(
    course_postgres, bad_url, cause
):
    checkout, own_url = course_postgres
    assert checkout.run(*REQUIRE_POSTGRES).stdout == "answered\n"  # the course's own answers
    checkout.write_env(DATABASE_URL=bad_url.format(dead=free_port()))
    try:
        result = checkout.run(*REQUIRE_POSTGRES)
    finally:
        checkout.write_env(DATABASE_URL=own_url)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert cause in result.stderr
    port = own_url.rsplit(":", 1)[1].split("/")[0]
    assert (
        "DATABASE_URL (from .env) points there, but the course's own PostgreSQL "
        f"(embedded mode) answers at 127.0.0.1:{port}: set DATABASE_URL={own_url} in .env"
    ) in result.stderr
    assert "make services-up" not in result.stderr


def test_a_url_in_the_environment_beside_the_course_service_says_to_unset_it(course_postgres):
    checkout, own_url = course_postgres
    result = checkout.run(*REQUIRE_POSTGRES, DATABASE_URL="postgresql://nope")
    assert result.returncode == 1
    assert "DATABASE_URL (from the environment) points there" in result.stderr
    assert f"`unset DATABASE_URL` (the environment overrides .env), or set it to {own_url}" in (
        result.stderr
    )


def test_status_beside_the_running_course_service_says_where_it_is(course_postgres):
    checkout, own_url = course_postgres
    checkout.write_env(**{**dead_urls(), "DATABASE_URL": "postgresql://nope"})
    try:
        result = checkout.run("-m", "course", "services", "status")
    finally:
        checkout.write_env(DATABASE_URL=own_url)
    (line,) = [line for line in without_tables(result.stdout) if line.startswith("PostgreSQL")]
    assert line.startswith("PostgreSQL: its host 'nope' does not resolve: DATABASE_URL (from .env)")
    assert f"set DATABASE_URL={own_url} in .env" in line
    assert "make services-up" not in line


def test_a_wrong_password_for_the_course_service_is_not_called_stopped(course_postgres):
    checkout, own_url = course_postgres
    checkout.write_env(DATABASE_URL=own_url.replace("course:course@", "course:wrong@"))
    try:
        result = checkout.run(*REQUIRE_POSTGRES)
    finally:
        checkout.write_env(DATABASE_URL=own_url)
    assert "password authentication failed" in result.stderr
    assert "a server listens there, but the round trip failed" in result.stderr
    assert "make services-up" not in result.stderr


# --- a notebook stops at its first cell --------------------------------------------------

NOTEBOOKS = {
    "start-here": ROOT / "notebooks" / "00-start-here.ipynb",
    "01-database": ROOT / "01-database" / "01-database.ipynb",
    "01-database-nosql": ROOT / "01-database" / "01-database-nosql.ipynb",
}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_stops_at_the_first_cell_with_one_line_when_postgres_is_down(name, monkeypatch):
    import nbclient
    import nbformat

    path = NOTEBOOKS[name]
    monkeypatch.setenv("DATABASE_URL", DEAD_URLS["postgres"].format(port=free_port()))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, resources={"metadata": {"path": str(path.parent)}}
    )
    with pytest.raises(nbclient.exceptions.CellExecutionError):
        client.execute()
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [output for output in code_cells[0].outputs if output.output_type == "error"]
    (error,) = errors
    assert error.ename == "ServicesDown"
    (line,) = error.traceback  # the whole traceback Jupyter shows: one line
    assert line.startswith("ServicesDown: PostgreSQL is not reachable at postgresql+psycopg://")
    assert line.endswith("; then run this notebook again")
    assert [cell.execution_count for cell in code_cells[1:]] == [None] * (len(code_cells) - 1)
