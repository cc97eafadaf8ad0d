"""`course test` says in one sentence what it did with the services, then shows its command."""

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course import cli
from course.cli import FAST_NOTE, pytest_command, shown
from course.paths import ROOT
from course.service_commands import up_sentence
from course.services.manager import UpReport


@pytest.mark.parametrize(
    ("started", "running", "sentence"),
    [
        (
            [],
            ["postgres", "mongo", "redis", "s3"],
            (
                "PostgreSQL, MongoDB, Redis and S3 were already running (this checkout's),"
                " so none was started."
            ),
        ),
        (
            ["postgres", "redis"],
            ["s3"],
            (
                "Started PostgreSQL and Redis in embedded mode in 1.2s;"
                " S3 was already running (this checkout's)."
            ),
        ),
        (["mongo"], [], "Started MongoDB in embedded mode in 1.2s."),
    ],
)
def test_the_services_line_is_one_sentence(started, running, sentence):
    report = UpReport("embedded", started=started, already_running=running, seconds=1.23)
    assert up_sentence(report) == sentence


def test_the_command_shown_is_runnable_as_shown(monkeypatch):
    monkeypatch.chdir(ROOT)
    command = pytest_command(2, [], fast=False, extra=["--version"])

    line = shown(command)

    interpreter, *rest = shlex.split(line)
    assert rest == ["-m", "pytest", "-n", "2", "--dist=loadgroup", "--version"]
    assert (ROOT / interpreter).resolve() == Path(sys.executable).resolve()
    if Path(sys.executable).is_relative_to(ROOT):  # `make install`'s .venv: shown relative
        assert not Path(interpreter).is_absolute()
    result = subprocess.run(shlex.split(line), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "pytest" in result.stdout + result.stderr


def test_fast_is_passed_to_pytest_and_said_out_loud():
    assert pytest_command(2, ["01-database"], fast=True, extra=["-x"])[3:] == [
        "-n",
        "2",
        "--dist=loadgroup",
        "--fast",
        "01-database",
        "-x",
    ]
    assert "not built" in FAST_NOTE and "not executed" in FAST_NOTE


@pytest.fixture
def pytest_runs(monkeypatch) -> list[list[str]]:
    """The pytest commands `course test` runs, recorded, not run (services not touched)."""
    commands: list[list[str]] = []

    def record(command, **_options):
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(cli, "bring_up", lambda *_arguments, **_options: UpReport("embedded"))
    monkeypatch.setattr(cli.subprocess, "run", record)
    return commands


@pytest.mark.parametrize(
    ("arguments", "paths", "passed_on"),
    [
        (["--durations=0"], [], ["--durations=0"]),
        (["-k", "durations", "--co"], [], ["-k", "durations", "--co"]),
        (["01-database", "--durations=3"], [ROOT / "01-database"], ["--durations=3"]),
        (["--durations=3", "01-database"], [], ["--durations=3", "01-database"]),
    ],
)
def test_a_pytest_option_first_goes_to_pytest_not_taken_for_a_lesson(
    pytest_runs, arguments, paths, passed_on
):
    result = CliRunner().invoke(cli.app, ["test", "--workers", "2", *arguments])

    assert result.exit_code == 0, result.output
    assert pytest_runs == [pytest_command(2, [str(path) for path in paths], False, passed_on)]


def test_the_test_run_lets_python_cache_bytecode_even_where_the_environment_says_not_to(
    monkeypatch,
):
    environments: list[dict[str, str]] = []

    def record(command, **options):
        environments.append(options["env"])
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(cli, "bring_up", lambda *_arguments, **_options: UpReport("embedded"))
    monkeypatch.setattr(cli.subprocess, "run", record)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("COURSE_TEST_MARKER", "kept")

    result = CliRunner().invoke(cli.app, ["test", "--workers", "2"])

    assert result.exit_code == 0, result.output
    (environment,) = environments
    assert "PYTHONDONTWRITEBYTECODE" not in environment  # pytest reuses its rewritten modules
    assert environment["COURSE_TEST_MARKER"] == "kept"  # everything else is passed on
