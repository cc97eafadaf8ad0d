"""Run lesson scripts one after another, as a learner would, and time each one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from course import OPTIONAL_SERVICE_MISSING
from course.lessons import Lesson
from course.paths import ROOT

SCRIPT_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class ScriptResult:
    lesson: str
    script: str
    returncode: int
    seconds: float
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def skipped(self) -> bool:
        """The script stopped at once because an optional service is not running."""
        return self.returncode == OPTIONAL_SERVICE_MISSING

    @property
    def failed(self) -> bool:
        return not (self.passed or self.skipped)

    @property
    def status(self) -> str:
        """passed, FAILED (status) or skipped (the script's one line saying why), for a table."""
        if self.passed:
            return "passed"
        if self.skipped:
            return f"skipped: {self.last_lines(1).removeprefix('error: ')}"
        return f"FAILED ({self.returncode})"

    def last_lines(self, count: int = 15) -> str:
        return "\n".join(self.output.rstrip().splitlines()[-count:])


def run_script(lesson: Lesson, script: Path) -> ScriptResult:
    """Run `python NN-lesson/script.py` from the repository root, capturing its output."""
    began = time.perf_counter()
    try:
        completed = subprocess.run(
            [sys.executable, str(script.relative_to(ROOT))],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_SECONDS,
        )
        returncode, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as error:
        returncode = -1
        output = f"{error.output or ''}\ntimed out after {SCRIPT_TIMEOUT_SECONDS}s"
    return ScriptResult(lesson.name, script.name, returncode, time.perf_counter() - began, output)


def run_lessons(
    lessons: Iterable[Lesson],
    on_start: Callable[[Lesson, Path], None] = lambda lesson, script: None,
    on_done: Callable[[ScriptResult], None] = lambda result: None,
) -> list[ScriptResult]:
    """Run every script of every lesson in course order, reporting progress through callbacks."""
    results = []
    for lesson in lessons:
        for script in lesson.scripts:
            on_start(lesson, script)
            result = run_script(lesson, script)
            on_done(result)
            results.append(result)
    return results
