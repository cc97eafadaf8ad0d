"""Turn pydantic's validation errors into one RFC 9457 problem a client can act on.

Write `validation_problem(errors)`. It receives the list that pydantic's
`ValidationError.errors()` returns, each item a dict with at least `loc` (a tuple of
keys and indexes, like `("body", "authors", 0, "name")`) and `msg`. Return the problem
details object (a dict) for a `422` response:

- `type`: `"https://bookshop.example/problems/validation-error"`;
- `title`: `"Unprocessable Content"` (RFC 9110's name for 422); `status`: 422;
- `detail`: a one-line summary that counts the errors (one per error, even two on one field):
  `"1 invalid field"`, `"2 invalid fields"`;
- `errors`: one entry per error, `{"pointer": ..., "detail": msg}`, where `pointer` is a JSON
  Pointer into the request body (RFC 6901): `"#/authors/0/name"`. The `"body"` or `"query"`
  that FastAPI puts first in `loc` is not part of the body, so leave it out; and a `/` or `~`
  inside a key must be escaped as `~1` and `~0` (`~` first). An error about the whole body
  (`loc` is just `("body",)`) points at the whole document: `"#"` (`"#/"` would name a member
  called `""`).

The function stands alone: the apps do not call it (their `detail` lists the fields instead,
`api_problems.validation_problem`); write yours before you read that one.

Check your work with `.venv/bin/course check 04 ex02`; a hint: `.venv/bin/course hint 04 ex02`.
"""

from __future__ import annotations

from typing import Any


def validation_problem(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 problem details listing every invalid field with a JSON pointer."""
    # TODO: build the pointer of each error from its loc, then the problem object
    raise NotImplementedError("TODO: build the problem details")
