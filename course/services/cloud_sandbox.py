"""Throwaway buckets and containers on the cloud emulators, for tests, scripts and notebooks.

Like `course.sandbox` for S3: each name is unique (two runs, or two test workers, never share
one), and each is deleted with everything in it on exit, also when the block failed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from course.sandbox import unique_name


def bucket_name(prefix: str = "scratch") -> str:
    """A unique name valid for a GCS bucket and an Azure container (lowercase, digits, '-')."""
    return unique_name(prefix).replace("_", "-").lower()


@contextmanager
def temporary_gcs_bucket(gcs_client, prefix: str = "scratch") -> Iterator:
    """Create a uniquely named Google Cloud Storage bucket; yield it; delete it on exit."""
    from google.api_core.exceptions import NotFound

    bucket = gcs_client.create_bucket(bucket_name(prefix))
    try:
        yield bucket
    finally:
        with contextlib.suppress(NotFound):  # the block may have deleted it itself
            # every generation: a versioned bucket keeps the old ones after a delete
            for blob in gcs_client.list_blobs(bucket, versions=True):
                with contextlib.suppress(NotFound):
                    bucket.delete_blob(blob.name, generation=blob.generation)
            bucket.delete()


@contextmanager
def temporary_azure_container(blob_service_client, prefix: str = "scratch") -> Iterator:
    """Create a uniquely named Azure Blob container; yield its client; delete it on exit."""
    from azure.core.exceptions import ResourceNotFoundError

    container = blob_service_client.create_container(bucket_name(prefix))
    try:
        yield container
    finally:
        with contextlib.suppress(ResourceNotFoundError):  # deleting it deletes its blobs
            container.delete_container()
