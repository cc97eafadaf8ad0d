"""Fixtures of this lesson's tests: the lesson's own S3 client and the four BlobStores.

The services' fixtures (`s3_bucket`, `gcs_bucket`, `azure_container`, ...) come from the root
conftest; each test gets a fresh bucket, container or folder of its own.
"""

from __future__ import annotations

import os

import pytest

BACKENDS = ["local", "s3", "gcs", "azure"]


@pytest.fixture(scope="session")
def s3_client(s3_client, settings):
    """The lesson's own client (s3_basics.make_s3_client), once the root fixture saw S3 up."""
    from s3_basics import make_s3_client

    return make_s3_client(settings)


@pytest.fixture(scope="session")
def gcs_signing_credentials(settings):
    """A throwaway service-account key, made once: RSA key generation takes a moment."""
    from blob_gcs import emulator_signing_credentials

    return emulator_signing_credentials(settings.gcs_project)


@pytest.fixture(params=BACKENDS)
def blob_store(request, tmp_path):
    """One BlobStore per backend, each on a fresh bucket, container or folder of its own."""
    if request.param == "local":
        from blob_storage import LocalBlobStore

        return LocalBlobStore(tmp_path / "blobs", url_key=os.urandom(32))
    if request.param == "s3":
        from blob_s3 import S3BlobStore

        # two keys a page, so every listing test also proves that every page is read
        return S3BlobStore(
            request.getfixturevalue("s3_client"), request.getfixturevalue("s3_bucket"), page_size=2
        )
    if request.param == "gcs":
        from blob_gcs import GCSBlobStore

        bucket = request.getfixturevalue("gcs_bucket")
        return GCSBlobStore(
            bucket,
            signing_credentials=request.getfixturevalue("gcs_signing_credentials"),
            api_access_endpoint=request.getfixturevalue("settings").gcs_endpoint_url,
        )
    from blob_azure import AzureBlobStore

    return AzureBlobStore(request.getfixturevalue("azure_container"))
