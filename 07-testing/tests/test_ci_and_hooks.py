"""What part 7 says about CI and pre-commit, checked against the files themselves.

The course's workflow (`.github/workflows/ci.yml`) runs the tests twice, with the Docker
services and with the embedded ones on Linux and macOS for the oldest and newest Python; the
learner's pre-commit configuration passes pre-commit's own validation.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

LESSON = Path(__file__).resolve().parents[1]
WORKFLOW = LESSON.parent / ".github" / "workflows" / "ci.yml"
HOOKS = LESSON / "pre-commit-config.example.yaml"


def test_ci_runs_the_suite_with_docker_and_with_embedded_servers_on_two_systems():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert {"docker", "embedded"} <= jobs.keys()
    matrix = jobs["embedded"]["strategy"]["matrix"]
    assert {"ubuntu-latest", "macos-latest"} <= set(matrix["os"])
    assert {"3.11", "3.14"} <= set(matrix["python"])
    for job in ("docker", "embedded"):
        commands = [step.get("run", "") for step in jobs[job]["steps"]]
        assert "make lint" in commands and "make test" in commands, job


def test_the_workflow_caches_pip_by_the_pyproject():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    setup = next(s for s in jobs["docker"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "pyproject.toml"


@pytest.mark.tool  # runs pre-commit in a child process
def test_the_learners_pre_commit_configuration_is_valid():
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(HOOKS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    hooks = [
        hook["id"] for repo in yaml.safe_load(HOOKS.read_text())["repos"] for hook in repo["hooks"]
    ]
    assert {"ruff-check", "ruff-format", "unit-tests"} <= set(hooks)
