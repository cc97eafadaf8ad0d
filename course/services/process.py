"""The processes behind embedded servers: still running?, this checkout's?, stop them.

A recorded pid is trusted only together with its start time (pids are reused) and this
checkout's data folder in its command line or working directory (a `cp -r` copy of a
checkout records the original's pids, and must not stop the original's servers).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from pathlib import Path
from typing import Literal

import psutil

logger = logging.getLogger(__name__)

# psutil rounds start times; a recycled pid starts seconds or more later
CREATE_TIME_TOLERANCE_SECONDS = 1.0
StopResult = Literal["stopped", "already gone", "not ours"]


def is_alive(pid: int, create_time: float | None = None) -> bool:
    """Tell whether `pid` runs and is the process started at `create_time`; a zombie has ended."""
    try:
        process = psutil.Process(pid)
        if create_time is not None and not same_start(process, create_time):
            return False
        # a zombie has exited and only waits for its parent to read its status
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def is_running(pid: int) -> bool:
    """Tell whether `pid` runs at all (a zombie does not)."""
    return is_alive(pid)


def listening_ports(pid: int, *, children: bool = True) -> set[int]:
    """The TCP ports that the process (and by default its children) listens on."""
    try:
        server = psutil.Process(pid)
        family = [server, *(server.children(recursive=True) if children else [])]
    except psutil.Error:
        return set()
    ports = set()
    for member in family:
        try:
            connections = member.net_connections("tcp")
        except psutil.Error:
            continue
        ports |= {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN}
    return ports


def same_start(process: psutil.Process, create_time: float) -> bool:
    return abs(process.create_time() - create_time) < CREATE_TIME_TOLERANCE_SECONDS


def is_within(path: str | os.PathLike[str], folder: Path) -> bool:
    """Tell whether `path` is `folder` or inside it (an absolute path, compared as written)."""
    candidate = Path(path)
    return candidate.is_absolute() and (candidate == folder or folder in candidate.parents)


def names_folder(process: psutil.Process, folder: Path) -> bool:
    """Tell whether the process's command line or working directory lies in `folder`."""
    try:
        working_directory = process.cwd()
    except (psutil.AccessDenied, psutil.ZombieProcess):
        working_directory = None  # another user's process: its command line still tells
    return mentions_folder(process.cmdline(), working_directory, folder)


def mentions_folder(arguments: list[str], working_directory: str | None, folder: Path) -> bool:
    """Tell whether an argument (or `--opt=value`) or the working directory lies in `folder`."""
    folders = {Path(os.path.abspath(folder)), Path(os.path.realpath(folder))}
    words = arguments + [argument.split("=", 1)[1] for argument in arguments if "=" in argument]
    if working_directory:
        words.append(working_directory)
    return any(is_within(word, known) for word in words for known in folders)


def belongs_to(pid: int, create_time: float | None, data_dir: Path) -> bool:
    """Tell whether `pid` is a live server of the checkout whose data folder is `data_dir`."""
    if not is_alive(pid, create_time):
        return False
    try:
        return names_folder(psutil.Process(pid), data_dir)
    except psutil.Error:
        return False


def reap(pid: int, create_time: float | None = None) -> None:
    """Collect the exit status of our own exited child, so it does not stay a zombie."""
    try:
        if create_time is not None and not same_start(psutil.Process(pid), create_time):
            return  # the pid now names another process
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, psutil.Error):
        pass  # gone, or not our child: its own parent reaps it


def start_times(processes: list[psutil.Process]) -> dict[int, float]:
    """Each process's pid and start time, skipping those that already ended."""
    known = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            known[process.pid] = process.create_time()
    return known


def wait_until_gone(processes: dict[int, float], timeout: float) -> dict[int, float]:
    """Wait until each process has exited (zombies count); return those still running."""
    deadline = time.monotonic() + timeout
    running = dict(processes)
    while running:
        alive = {pid: made for pid, made in running.items() if is_alive(pid, made)}
        for pid, made in running.items():
            if pid not in alive:  # ended, perhaps as a zombie after the last look: collect it
                reap(pid, made)
        running = alive
        if not running or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return running


def stop(
    pid: int,
    create_time: float | None,
    data_dir: Path,
    *,
    signal_number: int = signal.SIGTERM,
    timeout: float = 20,
    name: str = "server",
) -> StopResult:
    """Stop this checkout's recorded server and its children: signal, wait, then kill."""
    if not is_alive(pid, create_time):
        reap(pid, create_time)
        return "already gone"
    if not belongs_to(pid, create_time, data_dir):
        logger.warning("%s (pid %s) is not this checkout's server; left running", name, pid)
        return "not ours"
    try:
        process = psutil.Process(pid)
        family = start_times([process, *process.children(recursive=True)])
        process.send_signal(signal_number)
    except psutil.NoSuchProcess:
        return "already gone"
    still_running = wait_until_gone(family, timeout)
    for leftover, made in still_running.items():
        logger.warning("%s (pid %s) did not stop in %ss; killing it", name, leftover, timeout)
        kill(leftover, made)
    wait_until_gone(still_running, timeout=5)
    return "stopped"


def kill(pid: int, create_time: float) -> None:
    try:
        process = psutil.Process(pid)
        if same_start(process, create_time):
            process.kill()
    except psutil.NoSuchProcess:
        pass
