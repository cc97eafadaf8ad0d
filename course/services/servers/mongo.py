"""MongoDB's wire protocol from SecantusDB (`secantusd-py`), built on WiredTiger.

SecantusDB has no wheel for every Python (none for 3.14): `availability` says when it is
missing, and the manager then starts the other servers and reports the reason.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from course.services import programs
from course.services.servers.base import HOST, Server


class MongoServer(Server):
    key = "mongo"
    log_name = "secantus.log"

    def version(self) -> str:
        return f"SecantusDB {metadata.version('secantusdb')}"

    def url_settings(self, port: int) -> dict[str, str]:
        return {"mongo_url": f"mongodb://{HOST}:{port}/course?directConnection=true"}

    def command(self, port: int, home: Path) -> list[str]:
        return [*programs.console_script("secantusd-py"), "--host", HOST, "--port", str(port),
                "--storage-path", str(home / "data"), "--log-level", "WARNING"]  # fmt: skip
