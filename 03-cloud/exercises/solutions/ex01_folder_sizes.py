"""Reference solution for ex01: one paginated listing, each size added to its folder."""

from __future__ import annotations

from collections import defaultdict


def folder_sizes(client, bucket_name: str, prefix: str = "") -> dict[str, int]:
    """Total bytes under each folder directly below `prefix` ("" for objects right there)."""
    totals: dict[str, int] = defaultdict(int)
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket_name, Prefix=prefix):
        for entry in page.get("Contents", []):
            rest = entry["Key"].removeprefix(prefix)
            folder = rest.split("/", 1)[0] + "/" if "/" in rest else ""
            totals[folder] += entry["Size"]
    return dict(totals)
