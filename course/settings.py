"""The course's settings: one typed object read from the environment and `.env`.

Every lesson reads its connection settings from here. The defaults are the addresses that
`docker-compose.yml` publishes on localhost, so a learner with Docker needs no configuration;
`course services up` writes the addresses it actually used to `.env`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from course.paths import ENV_FILE

# scheme families each URL setting accepts, and an example shown when a value is malformed
URL_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "database_url": (
        ("postgresql",),
        "postgresql+psycopg://course:course@127.0.0.1:5432/course",
    ),
    "mongo_url": (("mongodb",), "mongodb://127.0.0.1:27017/course?directConnection=true"),
    "redis_url": (("redis", "rediss"), "redis://127.0.0.1:6379/0"),
    "s3_endpoint_url": (("http", "https"), "http://127.0.0.1:9000"),
}


def redact_url(url: str) -> str:
    """Hide the password in a URL, so it can be shown in messages and logs."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


class SettingsError(ValueError):
    """A setting in the environment or `.env` is missing or malformed."""


class Settings(BaseSettings):
    """Connection settings for every service the lessons use."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    database_url: str = URL_RULES["database_url"][1]
    mongo_url: str = URL_RULES["mongo_url"][1]
    redis_url: str = URL_RULES["redis_url"][1]
    s3_endpoint_url: str = URL_RULES["s3_endpoint_url"][1]
    aws_access_key_id: str = "course"
    aws_secret_access_key: str = "course-secret"
    aws_default_region: str = "us-east-1"
    s3_bucket: str = "course"
    # written to .env by `course services up`; docker is the default the URLs above describe
    course_services_mode: Literal["docker", "embedded"] = "docker"

    @field_validator("database_url", "mongo_url", "redis_url", "s3_endpoint_url")
    @classmethod
    def _must_be_a_service_url(cls, value: str, info) -> str:
        schemes, example = URL_RULES[info.field_name]
        parts = urlsplit(value)
        scheme_family = parts.scheme.split("+", 1)[0]
        if scheme_family not in schemes:
            raise ValueError(f"its scheme must be one of {', '.join(schemes)}; e.g. {example}")
        try:
            parts.port  # noqa: B018  (urlsplit checks the port lazily)
        except ValueError as error:
            raise ValueError(f"{error}; e.g. {example}") from None
        if not parts.hostname:
            raise ValueError(f"it names no host; e.g. {example}")
        return value


def get_settings(env_file: Path | None = ENV_FILE) -> Settings:
    """Read the settings, failing with one message that names the bad variable."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            variable = str(problem["loc"][0]).upper()
            source = "the environment" if variable in os.environ else f"{env_file}"
            reason = problem["msg"].removeprefix("Value error, ")
            problems.append(
                f"{variable} in {source} is not valid ({reason}): "
                f"{redact_url(str(problem.get('input')))!r}. "
                f"Fix it there, or delete the line to use the default."
            )
        raise SettingsError(" ".join(problems)) from None
