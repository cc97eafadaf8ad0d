"""Google Cloud Storage from `gcp-storage-emulator` (PyPI), its data in `.services/gcs/data`.

The emulator speaks the JSON API that `google-cloud-storage` uses; clients reach it with
`AnonymousCredentials` and its endpoint (see `course.services.cloud_probes`).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from course.services import programs
from course.services.servers.base import HOST, Server


class GcsServer(Server):
    key = "gcs"
    log_name = "gcs-emulator.log"

    def version(self) -> str:
        return f"gcp-storage-emulator {metadata.version('gcp-storage-emulator')}"

    def url_settings(self, port: int) -> dict[str, str]:
        return {"gcs_endpoint_url": f"http://{HOST}:{port}"}

    def prepare(self, port: int, home: Path) -> None:
        (home / "data").mkdir(parents=True, exist_ok=True)

    def command(self, port: int, home: Path) -> list[str]:
        return [*programs.console_script("gcp-storage-emulator"), "--data-dir",
                str(home / "data"), "start", "--host", HOST, "--port", str(port)]  # fmt: skip
