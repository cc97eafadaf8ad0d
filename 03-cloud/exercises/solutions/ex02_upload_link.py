"""Reference solution for ex02: validate first, then sign one key with its content type."""

from __future__ import annotations

import mimetypes

MAX_EXPIRY_SECONDS = 3600


def upload_link(
    client, bucket_name: str, user_id: str, filename: str, expires_in: int = 600
) -> tuple[str, str]:
    """A presigned PUT URL for uploads/<user_id>/<filename>, and the content type to send."""
    if not filename or "/" in filename or "\\" in filename or ".." in filename:
        raise ValueError(f"{filename!r} is not a plain file name")
    if not 1 <= expires_in <= MAX_EXPIRY_SECONDS:
        raise ValueError(f"expires_in must be 1 to {MAX_EXPIRY_SECONDS} seconds, not {expires_in}")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    url = client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": bucket_name,
            "Key": f"uploads/{user_id}/{filename}",
            "ContentType": content_type,
        },
        ExpiresIn=expires_in,
    )
    return url, content_type
