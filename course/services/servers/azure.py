"""Azure Blob Storage from Azurite (npm), on Node.js; installed into `.services/` on first use.

It runs only the Blob service, with the well-known development account `devstoreaccount1`
and its published key. `--skipApiVersionCheck`: a newer azure-storage-blob than this Azurite
knows still works; `--disableTelemetry`: the emulator sends nothing anywhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from course.connection_strings import development_connection_string
from course.services import azurite
from course.services.servers.base import HOST, Server, ServiceStartError


class AzureServer(Server):
    key = "azure"
    log_name = "azurite.log"

    def version(self) -> str:
        return f"Azurite {azurite.AZURITE_VERSION}"

    def url_settings(self, port: int) -> dict[str, str]:
        return {"azure_storage_connection_string": development_connection_string(HOST, port)}

    def prepare(self, port: int, home: Path) -> None:
        """Install Azurite with npm the first time (into `.services/tools/`)."""
        if shutil.which("node") is None:
            raise ServiceStartError("Node.js (`node`) is not on PATH, and Azurite runs on it")
        try:
            azurite.ensure_installed(home.parent)
        except azurite.AzuriteInstallError as error:
            raise ServiceStartError(str(error)) from None

    def command(self, port: int, home: Path) -> list[str]:
        node, program = shutil.which("node"), azurite.installed_program(home.parent)
        if node is None or program is None:
            raise ServiceStartError("Azurite is not installed: run `course services up azure`")
        return [node, str(program), "--blobHost", HOST, "--blobPort", str(port),
                "--location", str(home / "data"), "--skipApiVersionCheck", "--disableTelemetry",
                "--silent"]  # fmt: skip
