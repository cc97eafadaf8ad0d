"""Run pytest in a child process and read its report: how parts 4, 6 and 7 show pytest itself.

A test of pytest's behaviour (the failure report, random order, coverage, `-n 2`) cannot run
inside the pytest that is running it, so these helpers start another one. `run_samples` runs
the lesson's `samples/` files with plain pytest (an empty configuration, so none of the
course's options apply); `run_lesson_tests` runs the lesson's own tests with the course's
configuration, as `make test` does. Each returns the exit code, the output and the counts.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
LESSON_DIR = Path(__file__).resolve().parent
ROOT = LESSON_DIR.parent
SAMPLES = LESSON_DIR / "samples"
COUNT = re.compile(r"(\d+) (passed|failed|error|errors|skipped|deselected)")


@dataclass(frozen=True)
class PytestRun:
    """What a child pytest did: its exit code, its output and the wall time."""

    returncode: int
    output: str
    seconds: float

    def count(self, outcome: str) -> int:
        """Return how many tests had this outcome ("passed", "failed", ...) in the summary."""
        found = [int(n) for n, word in COUNT.findall(self.output) if word.rstrip("s") == outcome]
        return found[-1] if found else 0


def child_env() -> dict[str, str]:
    """Return this process's environment without what the parent pytest set for itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(LESSON_DIR), env.get("PYTHONPATH")]))
    return env


def run(command: list[str], *, cwd: Path, timeout: float, env: dict[str, str]) -> PytestRun:
    """Run a pytest command line; return what it did."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pytest-child-") as folder:
        # coverage's data file goes to a folder of its own, not into the lesson or the repo
        env = {**env, "COVERAGE_FILE": str(Path(folder) / ".coverage")}
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    seconds = time.perf_counter() - started
    return PytestRun(done.returncode, done.stdout + done.stderr, seconds)


def run_samples(*args: str, plugins: tuple[str, ...] = (), timeout: float = 120) -> PytestRun:
    """Run plain pytest on the lesson's samples: no course configuration, only `plugins`."""
    command = [sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(SAMPLES)]
    command += ["--confcutdir", str(SAMPLES), "-p", "no:cacheprovider"]
    command += [arg for plugin in plugins for arg in ("-p", plugin)]
    # no plugin loads unless asked for: faster, and what you see is pytest's own behaviour
    env = {**child_env(), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return run([*command, *args], cwd=LESSON_DIR, timeout=timeout, env=env)


def run_lesson_tests(*args: str, timeout: float = 600) -> PytestRun:
    """Run pytest with the course's configuration from the repository root (services needed)."""
    command = [sys.executable, "-m", "pytest", *args]
    return run(command, cwd=ROOT, timeout=timeout, env=child_env())
