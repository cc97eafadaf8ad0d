"""A scratch checkout: a copy of the toolkit in its own folder, driven by the real command.

Its `.services/` and `.env` are its own, so a test can start, interrupt and race real servers
without touching the suite's. `leftovers` finds any process still running from its folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from course.paths import ROOT
from course.services import process as processes

URL_VARIABLES = ("DATABASE_URL", "MONGO_URL", "REDIS_URL", "S3_ENDPOINT_URL", "S3_BUCKET")


class Scratch:
    """One scratch checkout and the commands run in it."""

    def __init__(self) -> None:
        # in /tmp, not pytest's private tmp_path: PostgreSQL's own user must reach it
        self.root = Path(tempfile.mkdtemp(prefix="course-scratch-"))
        self.root.chmod(0o755)
        # COURSE_SCRATCH_SOURCE: another checkout's toolkit, e.g. an older commit's, to show
        # that a test fails on the code before its fix
        source = Path(os.environ.get("COURSE_SCRATCH_SOURCE", ROOT))
        shutil.copytree(
            source / "course", self.root / "course",
            ignore=shutil.ignore_patterns("tests", "__pycache__"),
        )  # fmt: skip
        for name in (".env.example", "docker-compose.yml"):
            shutil.copy(ROOT / name, self.root / name)
        self.env_file = self.root / ".env"
        self.services_dir = self.root / ".services"

    def environment(self) -> dict[str, str]:
        drop = (*URL_VARIABLES, "COURSE_SERVICES_MODE", "PYTEST_XDIST_WORKER")
        return {k: v for k, v in os.environ.items() if k not in drop} | {"COLUMNS": "200"}

    def command(self, *arguments: str) -> list[str]:
        return [sys.executable, "-m", "course", *arguments]

    def run(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `course ARGUMENTS` in the scratch checkout; stdout and stderr together."""
        return subprocess.run(
            self.command(*arguments), cwd=self.root, env=self.environment(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            timeout=timeout,
        )  # fmt: skip

    def popen(self, *arguments: str) -> subprocess.Popen:
        """Start `course ARGUMENTS`; Ctrl-C (SIGINT) reaches it as it would in a terminal."""
        return subprocess.Popen(
            self.command(*arguments), cwd=self.root, env=self.environment(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # a pytest-xdist worker ignores SIGINT, and an ignored signal stays ignored
            # across exec: restore the default, so Python turns it into KeyboardInterrupt
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip

    def records(self) -> dict[str, dict]:
        state = self.services_dir / "state.json"
        return json.loads(state.read_text()) if state.exists() else {}

    def leftovers(self) -> list[psutil.Process]:
        """The running processes whose command line or working folder is in this checkout."""
        found = []
        for candidate in psutil.process_iter():
            try:
                if processes.is_alive(candidate.pid) and processes.names_folder(
                    candidate, self.services_dir
                ):
                    found.append(candidate)
            except psutil.Error:
                continue
        return found

    def servers(self, key: str) -> list[psutil.Process]:
        """The top-level server processes of one service (not PostgreSQL's backends)."""
        mine = [p for p in self.leftovers() if processes.names_folder(p, self.services_dir / key)]
        pids = {p.pid for p in mine}
        return [p for p in mine if p.ppid() not in pids]

    def remove(self) -> list[str]:
        """Kill whatever is left (say what it was), then delete the folder."""
        left = []
        for leftover in self.leftovers():
            try:
                left.append(f"pid {leftover.pid}: {' '.join(leftover.cmdline())[:120]}")
                leftover.kill()
            except psutil.Error:
                continue
        psutil.wait_procs(self.leftovers(), timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)
        return left
