"""Ports for embedded servers, and the `.env` values the course itself wrote.

Remembering the values the course wrote tells them apart from a URL the learner set on
purpose: the first may be replaced freely, the second is used as it is when it answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterable
from pathlib import Path

from course.services.servers.base import HOST

WRITTEN_FILE = "env-written.json"


def port_is_free(port: int) -> bool:
    """True when no program listens on the port (connections in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # the servers set SO_REUSEADDR too, so a just-stopped server's closed connections
        # (TIME_WAIT) would not stop them binding; without it, the port would look taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def remembered_values(services_dir: Path) -> set[str]:
    """The `.env` values that `course services up` wrote in this checkout."""
    try:
        return set(json.loads((services_dir / WRITTEN_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return set()


def remember_values(services_dir: Path, values: Iterable[str]) -> None:
    known = sorted(remembered_values(services_dir) | set(values))
    target = services_dir / WRITTEN_FILE
    temporary = target.with_name(f".{WRITTEN_FILE}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # only a convenience: never fail `up` for it
        services_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(known, indent=1))
        os.replace(temporary, target)
