"""Add up how many bytes each "folder" of a bucket holds.

Write `folder_sizes(client, bucket_name, prefix)`. It returns a dict from each folder directly
under `prefix` (the next part of the key up to and including its `/`, e.g. "photos/2026/") to
the total size in bytes of every object beneath it, at any depth. Objects directly under
`prefix` (no further `/`) are added up under the key "" (the empty string). List with a
paginator (`client.get_paginator("list_objects_v2")`): one call returns at most 1,000 keys.

`s3_listing.py` lists keys and folders; part 1 explains prefixes and delimiters.

Check your work with `.venv/bin/course check 03 ex01`; a hint: `.venv/bin/course hint 03 ex01`.
"""

from __future__ import annotations


def folder_sizes(client, bucket_name: str, prefix: str = "") -> dict[str, int]:
    """Total bytes under each folder directly below `prefix` ("" for objects right there)."""
    # TODO: paginate list_objects_v2 with Prefix=prefix; for each entry take entry["Key"]
    # minus the prefix, cut it after its first "/", and add entry["Size"] to that folder
    raise NotImplementedError("TODO: add up the sizes of the objects under each folder")
