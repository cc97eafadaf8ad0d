"""Which embedded servers can run on this Python (SecantusDB has no wheel for 3.14)."""

from __future__ import annotations

import importlib.util
import sys


def embedded_mongo_missing() -> str | None:
    """The one-line reason embedded MongoDB is missing, or None when SecantusDB is importable."""
    if importlib.util.find_spec("secantus") is not None:
        return None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"MongoDB: no embedded MongoDB server installs on Python {version} (SecantusDB has no "
        f"wheel for it); use `make PYTHON=python3.13` or Docker mode "
        f"(`course services up --mode docker`)"
    )
