"""Reference solution for ex03: find the latest delete markers, then delete only those."""

from __future__ import annotations


def undelete(client, bucket_name: str, prefix: str = "") -> list[str]:
    """Remove the newest delete marker of every deleted key under prefix; return those keys."""
    paginator = client.get_paginator("list_object_versions")
    latest_markers = [
        marker
        for page in paginator.paginate(Bucket=bucket_name, Prefix=prefix)
        for marker in page.get("DeleteMarkers", [])
        if marker["IsLatest"]
    ]
    # collected first, deleted after: changing the bucket while paginating can skip entries
    for marker in latest_markers:
        client.delete_object(Bucket=bucket_name, Key=marker["Key"], VersionId=marker["VersionId"])
    return sorted(marker["Key"] for marker in latest_markers)
