"""Update a JSON settings file atomically: the reference solution."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path


def update_json(path: Path, changes: dict) -> dict:
    """Apply changes to the JSON object in path, atomically; return the new object."""
    path = Path(path)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        current, mode = {}, 0o644  # a new settings file, readable as an ordinary file is
    current.update(changes)
    # the temporary file is in the same folder, so os.replace is an atomic rename
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with open(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), mode)  # mkstemp made it 0o600: keep the file's own mode
            json.dump(current, file, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # the rename lives in the folder: fsync it too, or a power cut may bring the old name back
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return current
