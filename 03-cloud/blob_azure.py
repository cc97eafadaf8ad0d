"""The BlobStore on Azure Blob Storage, with `azure-storage-blob`.

A put streams through `upload_blob` (block blobs, staged in blocks and committed at the end);
a download URL carries a shared access signature (SAS): read-only, for one blob, until an
expiry, signed with the account key. Azurite, the emulator, enforces both.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable, Iterator

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobSasPermissions, ContentSettings, generate_blob_sas
from blob_storage import BlobNotFound, Counted, check_key

logger = logging.getLogger(__name__)


class AzureBlobStore:
    """Blobs in one Azure Blob Storage container."""

    def __init__(self, container):
        # container: an azure.storage.blob.ContainerClient made from a connection string
        self.container = container

    def put(self, key: str, chunks: Iterable[bytes], *, content_type: str = "") -> int:
        counted = Counted(chunks)
        settings = ContentSettings(content_type=content_type) if content_type else None
        self.container.upload_blob(
            check_key(key), counted, overwrite=True, content_settings=settings
        )
        return counted.size

    def get(self, key: str) -> Iterator[bytes]:
        try:
            downloader = self.container.download_blob(check_key(key))
        except ResourceNotFoundError:
            raise BlobNotFound(key) from None
        return downloader.chunks()

    def exists(self, key: str) -> bool:
        return self.container.get_blob_client(check_key(key)).exists()

    def delete(self, key: str) -> None:
        # deleting what is not there succeeds, as on S3
        with contextlib.suppress(ResourceNotFoundError):
            self.container.delete_blob(check_key(key))

    def list(self, prefix: str = "") -> list[str]:
        return sorted(self.container.list_blob_names(name_starts_with=prefix or None))

    def download_url(self, key: str, *, expires_in: int) -> str:
        return sas_url(self.container, check_key(key), expires_in=expires_in)


def make_blob_service(settings):
    """A BlobServiceClient from the connection string in settings (Azurite's here)."""
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(settings.azure_storage_connection_string)


def sas_url(container, key: str, *, expires_in: int, permission: str = "r") -> str:
    """A URL for one blob with a SAS: these permissions, until now + expires_in seconds."""
    credential = container.credential  # the account name and key from the connection string
    expiry = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=expires_in)
    token = generate_blob_sas(
        account_name=credential.account_name,
        container_name=container.container_name,
        blob_name=key,
        account_key=credential.account_key,
        permission=BlobSasPermissions.from_string(permission),
        expiry=expiry,
    )
    return f"{container.get_blob_client(key).url}?{token}"
