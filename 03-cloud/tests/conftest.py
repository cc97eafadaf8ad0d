"""Fixtures of this lesson's tests: the four BlobStores, on the real services.

TEMPORARY (until the cloudsvc branch merges): `gcs_client`, `gcs_bucket`,
`azure_service_client` and `azure_container` are defined here with the names and settings the
root conftest will provide (DECISIONS.md); they are deleted when that branch is merged.
"""

from __future__ import annotations

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

AZURITE_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
    "KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
)


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def gcs_client(settings):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    url = getattr(
        settings, "gcs_endpoint_url", os.environ.get("GCS_ENDPOINT_URL", "http://127.0.0.1:4443")
    )
    if not _answers(url):
        pytest.skip(f"no Google Cloud Storage emulator at {url}: `course services up` starts one")
    project = getattr(settings, "gcs_project", "course-local")
    return storage.Client(
        project=project, credentials=AnonymousCredentials(), client_options={"api_endpoint": url}
    )


@pytest.fixture
def gcs_bucket(gcs_client):
    bucket = gcs_client.create_bucket(f"test-{uuid.uuid4().hex[:10]}")
    yield bucket
    for blob in gcs_client.list_blobs(bucket):
        blob.delete()
    bucket.delete()


@pytest.fixture(scope="session")
def azure_service_client(settings):
    from azure.storage.blob import BlobServiceClient

    connection = getattr(settings, "azure_storage_connection_string", AZURITE_CONNECTION_STRING)
    endpoint = next(
        p.split("=", 1)[1] for p in connection.split(";") if p.startswith("BlobEndpoint=")
    )
    if not _answers(endpoint):
        pytest.skip(
            f"no Azure Blob Storage emulator at {endpoint}: `course services up` starts Azurite"
        )
    return BlobServiceClient.from_connection_string(connection)


@pytest.fixture
def azure_container(azure_service_client):
    container = azure_service_client.create_container(f"test-{uuid.uuid4().hex[:10]}")
    yield container
    container.delete_container()


# --- the lesson's own fixtures (stay after the merge) -------------------------------------

BACKENDS = ["local", "s3", "gcs", "azure"]


@pytest.fixture(scope="session")
def s3_client(s3_client, settings):
    """The lesson's own client (s3_basics.make_s3_client), once the root fixture saw S3 up."""
    from s3_basics import make_s3_client

    return make_s3_client(settings)


@pytest.fixture(scope="session")
def gcs_signing_credentials(settings):
    from blob_gcs import emulator_signing_credentials

    return emulator_signing_credentials(getattr(settings, "gcs_project", "course-local"))


@pytest.fixture(params=BACKENDS)
def blob_store(request, tmp_path):
    """One BlobStore per backend, each on a fresh bucket, container or folder of its own."""
    if request.param == "local":
        from blob_storage import LocalBlobStore

        return LocalBlobStore(tmp_path / "blobs", url_key=os.urandom(32))
    if request.param == "s3":
        from blob_s3 import S3BlobStore

        return S3BlobStore(
            request.getfixturevalue("s3_client"), request.getfixturevalue("s3_bucket")
        )
    if request.param == "gcs":
        from blob_gcs import GCSBlobStore

        bucket = request.getfixturevalue("gcs_bucket")
        return GCSBlobStore(
            bucket,
            signing_credentials=request.getfixturevalue("gcs_signing_credentials"),
            api_access_endpoint=bucket.client._connection.API_BASE_URL,
        )
    from blob_azure import AzureBlobStore

    return AzureBlobStore(request.getfixturevalue("azure_container"))
