"""Execute a notebook once per test run: the notebook's test and the site build share the run.

A test run (`course/pytest_notebooks.py`) names an empty folder in `COURSE_EXECUTED_NOTEBOOKS`;
pytest-xdist workers and the `course docs` the site test starts inherit it. Whoever needs a
notebook first executes it and leaves the result there (the executed notebook, or the error);
the other waits for it and reads it. Without the variable (`make docs`), every call executes.
`shared` does the same for any result that JSON can hold (an exercise proof, a shell block's
output), so work that several tests check is done once per run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

logger = logging.getLogger(__name__)

CACHE_VARIABLE = "COURSE_EXECUTED_NOTEBOOKS"
CELL_TIMEOUT_SECONDS = 300


def skip_the_iri_parser() -> None:
    """Keep jsonschema from building `rfc3987_syntax`'s parser, which nbformat never uses."""
    # jsonschema imports rfc3987_syntax, if installed (jupyter's packages install it), to check
    # the "iri" string format, and the import builds a lark grammar: 1.6 s of CPU in every
    # process that imports nbformat. nbformat validates notebooks without a format checker, so
    # no result changes; a None entry makes the optional import fail as if it were absent.
    # Only while jsonschema's formats are not loaded yet: once loaded, the parser exists.
    if "jsonschema._format" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


skip_the_iri_parser()  # on import: every process that runs or builds notebooks loads this module


class NotebookFailed(RuntimeError):
    """A notebook raised an error while it was executed."""


def execute(source: Path, **kernel_options: object) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in its own folder, as a learner's JupyterLab would.

    `kernel_options` go to the kernel's process (`stderr=subprocess.DEVNULL`, say).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(source, as_version=4)
    if any(cell.cell_type == "code" for cell in notebook.cells):
        logger.info("executing %s", source)
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(source.parent)}},
        )
        try:
            client.execute(**kernel_options)
        except CellExecutionError as error:
            raise NotebookFailed(f"{source} failed:\n{error}") from None
    return notebook


@contextmanager
def exclusive(lock: Path, poll_seconds: float = 0.2) -> Iterator[None]:
    """Hold `lock` (a file created exclusively) so one process at a time runs the block."""
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            time.sleep(poll_seconds)
    try:
        yield
    finally:
        os.close(descriptor)
        lock.unlink()


def run_folder() -> Path | None:
    """The folder this test run shares between its processes (None outside a test run)."""
    folder = os.environ.get(CACHE_VARIABLE)
    return Path(folder) if folder else None


def shared(name: str, compute: Callable[[], object]) -> object:
    """`compute()`'s JSON result, computed once per test run by the first process to ask."""
    folder = run_folder()
    if folder is None:
        return compute()
    entry = folder / f"shared-{hashlib.sha256(name.encode()).hexdigest()[:24]}"
    stored = entry.with_suffix(".json")
    with exclusive(entry.with_suffix(".lock")):
        if not stored.exists():  # an exception stores nothing: the next caller tries again
            stored.write_text(json.dumps(compute()))
    return json.loads(stored.read_text())


def executed(source: Path) -> nbformat.NotebookNode:
    """The notebook executed in this test run (executing it now if nobody has yet)."""
    # imported here, not at the top: nbformat's schema validator takes seconds to import, and
    # every pytest process loads this module as a plugin (the exercise checks start dozens)
    import nbformat

    folder = run_folder()
    if folder is None:
        return execute(source)
    # the same path and the same text: a notebook edited during the run is executed again
    digest = hashlib.sha256(str(source.resolve()).encode() + source.read_bytes()).hexdigest()
    entry = folder / digest[:24]
    done, failed = entry.with_suffix(".ipynb"), entry.with_suffix(".error")
    with exclusive(entry.with_suffix(".lock")):
        if done.exists():
            return nbformat.read(done, as_version=4)
        if failed.exists():
            raise NotebookFailed(failed.read_text())
        try:
            notebook = execute(source)
        except NotebookFailed as error:
            failed.write_text(str(error))
            raise
        nbformat.write(notebook, done)
        return notebook
