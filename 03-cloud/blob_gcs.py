"""The BlobStore on Google Cloud Storage, with `google-cloud-storage`.

A put streams through `Blob.open("wb")` (a resumable upload, sent in chunks); a download URL
is a V4 signed URL, which needs a service account's private key to sign: on Google Cloud
that is the service account the code runs as, here a key made for the emulator.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable, Iterator

from blob_storage import CHUNK_SIZE, BlobNotFound, check_key
from google.api_core.exceptions import NotFound

logger = logging.getLogger(__name__)


class GCSBlobStore:
    """Blobs as objects in one Cloud Storage bucket."""

    def __init__(self, bucket, *, signing_credentials=None, api_access_endpoint: str = ""):
        # bucket: a google.cloud.storage.Bucket; the credentials sign download URLs
        self.bucket, self.signing_credentials = bucket, signing_credentials
        self.api_access_endpoint = api_access_endpoint or "https://storage.googleapis.com"

    def put(self, key: str, chunks: Iterable[bytes], *, content_type: str = "") -> int:
        blob, size = self.bucket.blob(check_key(key)), 0
        options = {"content_type": content_type} if content_type else {}
        # the object appears only when the writer closes; an exception inside leaves nothing
        with blob.open("wb", chunk_size=CHUNK_SIZE, **options) as writer:
            for chunk in chunks:
                writer.write(chunk)
                size += len(chunk)
        return size

    def get(self, key: str) -> Iterator[bytes]:
        reader = self.bucket.blob(check_key(key)).open("rb", chunk_size=CHUNK_SIZE)
        try:
            first = reader.read(CHUNK_SIZE)  # opening is lazy: the first read finds a missing blob
        except NotFound:
            reader.close()
            raise BlobNotFound(key) from None
        return read_rest(reader, first)

    def exists(self, key: str) -> bool:
        return self.bucket.blob(check_key(key)).exists()

    def delete(self, key: str) -> None:
        # deleting what is not there succeeds, as on S3 and Azure
        with contextlib.suppress(NotFound):
            self.bucket.blob(check_key(key)).delete()

    def list(self, prefix: str = "") -> list[str]:
        return sorted(
            blob.name for blob in self.bucket.client.list_blobs(self.bucket, prefix=prefix)
        )

    def download_url(self, key: str, *, expires_in: int) -> str:
        return self.bucket.blob(check_key(key)).generate_signed_url(
            version="v4",
            expiration=datetime.timedelta(seconds=expires_in),
            method="GET",
            credentials=self.signing_credentials,
            api_access_endpoint=self.api_access_endpoint,
        )


def make_gcs_client(settings):
    """A Cloud Storage client for the endpoint and project in settings (the emulator here)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    # on Google Cloud: storage.Client() finds the service account's credentials by itself
    return storage.Client(
        project=settings.gcs_project,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": settings.gcs_endpoint_url},
    )


def read_rest(reader, first: bytes) -> Iterator[bytes]:
    """Yield the first chunk, then the rest of a blob reader in chunks; close it at the end."""
    with reader:
        chunk = first
        while chunk:
            yield chunk
            chunk = reader.read(CHUNK_SIZE)


def emulator_signing_credentials(project: str):
    """Service-account credentials with a new RSA key, to sign URLs for the emulator.

    On Google Cloud, sign with the service account the code runs as (or the IAM signBlob
    API); a key made here is trusted by nobody but the emulator, which does not check it.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "client_email": f"course@{project}.iam.gserviceaccount.com",
            "private_key": pem.decode(),
            "token_uri": "https://oauth2.googleapis.com/token",  # nosec B105  # a URL, not a password
            "project_id": project,
        }
    )
