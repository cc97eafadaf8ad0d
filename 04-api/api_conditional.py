"""ETags and conditional requests: `If-None-Match` saves a download, `If-Match` a lost update.

The ETag is the book's version number in quotes. A GET with `If-None-Match` naming the
current ETag gets `304 Not Modified` and no body; a PUT or DELETE must send `If-Match` with
the ETag it read (else `428`), and gets `412` if the book changed since (RFC 9110, 13.1).
"""

from __future__ import annotations

from api_problems import ApiProblem


def etag_of(version: int) -> str:
    """The strong entity tag of a book's version: `"3"`."""
    return f'"{version}"'


def cache_headers(version: int) -> dict[str, str]:
    """A book's ETag and Cache-Control: on its 200, and repeated on its 304 (RFC 9110, 15.4.5)."""
    # no-cache: caches may keep a book but must revalidate it on every use (RFC 9111, 5.2.2.4),
    # so every read goes through If-None-Match; without it a cache may guess a freshness
    return {"ETag": etag_of(version), "Cache-Control": "no-cache"}


def listed_tags(header: str) -> list[str]:
    """The entity tags of an `If-Match` or `If-None-Match` header, in order."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def not_modified(if_none_match: str | None, version: int) -> bool:
    """True if the client's cached copy is current (answer 304 instead of the body)."""
    if if_none_match is None:
        return False
    tags = listed_tags(if_none_match)
    # If-None-Match compares weakly: W/"3" and "3" both name version 3 (RFC 9110, 13.1.2)
    return "*" in tags or etag_of(version) in [tag.removeprefix("W/") for tag in tags]


def required_versions(if_match: str | None) -> list[int] | None:
    """The versions an `If-Match` accepts (None for `*`); 428 if the header is missing."""
    if if_match is None:
        raise ApiProblem(
            428,
            "send If-Match with the ETag from your last GET, so you cannot overwrite a change",
            slug="precondition-required",
        )
    tags = listed_tags(if_match)
    if tags == ["*"]:
        return None
    # If-Match compares strongly: a weak tag (W/"3") never matches (RFC 9110, 13.1.1), and a
    # tag this API never issued matches nothing, so both end in 412 like a stale one
    quoted = [tag[1:-1] for tag in tags if tag.startswith('"') and tag.endswith('"')]
    return [int(version) for version in quoted if version.isdigit()]
