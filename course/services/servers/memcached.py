"""Memcached from the `memcached` binary on PATH (Debian's and Homebrew's package `memcached`).

No Memcached server installs from PyPI, so this optional service runs only where the binary
is installed; `availability` says how to get it when it is not. Like the official image, it
keeps everything in memory: a restart empties it, which is what a cache may do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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


def delete_prefixed(client, prefix: str) -> int:
    """Delete every key that starts with `prefix`; return how many (for a test's teardown).

    Memcached cannot list keys by pattern; `lru_crawler metadump all` lists every item, one
    `key=<URL-encoded key> exp=... size=...` line each, as SCAN does for Redis. `client` is
    a pymemcache client whose own key prefix is `prefix`, so each delete adds it back.
    """
    dump = client.raw_command("lru_crawler metadump all", "END\r\n").decode()
    keys = [unquote(line.split()[0][4:]) for line in dump.splitlines() if line.startswith("key=")]
    mine = [key.removeprefix(prefix) for key in keys if key.startswith(prefix)]
    for key in mine:
        client.delete(key)
    return len(mine)
