"""The course's settings: one typed object read from the environment and `.env`.

Every lesson reads its connection settings from here. The defaults are the addresses that
`docker-compose.yml` publishes on localhost, so a learner with Docker needs no configuration;
`course services up` writes the addresses it actually used to `.env`.

A URL is checked when a service that uses it is checked (`url_problem`), not when the
settings are read: a Redis-only script runs even while `DATABASE_URL` is malformed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import PrivateAttr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from course import connection_strings
from course.paths import ENV_FILE


@dataclass(frozen=True)
class UrlRule:
    """The schemes a URL setting accepts (their family: `postgresql+asyncpg` is postgresql)."""

    schemes: tuple[str, ...]
    example: str
    # the paths the URL may have, where a client reads meaning into it, and what that is
    path: re.Pattern[str] | None = None
    path_means: str = ""

    def accepts(self, scheme: str) -> bool:
        return scheme.split("+", 1)[0] in {known.split("+", 1)[0] for known in self.schemes}

    def starts(self) -> str:
        """`'postgresql://' or 'postgresql+psycopg://'`, for a message."""
        return " or ".join(f"'{scheme}://'" for scheme in self.schemes)


URL_RULES: dict[str, UrlRule] = {
    "database_url": UrlRule(
        ("postgresql", "postgresql+psycopg"),
        "postgresql+psycopg://course:course@127.0.0.1:5432/course",
    ),
    "mongo_url": UrlRule(("mongodb",), "mongodb://127.0.0.1:27017/course?directConnection=true"),
    # redis-py reads the database number from the path and, when it is not a number, silently
    # uses database 0: refuse what it would misread
    "redis_url": UrlRule(
        ("redis", "rediss"),
        "redis://127.0.0.1:6379/0",
        re.compile(r"/?\d*"),
        "a Redis URL's path is a database number",
    ),
    "s3_endpoint_url": UrlRule(("http", "https"), "http://127.0.0.1:9000"),
    "gcs_endpoint_url": UrlRule(("http", "https"), "http://127.0.0.1:4443"),
    "memcached_url": UrlRule(("memcached",), "memcached://127.0.0.1:11211"),
}
# a Google Cloud project ID: 6 to 30 lowercase letters, digits or hyphens, from a letter
# (older projects may carry a domain prefix, `example.com:my-project`)
PROJECT_ID = re.compile(r"(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]")
# settings that are connection strings, not URLs: checked by their own rules
CONNECTION_STRINGS = {
    "azure_storage_connection_string": connection_strings.development_connection_string()
}


def redact_url(url: str) -> str:
    """Hide the password in a URL, so it can be shown in messages and logs."""
    # also without `//`: a value missing its scheme still holds `user:password@`
    return connection_strings.redact(re.sub(r"((?://|^)[^:/@]*:)[^@/]*@", r"\1***@", url))


class SettingsError(ValueError):
    """A setting in the environment or `.env` is missing or malformed."""


class Settings(BaseSettings):
    """Connection settings for every service the lessons use."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    database_url: str = URL_RULES["database_url"].example
    mongo_url: str = URL_RULES["mongo_url"].example
    redis_url: str = URL_RULES["redis_url"].example
    s3_endpoint_url: str = URL_RULES["s3_endpoint_url"].example
    aws_access_key_id: str = "course"
    aws_secret_access_key: str = "course-secret"
    aws_default_region: str = "us-east-1"
    s3_bucket: str = "course"
    # the optional cloud emulators (03-cloud): fake-gcs-server or gcp-storage-emulator, Azurite
    gcs_endpoint_url: str = URL_RULES["gcs_endpoint_url"].example
    gcs_project: str = "course-local"
    azure_storage_connection_string: str = CONNECTION_STRINGS["azure_storage_connection_string"]
    # optional (01-database part 3c): the official image, or the `memcached` program on PATH
    memcached_url: str = URL_RULES["memcached_url"].example
    # written to .env by `course services up`; docker is the default the URLs above describe
    course_services_mode: Literal["docker", "embedded"] = "docker"
    # the .env file these settings were read from, to say where a bad value came from
    _env_file_read: Path | None = PrivateAttr(default=ENV_FILE)

    def source(self, field: str) -> str:
        """Where a setting's value came from: `the environment`, `.env`, `code` or `the default`."""
        variable = field.upper()
        if variable in os.environ:
            return "the environment"
        env_file = self._env_file_read
        if env_file is not None and env_file.is_file() and variable in dotenv_values(env_file):
            return ".env" if env_file == ENV_FILE else str(env_file)
        return "code" if field in self.model_fields_set else "the default"

    def url_problem(self, field: str) -> str | None:
        """One line saying what is wrong with a URL setting, or None when it is well formed."""
        value, where = getattr(self, field), f"{field.upper()} (from {self.source(field)})"
        if field == "gcs_project" and not PROJECT_ID.fullmatch(value):
            return (
                f"{where} is {value!r}, not a Google Cloud project ID: 6 to 30 lowercase "
                f"letters, digits or hyphens, starting with a letter (e.g. course-local); "
                f"{self.fix_hint(field)}"
            )
        if field == "gcs_project":
            return None
        if field in CONNECTION_STRINGS:
            problem = connection_strings.problem(value)
            example = connection_strings.redact(CONNECTION_STRINGS[field])
            return problem and f"{where} {problem} (e.g. {example}); {self.fix_hint(field)}"
        rule, parts = URL_RULES[field], urlsplit(value)
        if not parts.scheme or "://" not in value:
            problem = f"is {redact_url(value)!r}, not a URL; it must start with {rule.starts()}"
        elif not rule.accepts(parts.scheme):
            problem = f"has scheme {parts.scheme!r}; it must start with {rule.starts()}"
        elif not parts.hostname:
            problem = f"is {redact_url(value)!r}, which names no host"
        else:
            try:
                parts.port  # noqa: B018  (urlsplit checks the port lazily)
            except ValueError:
                port = parts.netloc.rsplit(":", 1)[-1]
                problem = f"has port {port!r}, not a number from 1 to 65535"
            else:
                if rule.path is None or rule.path.fullmatch(parts.path):
                    return None
                problem = f"has path {parts.path!r}; {rule.path_means}"
        return f"{where} {problem} (e.g. {rule.example}); {self.fix_hint(field)}"

    def fix_hint(self, field: str) -> str:
        """How to change a setting where it came from."""
        variable, source = field.upper(), self.source(field)
        if source == "the environment":
            return f"change it, or `unset {variable}` so that .env and the defaults apply"
        if source == "code":
            return "change it where the settings are made"
        return f"fix the {variable} line in {source}, or delete it to use the default"

    def require_valid(self, *fields: str) -> Settings:
        """Return the settings if these URL settings are well formed; else raise SettingsError."""
        problems = [problem for field in fields if (problem := self.url_problem(field))]
        if problems:
            raise SettingsError(" ".join(problems))
        return self


def get_settings(env_file: Path | None = ENV_FILE) -> Settings:
    """Read the settings (URLs are checked later, per service), or fail with one line."""
    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            variable = str(problem["loc"][0]).upper()
            source = "the environment" if variable in os.environ else f"{env_file}"
            problems.append(
                f"{variable} (from {source}) is {str(problem.get('input'))!r}: "
                f"{problem['msg'].removeprefix('Value error, ')}. "
                f"Fix it there, or delete it to use the default."
            )
        raise SettingsError(" ".join(problems)) from None
    settings._env_file_read = env_file
    return settings
