"""A learner's progress: which exercises pass and how many hints were shown.

Kept in `.course-progress.json` at the repository root (ignored by git). `COURSE_ROOT` and
`COURSE_PROGRESS_FILE` point the commands at another repository and state file, which is how
the toolkit's own tests work on a throwaway copy without touching the learner's.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.paths import ROOT

ROOT_VARIABLE = "COURSE_ROOT"
PROGRESS_FILE_VARIABLE = "COURSE_PROGRESS_FILE"
PROGRESS_FILE_NAME = ".course-progress.json"


def course_root() -> Path:
    """The repository the exercise commands work on."""
    return Path(os.environ.get(ROOT_VARIABLE) or ROOT).resolve()


def progress_file() -> Path:
    """Where the learner's progress is kept."""
    configured = os.environ.get(PROGRESS_FILE_VARIABLE)
    return Path(configured) if configured else course_root() / PROGRESS_FILE_NAME


@dataclass
class ExerciseProgress:
    """One exercise's state: its last check and the hints shown so far."""

    passed: bool | None = None  # None: never checked
    hints_shown: int = 0
    checked_at: str | None = None


@dataclass
class Progress:
    """Every exercise's state, by `lesson/exercise` key."""

    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)

    def of(self, key: str) -> ExerciseProgress:
        return self.exercises.setdefault(key, ExerciseProgress())

    def record_check(self, key: str, *, passed: bool) -> None:
        state = self.of(key)
        state.passed = passed
        state.checked_at = datetime.now(UTC).isoformat(timespec="seconds")


def load_progress(path: Path | None = None) -> Progress:
    """Read the state file; a missing or unreadable one means no progress yet."""
    path = path or progress_file()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return Progress()
    except (json.JSONDecodeError, OSError):
        return Progress()  # a corrupt state file must not stop a learner from working
    known = ExerciseProgress.__annotations__
    exercises = {
        key: ExerciseProgress(**{name: v for name, v in value.items() if name in known})
        for key, value in raw.get("exercises", {}).items()
    }
    return Progress(exercises=exercises)


def save_progress(progress: Progress, path: Path | None = None) -> None:
    """Write the state file atomically: a crash never leaves half a file."""
    path = path or progress_file()
    data = {"exercises": {key: asdict(value) for key, value in sorted(progress.exercises.items())}}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(handle.name, path)
