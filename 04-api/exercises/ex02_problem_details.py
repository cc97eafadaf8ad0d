"""Turn pydantic's validation errors into one RFC 9457 problem a client can act on.

Write `validation_problem(errors)`. It receives the list that pydantic's
`ValidationError.errors()` returns, each item a dict with at least `loc` (a tuple of
keys and indexes, like `("body", "authors", 0, "name")`) and `msg`. Return the problem
details object (a dict) for a `422` response:

- `type`: `"https://bookshop.example/problems/validation-error"`;
- `title`: `"Unprocessable Content"` (RFC 9110's name for 422); `status`: 422;
- `detail`: a one-line summary that names how many fields are wrong, e.g. `"2 invalid fields"`;
- `errors`: one entry per error, `{"pointer": ..., "detail": msg}`, where `pointer` is a JSON
  Pointer into the request body (RFC 6901): `"#/authors/0/name"`. The `"body"` or `"query"`
  that FastAPI puts first in `loc` is not part of the body, so leave it out; and a `/` or `~`
  inside a key must be escaped as `~1` and `~0` (`~` first).

`api_problems.py` (`validation_problem`) shows a simpler version without the escaping.

Check your work with `.venv/bin/course check 04 ex02`; a hint: `.venv/bin/course hint 04 ex02`.
"""

from __future__ import annotations

from typing import Any


def validation_problem(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 problem details listing every invalid field with a JSON pointer."""
    # TODO: build the pointer of each error from its loc, then the problem object
    raise NotImplementedError("TODO: build the problem details")
