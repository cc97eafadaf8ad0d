"""Book covers in Flask: a blueprint beside the books', streaming each way (see `api_files`).

The upload view reads `request.stream` 64 KiB at a time under its own size limit, larger than
the app's 64 KiB for JSON; the download is `send_file`, which sends the file in blocks.
"""

from __future__ import annotations

from api_books import existing_id, get_book
from api_files import CHUNK_BYTES, CoverUpload, cover_suffix, find_cover, too_large
from api_flask_books import limit_rate, resources
from flask import Blueprint, Response, request, send_file

covers_v1 = Blueprint("covers_v1", __name__)
covers_v1.before_request(limit_rate)  # the same per-client limit as the books


@covers_v1.put("/books/<int:book_id>/cover")
def upload_cover_view(book_id: int) -> Response:
    suffix = cover_suffix(request.content_type)
    settings = resources().settings
    # a session of its own, closed before the body: a slow upload holds no connection
    with resources().sessions() as session:
        get_book(book_id, session=session)
    if (request.content_length or 0) > settings.max_cover_bytes:
        raise too_large(settings.max_cover_bytes)  # declared too large: refused unread
    # the app's 64 KiB limit is for JSON; a cover has its own, counted by CoverUpload (+1 so
    # that Werkzeug's stream ends at the limit instead of raising its own 413 first)
    request.max_content_length = settings.max_cover_bytes + 1
    upload = CoverUpload(settings.covers_dir, book_id, suffix, settings.max_cover_bytes)
    try:
        for chunk in iter(lambda: request.stream.read(CHUNK_BYTES), b""):
            upload.write(chunk)
        upload.finish()
    except BaseException:
        upload.discard()
        raise
    return Response(status=204)


@covers_v1.get("/books/<int:book_id>/cover")
def download_cover_view(book_id: int) -> Response:
    path, media_type = find_cover(resources().settings.covers_dir, existing_id(book_id))
    # send_file streams the open file in blocks (or hands it to the server's file_wrapper)
    return send_file(path, mimetype=media_type, etag=False, conditional=False)
