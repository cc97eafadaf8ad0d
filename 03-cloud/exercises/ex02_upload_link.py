r"""Give a user a link to upload one file, and nothing more.

Write `upload_link(client, bucket_name, user_id, filename, expires_in)`. It returns a
presigned PUT URL for the key `uploads/<user_id>/<filename>`, signed with the content type
that `mimetypes.guess_type(filename)` gives ("application/octet-stream" when it gives none),
and returns that content type too: `(url, content_type)`. The browser must send the same
Content-Type header. `user_id` comes from your login, not from the browser: trust it. The
filename comes from the browser: refuse, with `ValueError`, before signing anything:
- a filename that is empty, or contains `/`, `\` or `..`. HTTP clients and browsers resolve
  `..` in a URL's path before sending it (`uploads/u42/../u43/x.pdf` goes out as
  `uploads/u43/x.pdf`), so the file would land in another user's folder (or, on real S3,
  fail the signature made over the literal path); `/` and `\` would make a key deeper than
  the one file this link is for. Any `..`, even in `report..final.pdf`, is refused: a simple
  rule you can check beats a clever one;
- an `expires_in` under 1 or over 3600 seconds (a leaked link works until it expires).

`s3_presigned.py` signs uploads; part 2 explains what a presigned URL protects.

Check your work with `.venv/bin/course check 03 ex02`; a hint: `.venv/bin/course hint 03 ex02`.
"""

from __future__ import annotations


def upload_link(
    client, bucket_name: str, user_id: str, filename: str, expires_in: int = 600
) -> tuple[str, str]:
    """A presigned PUT URL for uploads/<user_id>/<filename>, and the content type to send."""
    # TODO: validate filename and expires_in (ValueError); guess the content type;
    # client.generate_presigned_url("put_object", Params={..."ContentType": ...}, ExpiresIn=...)
    raise NotImplementedError("TODO: sign an upload URL for one key in the user's folder")
