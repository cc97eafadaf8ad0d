"""S3 from `moto[server]`, the standalone moto HTTP server; "ready" includes the course bucket."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from course.services import programs
from course.services.probes import make_s3_client
from course.services.servers.base import HOST, Server, settings_for


class S3Server(Server):
    key = "s3"
    log_name = "moto.log"

    def version(self) -> str:
        return f"moto {metadata.version('moto')}"

    def url_settings(self, port: int) -> dict[str, str]:
        return {"s3_endpoint_url": f"http://{HOST}:{port}"}

    def command(self, port: int, home: Path) -> list[str]:
        return [*programs.console_script("moto_server"), "-H", HOST, "-p", str(port)]

    def set_up(self, url_settings: dict[str, str]) -> None:
        settings = settings_for(url_settings)
        client = make_s3_client(settings)
        existing = {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}
        if settings.s3_bucket not in existing:
            client.create_bucket(Bucket=settings.s3_bucket)
