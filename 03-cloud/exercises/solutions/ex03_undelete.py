"""Reference solution for ex03: find the deleted keys, then peel their markers off the top."""

from __future__ import annotations


def undelete(client, bucket_name: str, prefix: str = "") -> list[str]:
    """Remove the delete markers on top of every deleted key under prefix; return those keys."""
    paginator = client.get_paginator("list_object_versions")
    deleted = sorted(
        marker["Key"]
        for page in paginator.paginate(Bucket=bucket_name, Prefix=prefix)
        for marker in page.get("DeleteMarkers", [])
        if marker["IsLatest"]
    )
    # collected first, deleted after: changing the bucket while paginating can skip entries
    for key in deleted:
        while (marker := latest_delete_marker(client, bucket_name, key)) is not None:
            client.delete_object(Bucket=bucket_name, Key=key, VersionId=marker)
    return deleted


def latest_delete_marker(client, bucket_name: str, key: str) -> str | None:
    """The version id of the key's newest entry if it is a delete marker, else None."""
    answer = client.list_object_versions(Bucket=bucket_name, Prefix=key)
    for marker in answer.get("DeleteMarkers", []):
        if marker["Key"] == key and marker["IsLatest"]:  # a prefix also matches longer keys
            return marker["VersionId"]
    return None
