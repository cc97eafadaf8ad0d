"""Find the course's lessons and what each one holds.

A lesson is a folder named `NN-topic/` with a `lesson.toml` that gives its title, a one-line
summary, the services it uses and its runnable scripts in teaching order.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from course.paths import ROOT

LESSON_FOLDER = re.compile(r"^\d\d-[a-z0-9-]+$")


class LessonNotFound(LookupError):
    """No lesson matches what the learner typed."""


@dataclass(frozen=True)
class Lesson:
    """One lesson folder and its parts."""

    path: Path
    title: str
    summary: str
    services: tuple[str, ...]
    scripts: tuple[Path, ...]
    # "module:function" entries for `make bench` (see course/bench.py)
    benchmarks: tuple[str, ...] = ()
    # notebook file names in teaching order; those not listed follow by name
    notebook_order: tuple[str, ...] = ()
    # runnable scripts `make run` leaves out (servers, workers, tools that need arguments),
    # each as (file name, why), from the manifest's [not_run] table
    not_run: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def notebooks(self) -> list[Path]:
        listed = [self.path / name for name in self.notebook_order]
        # the rest by stem, so `01-database` comes before `01-database-nosql`
        found = sorted(self.path.glob("*.ipynb"), key=lambda path: path.stem)
        return listed + [path for path in found if path not in listed]

    @property
    def tests(self) -> list[Path]:
        return sorted((self.path / "tests").glob("test_*.py"))

    @property
    def exercises(self) -> list[Path]:
        return sorted((self.path / "exercises").glob("ex[0-9][0-9]_*.py"))


def is_runnable_script(path: Path) -> bool:
    return path.suffix == ".py" and 'if __name__ == "__main__":' in path.read_text()


def load_lesson(path: Path) -> Lesson:
    """Read a lesson folder's `lesson.toml`; scripts it neither lists nor leaves out (`[not_run]`)
    follow by name, and so do the notebooks it does not list."""
    manifest_file = path / "lesson.toml"
    manifest = tomllib.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    listed = [path / name for name in manifest.get("scripts", [])]
    not_run = tuple(manifest.get("not_run", {}).items())
    for script in listed + [path / name for name, _ in not_run]:
        if not script.exists():
            raise FileNotFoundError(f"{manifest_file} lists {script.name}, which does not exist")
    for name, _ in not_run:
        if path / name in listed:
            raise ValueError(f"{manifest_file} lists {name} both in scripts and in not_run")
    left_out = listed + [path / name for name, _ in not_run]
    unlisted = [p for p in sorted(path.glob("*.py")) if p not in left_out and is_runnable_script(p)]
    notebooks = tuple(manifest.get("notebooks", []))
    for name in notebooks:
        if not (path / name).exists():
            raise FileNotFoundError(f"{manifest_file} lists {name}, which does not exist")
    return Lesson(
        path=path,
        title=manifest.get("title", path.name),
        summary=manifest.get("summary", ""),
        services=tuple(manifest.get("services", [])),
        scripts=tuple(listed + unlisted),
        benchmarks=tuple(manifest.get("benchmarks", [])),
        notebook_order=notebooks,
        not_run=not_run,
    )


def discover(root: Path = ROOT) -> list[Lesson]:
    """Every lesson, in course order."""
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and LESSON_FOLDER.match(p.name)]
    return [load_lesson(folder) for folder in folders]


def find(name: str, root: Path = ROOT) -> Lesson:
    """Find a lesson by folder name or number prefix (`01-database`, `01` or `1`)."""
    for lesson in discover(root):
        if name in (lesson.name, lesson.name[:2], lesson.name[:2].lstrip("0")):
            return lesson
    known = ", ".join(lesson.name for lesson in discover(root)) or "none yet"
    raise LessonNotFound(f"no lesson called {name!r}; the lessons are: {known}")
