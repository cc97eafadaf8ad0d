"""Update a JSON settings file atomically: the reference solution."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def update_json(path: Path, changes: dict) -> dict:
    """Apply changes to the JSON object in path, atomically; return the new object."""
    path = Path(path)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current.update(changes)
    # the temporary file is in the same folder, so os.replace is an atomic rename
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with open(descriptor, "w", encoding="utf-8") as file:
            json.dump(current, file, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return current
