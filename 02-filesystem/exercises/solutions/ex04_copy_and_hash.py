"""Copy a file and compute its SHA-256 in one pass: the reference solution."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK_SIZE = 64 * 1024


def copy_and_hash(source: Path, destination: Path) -> str:
    """Copy source to destination in chunks; return the SHA-256 hex digest of its bytes."""
    destination = Path(destination)
    hasher = hashlib.sha256()
    # a temporary file beside the destination: a failed copy leaves no partial file
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".copy-")
    try:
        with open(source, "rb") as reader, open(descriptor, "wb") as writer:
            while chunk := reader.read(CHUNK_SIZE):
                hasher.update(chunk)
                writer.write(chunk)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hasher.hexdigest()
