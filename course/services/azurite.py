"""Azurite, Microsoft's Azure Storage emulator, installed from npm on first use.

It goes into `.services/tools/azurite-<version>/`, pinned to one version, so every checkout
runs the same emulator. The install holds a lock of its own (two starts at once install
once, the second waits), runs in a staging folder and is renamed into place only when npm
succeeded: a failed or interrupted install never passes for a finished one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from course.services.claims import Claims

logger = logging.getLogger(__name__)

# 3.35.0 is the newest Azurite that runs on Node.js 20 (3.36 needs 21, 3.37 needs 22)
AZURITE_VERSION = "3.35.0"
PACKAGE = f"azurite@{AZURITE_VERSION}"
BLOB_MAIN = Path("node_modules", "azurite", "dist", "src", "blob", "main.js")
INSTALL_TIMEOUT_SECONDS = 600  # 186 MB from the npm registry: about 20 s on a quick line
INSTALL_LOCK_WAIT_SECONDS = INSTALL_TIMEOUT_SECONDS + 60


class AzuriteInstallError(RuntimeError):
    """npm is missing, or `npm install` failed; the message says why and what to do."""


def install_dir(services_dir: Path) -> Path:
    return services_dir / "tools" / f"azurite-{AZURITE_VERSION}"


def installed_program(services_dir: Path) -> Path | None:
    """The installed Azurite Blob server's script, or None when it is not installed yet."""
    program = install_dir(services_dir) / BLOB_MAIN
    return program if program.is_file() else None


def ensure_installed(services_dir: Path) -> Path:
    """Return Azurite's Blob server script, installing Azurite with npm first if needed."""
    program = installed_program(services_dir)
    if program:
        return program
    tools = install_dir(services_dir).parent
    with Claims(tools).lock(f"npm install {PACKAGE}", wait_seconds=INSTALL_LOCK_WAIT_SECONDS):
        program = installed_program(services_dir)  # another start installed it meanwhile
        return program or install(services_dir)


def install(services_dir: Path) -> Path:
    """Run `npm install` into a staging folder, then move it into place."""
    npm = shutil.which("npm")
    if npm is None:
        raise AzuriteInstallError(
            f"npm is not on PATH, so {PACKAGE} cannot be installed: install Node.js with npm "
            f"(https://nodejs.org/, or `sudo apt install nodejs npm`), or use Docker mode"
        )
    target = install_dir(services_dir)
    staging = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # --prefer-offline: what npm's cache holds is used without asking the registry again
    command = [npm, "install", "--prefix", str(staging), PACKAGE, "--omit=dev", "--prefer-offline",
               "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"]  # fmt: skip
    logger.warning("installing %s with npm into %s (once; about 190 MB)", PACKAGE, target)
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        raise AzuriteInstallError(
            f"`npm install {PACKAGE}` did not finish in {INSTALL_TIMEOUT_SECONDS}s: check the "
            f"network (npm's registry), then run `course services up azure` again"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if result.returncode != 0 or not (staging / BLOB_MAIN).is_file():
        shutil.rmtree(staging, ignore_errors=True)
        errors = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise AzuriteInstallError(
            f"`npm install {PACKAGE}` failed ({' | '.join(errors[-3:]) or result.returncode}): "
            f"check the network and npm's settings, then run `course services up azure` again"
        )
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(target)  # a folder without its script is an earlier broken copy
    os.replace(staging, target)
    return target / BLOB_MAIN
