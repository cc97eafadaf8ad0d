"""Answer 304 Not Modified when the client's cached copy is current.

Write `is_current(if_none_match, etag)`. A GET handler calls it with the request's
`If-None-Match` header (or None when there is none) and the resource's current ETag (like
`'"3"'`); it returns True when the handler should answer `304 Not Modified` instead of
sending the body again. The rules (RFC 9110, section 13.1.2):

- no header: False (the client has no copy);
- `*`: True (any current representation matches);
- otherwise the header is a comma-separated list of entity tags (`"1", W/"3"`); True if
  any of them matches `etag` by the *weak* comparison: `W/"3"` and `"3"` match each other.

`api_conditional.py` (`not_modified`) shows one answer; try yours first.

Check your work with `.venv/bin/course check 04 ex01`; a hint: `.venv/bin/course hint 04 ex01`.
"""

from __future__ import annotations


def is_current(if_none_match: str | None, etag: str) -> bool:
    """True if the client's copy named in If-None-Match is the current `etag`."""
    # TODO: handle a missing header and "*", split the list, drop W/ prefixes, compare
    raise NotImplementedError("TODO: compare If-None-Match with the ETag")
