"""The API's contract at the HTTP edge: pydantic v2 models both apps validate with.

Both frameworks use these same models, so a field, a limit or an allowed sort key is written
once: FastAPI reads them for its OpenAPI schema, Flask calls `model_validate` by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# the allow-list of sort keys: anything else is a 400, never a column name sent to SQL
SortKey = Literal["id", "-id", "title", "-title", "year", "-year", "price_cents", "-price_cents"]


class BookIn(BaseModel):
    """A book as a client sends it (POST creates one, PUT replaces one)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # an unknown field is an error

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100)
    price_cents: int = Field(ge=0, le=10_000_000)


class BookOut(BaseModel):
    """A book as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    author: str
    year: int
    price_cents: int
    version: int
    created_at: datetime


class BookQuery(BaseModel):
    """The list endpoint's query string: filters, sort and page, each from an allow-list."""

    model_config = ConfigDict(extra="forbid")  # `?colour=red` is a 400, not silently ignored

    author: str | None = Field(default=None, max_length=100)
    year_min: int | None = Field(default=None, ge=1450, le=2100)
    year_max: int | None = Field(default=None, ge=1450, le=2100)
    sort: SortKey = "id"
    limit: int = Field(default=20, ge=1, le=100)
    offset: int | None = Field(default=None, ge=0, le=1_000_000)
    cursor: str | None = Field(default=None, max_length=500)


class BookPage(BaseModel):
    """One page of books, with the links to the pages around it."""

    items: list[BookOut]
    links: dict[str, str]
