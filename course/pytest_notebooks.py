"""A pytest plugin: every notebook is a test, executed once per run and shared with the site.

Each `.ipynb` file pytest collects becomes one test that runs the notebook top to bottom in its
own folder and fails with the cell's error. The run (not each worker) creates one folder for
the executed notebooks, so the site test's `course docs` shows them instead of running every
notebook a second time (see `course/notebook_runs.py`). Registered in pyproject's `addopts`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from course.notebook_runs import CACHE_VARIABLE, NotebookFailed, executed

PREVIOUS = pytest.StashKey[tuple[str, str | None]]()
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # the kernel colours its tracebacks


def pytest_configure(config: pytest.Config) -> None:
    """In the run's main process: a fresh folder that its workers and subprocesses inherit."""
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: it uses the folder its controller made
    folder = tempfile.mkdtemp(prefix="course-notebooks-")
    config.stash[PREVIOUS] = (folder, os.environ.get(CACHE_VARIABLE))
    os.environ[CACHE_VARIABLE] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    if PREVIOUS not in config.stash:
        return
    folder, previous = config.stash[PREVIOUS]
    if previous is None:
        os.environ.pop(CACHE_VARIABLE, None)
    else:
        os.environ[CACHE_VARIABLE] = previous
    shutil.rmtree(folder, ignore_errors=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.suffix == ".ipynb":
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    """A notebook file: it holds one test, the notebook run top to bottom."""

    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.name)


class NotebookItem(pytest.Item):
    """Execute the notebook (or read this run's execution of it); fail on a cell's error."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_marker(pytest.mark.notebook)

    def runtest(self) -> None:
        executed(self.path)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, NotebookFailed):
            return ANSI_ESCAPE.sub("", str(excinfo.value))
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"notebook {self.path.name}"
