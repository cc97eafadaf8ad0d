"""Which embedded servers can run here: SecantusDB has no wheel for Python 3.14, the
optional cloud emulators need their package (Google Cloud Storage) or Node.js (Azurite), and
Memcached its `memcached` program (from apt or Homebrew: none installs from PyPI)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from course.services.azurite import AZURITE_VERSION, installed_program

MEMCACHED_INSTALL_HINT = (
    "install it with `sudo apt install memcached` (Debian, Ubuntu) or "
    "`brew install memcached` (macOS)"
)


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


def embedded_gcs_missing() -> str | None:
    """Why the Google Cloud Storage emulator cannot run here, or None."""
    if importlib.util.find_spec("gcp_storage_emulator") is not None:
        return None
    return (
        "Google Cloud Storage: the emulator (the package gcp-storage-emulator) is not "
        "installed: run `make install`, or use Docker mode (`course services up --mode docker`)"
    )


def embedded_azure_missing(services_dir: Path) -> str | None:
    """Why Azurite cannot run here (no Node.js, or no npm to install it with), or None."""
    needed = ["node"] if installed_program(services_dir) else ["node", "npm"]
    absent = [program for program in needed if shutil.which(program) is None]
    if not absent:
        return None
    missing = f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'}"
    return (
        f"Azure Blob Storage: Azurite {AZURITE_VERSION} runs on Node.js, and {missing} "
        f"not on PATH: install Node.js 20 or newer with "
        f"npm (https://nodejs.org/, or `sudo apt install nodejs npm`), or use Docker mode "
        f"(`course services up --mode docker`)"
    )


def embedded_memcached_missing() -> str | None:
    """Why Memcached cannot run here (no `memcached` program on PATH), or None."""
    if shutil.which("memcached") is not None:
        return None
    return (
        f"Memcached: no `memcached` program on PATH, and none installs from PyPI: "
        f"{MEMCACHED_INSTALL_HINT}, then `.venv/bin/course services up memcached`; or use "
        f"Docker mode (`course services up --mode docker`)"
    )


def embedded_missing(key: str, services_dir: Path) -> str | None:
    """Why service `key` has no embedded server here, or None when it can start."""
    if key == "mongo":
        return embedded_mongo_missing()
    if key == "gcs":
        return embedded_gcs_missing()
    if key == "azure":
        return embedded_azure_missing(services_dir)
    if key == "memcached":
        return embedded_memcached_missing()
    return None
