"""Update a JSON settings file so that no failure can leave it half-written.

Write `update_json(path, changes)`. It reads the JSON object in `path` (an empty object when
the file does not exist yet), applies `changes` to it like `dict.update`, writes it back
(`indent=2`) and returns the updated dict. The write must be atomic: if anything fails while
writing (a disk that fills up, a value `json` cannot encode), the file keeps its old content
and no temporary file is left in its folder. The file keeps its permissions (a 0o644 file
stays 0o644; `mkstemp` creates 0o600). The lesson's recipe: write a temporary file in the same
folder, give it the file's mode, flush and fsync it, `os.replace` it over the original, then
fsync the folder.

`files_atomic.py` explains each step; write your own here rather than importing it.

Check your work with `.venv/bin/course check 02 ex03`; a hint: `.venv/bin/course hint 02 ex03`.
"""

from __future__ import annotations

from pathlib import Path


def update_json(path: Path, changes: dict) -> dict:
    """Apply changes to the JSON object in path, atomically; return the new object."""
    # TODO: read the current object (or {}), update it, write it to a temporary file in
    # path's folder, fsync, os.replace; on any error delete the temporary file and re-raise
    raise NotImplementedError("TODO: update the JSON file atomically")
