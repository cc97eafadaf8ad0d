"""Undo deletes in a versioned bucket: bring back every object deleted under a prefix.

In a bucket with versioning on, a DELETE does not remove anything: it adds a *delete marker*
as the newest version, and the older versions stay. Write `undelete(client, bucket_name,
prefix)`. For every key under `prefix` whose newest version (`IsLatest`) is a delete marker,
delete that marker (`delete_object` with its `VersionId`); if the newest entry is then
another delete marker (the key was deleted twice), delete that too, until a real version is
the newest again. Leave keys that are not deleted alone, never delete a real version, and
return the keys brought back, sorted. List with the `list_object_versions` paginator: a
page holds at most 1,000 versions and markers.

`s3_listing.py` (`versions_of`, `restore_version`) works with versions; part 1 explains them.

Check your work with `.venv/bin/course check 03 ex03`; a hint: `.venv/bin/course hint 03 ex03`.
"""

from __future__ import annotations


def undelete(client, bucket_name: str, prefix: str = "") -> list[str]:
    """Remove the delete markers on top of every deleted key under prefix; return those keys."""
    # TODO: paginate list_object_versions(Bucket=..., Prefix=...); in each page's
    # "DeleteMarkers", the entries with IsLatest are the deleted keys; delete those markers,
    # then look again at each such key until its newest entry is a real version
    raise NotImplementedError("TODO: delete the latest delete markers under the prefix")
