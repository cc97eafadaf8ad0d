"""Book covers in FastAPI: a router beside the books', streaming each way (see `api_files`).

The upload endpoint is `async def`: it iterates `request.stream()` as the server delivers the
body, and runs each file write in a thread; `BodySizeLimit` gives cover uploads their own
limit. The download is Starlette's `FileResponse`, sent in 64 KiB chunks.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from api_books import get_book
from api_fastapi_books import BookId, ResourcesDep
from api_files import COVER_TYPES, CoverUpload, cover_suffix, find_cover
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import FileResponse

covers_router = APIRouter(tags=["covers"])


def upload_suffix(content_type: Annotated[str | None, Header()] = None) -> str:
    return cover_suffix(content_type)


def existing_book(book_id: BookId, resources: ResourcesDep) -> int:
    # a session of its own, closed before the body: a slow upload holds no connection
    with resources.sessions() as session:
        get_book(book_id, session=session)
    return book_id


BINARY = {"schema": {"type": "string", "format": "binary"}}


# the body is read as a stream, not a parameter, so its schema is written out for OpenAPI
COVER_BODY = {"requestBody": {"required": True, "content": dict.fromkeys(COVER_TYPES, BINARY)}}


@covers_router.put("/books/{book_id}/cover", status_code=204, openapi_extra=COVER_BODY)
async def upload_cover_endpoint(
    request: Request,
    suffix: Annotated[str, Depends(upload_suffix)],  # 415 first, then 404, as in Flask
    book_id: Annotated[int, Depends(existing_book)],
    resources: ResourcesDep,
) -> Response:
    # async: the body arrives chunk by chunk from the server; each file write runs in a thread,
    # so the event loop never waits on the disk (BodySizeLimit refuses a body past the limit)
    settings = resources.settings
    upload = await anyio.to_thread.run_sync(
        CoverUpload, settings.covers_dir, book_id, suffix, settings.max_cover_bytes
    )
    try:
        async for chunk in request.stream():
            await anyio.to_thread.run_sync(upload.write, chunk)
        await anyio.to_thread.run_sync(upload.finish)
    except BaseException:
        upload.discard()
        raise
    return Response(status_code=204)


@covers_router.get("/books/{book_id}/cover", response_class=FileResponse)
@covers_router.head("/books/{book_id}/cover", include_in_schema=False)
def download_cover_endpoint(book_id: BookId, resources: ResourcesDep) -> FileResponse:
    path, media_type = find_cover(resources.settings.covers_dir, book_id)
    return FileResponse(path, media_type=media_type)  # sent in 64 KiB chunks
