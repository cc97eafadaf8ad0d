"""Turn pydantic's validation errors into one RFC 9457 problem: the reference solution."""

from __future__ import annotations

from typing import Any


def pointer(location: tuple[Any, ...]) -> str:
    """The JSON Pointer (RFC 6901, as a URI fragment) of a pydantic error location."""
    parts = list(location)
    if parts and parts[0] in ("body", "query"):
        parts = parts[1:]  # FastAPI's prefix says where the value came from, not where it is
    # "~" first: escaping "/" first would turn its "~1" into "~01"
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in parts]
    return "#" + "".join("/" + part for part in escaped)  # no parts: "#", the whole body


def validation_problem(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 problem details listing every invalid field with a JSON pointer."""
    listed = [{"pointer": pointer(tuple(error["loc"])), "detail": error["msg"]} for error in errors]
    count = len(listed)
    return {
        "type": "https://bookshop.example/problems/validation-error",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"{count} invalid field{'s' if count != 1 else ''}",
        "errors": listed,
    }
