"""Start the embedded servers' programs: in their own session, through this Python.

`spawn` returns the server's own process at once, so it can be recorded before anything else
can go wrong; `console_script` runs a venv script through `sys.executable`, because a moved
checkout's scripts still name the old venv in their first line.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import psutil


class ProgramNotFound(RuntimeError):
    """A server's program is not installed."""


class DetachedServer(subprocess.Popen):
    """A server meant to outlive this object: `process.stop` ends and reaps it, not `wait`."""

    def __del__(self) -> None:
        # Popen warns "subprocess N is still running" when dropped before its child ends;
        # for a background server that is the point, and the warning would only be noise
        pass


def spawn(
    command: list[str],
    home: Path,
    log_file: Path,
    *,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
) -> psutil.Process:
    """Start a server in its own session (it outlives us), logging to `log_file`.

    With `user`, the server runs as that system user (PostgreSQL refuses root), and the
    pid is the server's own, not that of a `runuser` in between. `env` adds variables to
    the server's environment.
    """
    home.mkdir(parents=True, exist_ok=True)
    as_user = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []} if user else {}
    with log_file.open("ab") as log:
        server = DetachedServer(
            command, cwd=home, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, **env} if env else None, **as_user,
        )  # fmt: skip
    return psutil.Process(server.pid)


def console_script(name: str, bin_dir: Path | None = None) -> list[str]:
    """Return the command that runs console script `name` through this Python, not its shebang."""
    beside = (bin_dir or Path(sys.executable).parent) / name
    if beside.is_file():
        # a moved checkout keeps the old path in its scripts' shebang lines: run the script
        # with the Python that runs us instead of asking the kernel to follow its first line
        return [sys.executable, str(beside)] if is_python_script(beside) else [str(beside)]
    on_path = shutil.which(name)  # someone else's program: its own shebang is right
    if not on_path:
        raise ProgramNotFound(f"{name!r} is not installed: run `make install`")
    return [on_path]


def is_python_script(path: Path) -> bool:
    with path.open("rb") as script:
        first_line = script.readline(200)
    return first_line.startswith(b"#!") and b"python" in first_line
