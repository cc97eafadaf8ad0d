"""Memcached from the `memcached` binary on PATH (Debian's and Homebrew's package `memcached`).

No Memcached server installs from PyPI, so this optional service runs only where the binary
is installed; `availability` says how to get it when it is not. Like the official image, it
keeps everything in memory: a restart empties it, which is what a cache may do.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

from course.services.availability import MEMCACHED_INSTALL_HINT
from course.services.servers.base import HOST, Server, ServiceStartError

MEMORY_MB = 64  # the image's default too; eviction starts when the slabs fill it
# memcached refuses to run as root without a user to switch to; nobody owns nothing
ROOT_USER = "nobody"


def server_binary() -> str:
    """The `memcached` on PATH, or a ServiceStartError that says how to install it."""
    found = shutil.which("memcached")
    if found is None:
        raise ServiceStartError(f"no `memcached` program on PATH: {MEMCACHED_INSTALL_HINT}")
    return found


class MemcachedServer(Server):
    key = "memcached"
    log_name = "memcached.log"

    def version(self) -> str:
        output = subprocess.run([server_binary(), "-V"], capture_output=True, text=True)
        return output.stdout.strip().replace("memcached", "Memcached", 1)  # "memcached 1.6.18"

    def url_settings(self, port: int) -> dict[str, str]:
        return {"memcached_url": f"memcached://{HOST}:{port}"}

    def command(self, port: int, home: Path) -> list[str]:
        # -U 0: no UDP listener (the course speaks TCP only, and UDP is an amplification risk)
        as_user = ["-u", ROOT_USER] if os.geteuid() == 0 else []
        return [server_binary(), "-l", HOST, "-p", str(port), "-U", "0",
                "-m", str(MEMORY_MB), *as_user]  # fmt: skip


def delete_prefixed(client, prefix: str, *, wait_seconds: float = 10.0) -> int:
    """Delete every key that starts with `prefix`; return how many (for a test's teardown).

    Memcached cannot list keys by pattern; `lru_crawler metadump all` lists every item, one
    `key=<URL-encoded key> exp=... size=...` line each, as SCAN does for Redis. `client` is
    a pymemcache client whose own key prefix is `prefix`, so each delete adds it back.
    """
    keys = metadump_keys(client.server, wait_seconds=wait_seconds)
    mine = [key.removeprefix(prefix) for key in keys if key.startswith(prefix)]
    for key in mine:
        client.delete(key)
    return len(mine)


def metadump_keys(address: tuple[str, int], *, wait_seconds: float = 10.0) -> list[str]:
    """Every key on the server, read from `lru_crawler metadump all` up to its END line.

    Not pymemcache's `raw_command`: it keeps only the last 4 KB of a reply that long. And
    the server runs one crawler request at a time, answering BUSY to a second (another
    test's teardown): wait and ask again, up to `wait_seconds`.
    """
    deadline, pause = time.monotonic() + wait_seconds, 0.01
    while True:
        with socket.create_connection(address, timeout=5) as connection:
            connection.sendall(b"lru_crawler metadump all\r\n")
            dump = read_reply(connection)
        if not dump.startswith(b"BUSY"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"Memcached's LRU crawler stayed busy for {wait_seconds} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
    if not dump.endswith(b"END\r\n"):
        raise RuntimeError(f"lru_crawler metadump failed: {dump.decode(errors='replace').strip()}")
    lines = dump.decode().splitlines()
    return [unquote(line.split()[0][4:]) for line in lines if line.startswith("key=")]


def read_reply(connection: socket.socket) -> bytes:
    """Read a dump up to its final END line, or a one-line answer (BUSY, an error)."""
    reply = bytearray()
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("Memcached closed the connection in the middle of a dump")
        reply += chunk
        if reply.endswith(b"END\r\n"):
            return bytes(reply)
        if len(reply) >= 4 and not reply.startswith(b"key=") and b"\r\n" in reply:
            return bytes(reply)  # BUSY, ERROR or CLIENT_ERROR: one line, no END
