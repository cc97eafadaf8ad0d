"""Listing, versions and lifecycle rules: what a bucket holds over time.

Running it shows, in a bucket of its own:
1. 1,200 keys listed with a paginator: S3 answers at most 1,000 keys per request, so a plain
   `list_objects_v2` call sees only the first page;
2. a prefix and a delimiter turn flat keys into "folders" (`CommonPrefixes`);
3. versioning: an overwritten and then deleted object, restored from its old version;
4. a lifecycle configuration: old versions expire, unfinished multipart uploads are aborted.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listing:
    """The keys found and how many requests (pages) it took."""

    keys: list[str]
    pages: int


def list_keys(client, bucket_name: str, prefix: str = "", *, page_size: int = 1000) -> Listing:
    """Every key under `prefix`, following continuation tokens page by page."""
    keys, pages = [], 0
    paginator = client.get_paginator("list_objects_v2")
    pagination = {"PageSize": page_size}  # S3 sends at most 1,000 keys a page, whatever you ask
    for page in paginator.paginate(Bucket=bucket_name, Prefix=prefix, PaginationConfig=pagination):
        pages += 1
        keys += [entry["Key"] for entry in page.get("Contents", [])]
    return Listing(keys, pages)


def list_folder(client, bucket_name: str, prefix: str) -> tuple[list[str], list[str]]:
    """The "files" and "subfolders" directly under `prefix`, as `/` delimits them."""
    files, folders = [], []
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket_name, Prefix=prefix, Delimiter="/"):
        files += [entry["Key"] for entry in page.get("Contents", [])]
        folders += [common["Prefix"] for common in page.get("CommonPrefixes", [])]
    return files, folders


def put_many(client, bucket_name: str, keys: list[str], *, threads: int = 8) -> None:
    """Create small objects under many keys at once (S3 has no batch PUT)."""
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda key: client.put_object(Bucket=bucket_name, Key=key, Body=b"x"), keys))


def enable_versioning(client, bucket_name: str) -> None:
    """Keep every version of every object from now on (it cannot be turned off, only paused)."""
    client.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Enabled"})


def versions_of(client, bucket_name: str, key: str) -> list[dict]:
    """The versions and delete markers of one key, newest first."""
    answer = client.list_object_versions(Bucket=bucket_name, Prefix=key)
    found = [
        {
            "VersionId": v["VersionId"],
            "IsLatest": v["IsLatest"],
            "LastModified": v["LastModified"],
            "DeleteMarker": marker,
        }
        for marker, kind in ((False, "Versions"), (True, "DeleteMarkers"))
        for v in answer.get(kind, [])
        if v["Key"] == key  # a prefix also matches longer keys
    ]
    return sorted(found, key=lambda v: (v["IsLatest"], v["LastModified"]), reverse=True)


def restore_version(client, bucket_name: str, key: str, version_id: str) -> None:
    """Make an old version current again by copying it onto its own key."""
    client.copy_object(
        Bucket=bucket_name,
        Key=key,
        CopySource={"Bucket": bucket_name, "Key": key, "VersionId": version_id},
    )


LIFECYCLE_RULES = {
    "Rules": [
        {
            "ID": "expire-old-versions",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        },
        {
            "ID": "abort-abandoned-uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            # parts of an upload that was never completed or aborted are billed as storage
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
    ]
}


def set_lifecycle(client, bucket_name: str) -> list[str]:
    """Install LIFECYCLE_RULES on the bucket; return the rule ids the server now has."""
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket_name, LifecycleConfiguration=LIFECYCLE_RULES
    )
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
    return [rule["ID"] for rule in rules]


def main() -> None:
    from s3_basics import get_bytes, make_s3_client

    import course
    from course.sandbox import temporary_bucket

    settings = course.require("s3")
    client = make_s3_client(settings)
    with temporary_bucket(client, prefix="s3-listing") as bucket_name:
        put_many(client, bucket_name, [f"logs/2026/{n:05}.txt" for n in range(1200)])
        first_call = client.list_objects_v2(Bucket=bucket_name)
        listing = list_keys(client, bucket_name)
        print(f"1. one list_objects_v2 call: {first_call['KeyCount']} keys, "
              f"IsTruncated={first_call['IsTruncated']};")  # fmt: skip
        print(f"   the paginator: {len(listing.keys)} keys in {listing.pages} pages")
        for key in ("photos/2026/cat.jpg", "photos/2026/dog.jpg", "photos/2025/owl.jpg",
                    "photos/index.html"):  # fmt: skip
            client.put_object(Bucket=bucket_name, Key=key, Body=b"x")
        files, folders = list_folder(client, bucket_name, "photos/")
        print(f"2. under 'photos/' with Delimiter='/': files {files}, folders {folders}")
    with temporary_bucket(client, prefix="s3-versions") as bucket_name:
        enable_versioning(client, bucket_name)
        client.put_object(Bucket=bucket_name, Key="price.txt", Body=b"v1: 10 EUR")
        client.put_object(Bucket=bucket_name, Key="price.txt", Body=b"v2: 99 EUR (a mistake)")
        client.delete_object(Bucket=bucket_name, Key="price.txt")
        versions = versions_of(client, bucket_name, "price.txt")
        print(f"3. after two writes and a delete: {len(versions)} entries, the newest a "
              f"delete marker: {versions[0]['DeleteMarker']}")  # fmt: skip
        oldest = [v for v in versions if not v["DeleteMarker"]][-1]
        restore_version(client, bucket_name, "price.txt", oldest["VersionId"])
        print(f"   restored the first version: {get_bytes(client, bucket_name, 'price.txt')!r}")
        print(f"4. lifecycle rules installed: {set_lifecycle(client, bucket_name)}")
        print("   (the server applies them about once a day; nothing expires during this demo)")
    print("Conclusion: list with a paginator, think of '/' as a convention, keep versions.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
