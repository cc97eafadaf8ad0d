"""The `course` command as a learner types it."""

import subprocess
import sys

from typer.testing import CliRunner

from course.cli import app
from course.lessons import discover
from course.paths import ROOT
from course.services.probes import SERVICES

runner = CliRunner()


def test_services_status_does_a_round_trip_to_every_service():
    result = runner.invoke(app, ["services", "status"])
    assert result.exit_code == 0, result.output
    for spec in SERVICES.values():
        assert spec.title in result.output
    assert "PONG" in result.output
    assert "DOWN" not in result.output


def test_services_up_leaves_running_services_alone():
    result = runner.invoke(app, ["services", "up"])
    assert result.exit_code == 0, result.output
    assert "already running (this checkout's), so none was started." in result.output


def test_services_up_rejects_an_unknown_service_name():
    result = runner.invoke(app, ["services", "up", "mysql"])
    assert result.exit_code == 1
    assert "unknown service(s) mysql" in result.output


def test_doctor_checks_python_packages_and_every_service():
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    for check in ("Python", "packages", "Docker", *(s.title for s in SERVICES.values())):
        assert check in result.output


def test_list_shows_every_lesson():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    for lesson in discover():
        assert lesson.name in result.output


def test_an_unknown_lesson_is_named_with_the_known_ones():
    result = runner.invoke(app, ["run", "99-nothing"])
    assert result.exit_code == 1
    assert "no lesson called '99-nothing'" in result.output


def test_python_dash_m_course_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "course", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0
    assert "services" in result.stdout
