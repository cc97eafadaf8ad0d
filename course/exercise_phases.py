"""A pytest plugin that runs each exercise test file once per source, in one pytest process.

`course/exercise_proofs.py` loads it (`-p course.exercise_phases`) to prove a lesson's
exercises against the reference solution and the committed task in a single run: one Python,
one pytest and one import of the lesson's libraries instead of two. Each test file given on
the command line becomes one module per source (`test_ex01.py::solution::test_...`), imported
under a name of its own while `COURSE_EXERCISE_SOURCE` names that source, so its `task` is
that source's module and its fixtures are its own. The learner's `course check` never loads
this plugin: it keeps one pytest per exercise.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from course.exercises import SOURCE_VARIABLE, import_module_from

PHASES_VARIABLE = "COURSE_EXERCISE_PHASES"  # the sources, comma-separated: "solution,committed"


def import_for(path: Path, name: str) -> ModuleType:
    """Import the test file as `name`, through pytest's assertion rewriting as pytest would."""
    for finder in sys.meta_path:
        spec = finder.find_spec(name, [str(path.parent)])
        if spec is not None and spec.origin and Path(spec.origin) == path:
            break
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    return import_module_from(spec, path)


class SourceModule(pytest.Module):
    """One test file's tests against one source (the node's name)."""

    def _getobj(self) -> ModuleType:
        before, previous = set(sys.modules), os.environ.get(SOURCE_VARIABLE)
        os.environ[SOURCE_VARIABLE] = self.name
        lesson = self.path.parents[1].name.replace("-", "_")
        try:
            module = import_for(self.path, f"course_proof_{self.name}_{lesson}.{self.path.stem}")
        except (ImportError, SyntaxError) as error:  # shown as pytest shows a module's
            raise self.CollectError(
                pytest.ExceptionInfo.from_exception(error).getrepr(style="short")
            ) from error
        finally:
            if previous is None:
                os.environ.pop(SOURCE_VARIABLE, None)
            else:
                os.environ[SOURCE_VARIABLE] = previous
        # the exercise module this source imported, put back while its own tests run
        self.own_modules = {name: sys.modules[name] for name in set(sys.modules) - before}
        return module

    def setup(self) -> None:
        sys.modules.update(getattr(self, "own_modules", {}))
        super().setup()


class SourcesFile(pytest.File):
    """A test file collected once per source."""

    def collect(self):
        for source in os.environ[PHASES_VARIABLE].split(","):
            nodeid = f"{self.nodeid}::{source}"
            yield SourceModule.from_parent(self, path=self.path, name=source, nodeid=nodeid)


def pytest_pycollect_makemodule(module_path: Path, parent) -> pytest.Collector | None:
    """The test files named on the command line, once per source; others as usual."""
    if os.environ.get(PHASES_VARIABLE) and parent.session.isinitpath(module_path):
        return SourcesFile.from_parent(parent, path=module_path)
    return None
