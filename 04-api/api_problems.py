"""Errors as RFC 9457 problem details: one JSON shape for every 4xx and 5xx, no internals.

Both apps raise `ApiProblem` (or let the framework raise its own errors) and turn it into
`application/problem+json` with `problem_body`; nothing here knows which framework calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

PROBLEM_TYPES = "https://bookshop.example/problems/"  # a real API serves a page at each type
PROBLEM_JSON = "application/problem+json"
# RFC 9110 renamed these two; Python's `http` module has the new names only from 3.13 on
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
ModelT = TypeVar("ModelT", bound=BaseModel)


class ApiProblem(Exception):
    """An error the client can act on: its status, a short title and what went wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug = status, detail, slug
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_body(
    status: int, detail: str | None = None, *, slug: str | None = None, **extensions: Any
) -> dict[str, Any]:
    """The problem object: `type`, `title`, `status`, `detail` and any extension members."""
    body: dict[str, Any] = {
        # "about:blank" means "nothing more than the status code says" (RFC 9457, 4.2.1),
        # and then the title must be the status's own phrase
        "type": PROBLEM_TYPES + slug if slug else "about:blank",
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return body


def body_of(problem: ApiProblem) -> dict[str, Any]:
    """The problem object of a raised `ApiProblem`."""
    return problem_body(problem.status, problem.detail, slug=problem.slug, **problem.extensions)


def json_pointer(location: Iterable[Any]) -> str:
    """Where an error is in the request's JSON, as an RFC 6901 pointer in a URI fragment.

    `location` is pydantic's `loc` of an error in the body itself (FastAPI's leading "body"
    or "query" already removed: a field may be named "body" too).
    """
    # "~" first: escaping "/" first would turn its "~1" into "~01"
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in location]
    return "#" + "".join("/" + part for part in escaped)  # no parts: "#", the whole body


def validation_problem(errors: Iterable[Mapping[str, Any]], *, status: int = 422) -> ApiProblem:
    """One problem listing every invalid field, each with a JSON pointer to where it is."""
    listed, summary = [], []
    for error in errors:
        location = error.get("loc", ())
        listed.append({"pointer": json_pointer(location), "detail": error["msg"]})
        summary.append(f"{'/'.join(map(str, location)) or 'body'}: {error['msg']}")
    detail = "invalid: " + "; ".join(summary)
    return ApiProblem(status, detail, slug="validation-error", errors=listed)


def internal_error_body() -> dict[str, Any]:
    """What a client sees of a bug: the status and nothing else (the log has the traceback)."""
    return problem_body(500, "an unexpected error happened; it has been logged")


def parse_json_body(model: type[ModelT], raw: bytes) -> ModelT:
    """The validated body: 400 if it is not JSON at all, 422 if its fields are wrong."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise ApiProblem(400, "the body is not valid JSON", slug="malformed-json") from None
        raise validation_problem(error.errors()) from None


def parse_query(model: type[ModelT], parameters: Mapping[str, str]) -> ModelT:
    """The validated query string: 400 with every bad parameter listed."""
    try:
        return model.model_validate(parameters)
    except ValidationError as error:
        raise validation_problem(error.errors(), status=400) from None
