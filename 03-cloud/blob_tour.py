"""One interface, four backends: the same application code on disk, S3, GCS and Azure.

Running it stores, lists, downloads through a time-limited URL and deletes the same blobs
with `publish_report` below, which knows only the `BlobStore` protocol, on each backend that
runs here: a local folder, S3 (moto or MinIO), Google Cloud Storage (its emulator) and Azure
Blob Storage (Azurite). Each works in a bucket, container or folder of its own, removed after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from blob_storage import BlobStore, LocalBlobStore

logger = logging.getLogger(__name__)


def publish_report(store: BlobStore, month: str, rows: list[str]) -> str:
    """Store a month's report and return a link valid for 10 minutes (any backend)."""
    key = f"reports/{month}.csv"
    store.put(key, (f"{row}\n".encode() for row in rows), content_type="text/csv")
    return store.download_url(key, expires_in=600)


@contextlib.contextmanager
def stores(settings) -> Iterator[dict[str, BlobStore | str]]:
    """Every backend as a BlobStore on a fresh namespace, or the reason it is not here."""
    from blob_azure import AzureBlobStore, make_blob_service
    from blob_gcs import GCSBlobStore, emulator_signing_credentials, make_gcs_client
    from blob_s3 import S3BlobStore
    from s3_basics import make_s3_client

    import course
    from course.sandbox import temporary_bucket, unique_name

    with contextlib.ExitStack() as cleanup:
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="blob-tour-")))
        found: dict[str, BlobStore | str] = {
            "local disk": LocalBlobStore(folder, url_key=os.urandom(32))
        }
        s3 = make_s3_client(settings)
        found["S3"] = S3BlobStore(s3, cleanup.enter_context(temporary_bucket(s3, prefix="tour")))
        name = unique_name("tour").replace("_", "-")
        for key, title in (("gcs", "Google Cloud Storage"), ("azure", "Azure Blob Storage")):
            try:
                course.SERVICES[key].check(settings)
            except course.ServiceUnavailable as error:
                found[title] = f"skipped: {error}"
                continue
            if key == "gcs":
                bucket = make_gcs_client(settings).create_bucket(name)
                cleanup.callback(bucket.delete, force=True)
                signer = emulator_signing_credentials(settings.gcs_project)
                endpoint = settings.gcs_endpoint_url
                found[title] = GCSBlobStore(
                    bucket, signing_credentials=signer, api_access_endpoint=endpoint
                )
            else:
                container = make_blob_service(settings).create_container(name)
                cleanup.callback(container.delete_container)
                found[title] = AzureBlobStore(container)
        yield found


def fetch(store: BlobStore, url: str) -> bytes:
    """Follow a download URL as a browser would (the local store checks its own URLs)."""
    import requests

    if isinstance(store, LocalBlobStore):
        return b"".join(store.open_url(url))
    return requests.get(url, timeout=10).content


def main() -> None:
    import course

    settings = course.require("s3")
    with stores(settings) as found:
        for number, (title, store) in enumerate(found.items(), start=1):
            if isinstance(store, str):
                print(f"{number}. {title}: {store}")
                continue
            url = publish_report(store, "2026-11", ["month,total", "11,4200"])
            print(f"{number}. {title} ({type(store).__name__}): stored {store.list('reports/')}")
            print(f"   link: {url[:70]}...")
            print(f"   the link serves {fetch(store, url)!r}")
            store.delete("reports/2026-11.csv")
    print("Conclusion: the application calls six methods; which cloud is one constructor away.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
