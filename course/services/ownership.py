"""Whose server a URL reaches: this checkout's, a URL the learner chose, or a stranger's.

`up` adopts only this checkout's recorded servers and URLs the learner set on purpose;
`reset-services` wipes only this checkout's servers unless told otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from course.services.ports import remembered_values
from course.services.probes import SERVICES
from course.services.state import Record
from course.settings import Settings


@dataclass(frozen=True)
class Owner:
    """Who runs one service's server, in words, and whether this checkout started it."""

    text: str
    ours: bool


def learner_choice(key: str, env_file: Path, services_dir: Path) -> str | None:
    """Where the learner set this service's URL on purpose, or None (a default or ours)."""
    setting = SERVICES[key].url_setting
    variable = setting.upper()
    if variable in os.environ:
        return f"{variable} set in the environment"
    value = dotenv_values(env_file).get(variable) if env_file.exists() else None
    default = Settings.model_fields[setting].default
    if value is None or value == default or value in remembered_values(services_dir):
        return None
    return f"{variable} set in {env_file.name}"


def describe_owner(
    key: str,
    settings: Settings,
    record: Record | None,
    is_live: Callable[[str, Record], bool],
    env_file: Path,
    services_dir: Path,
) -> Owner:
    """Say who runs the server at the configured URL of service `key`."""
    # the setting as written (a connection string), as the record holds it
    url = getattr(settings, SERVICES[key].url_setting)
    if record and url in record.url_settings.values() and is_live(key, record):
        if record.mode == "docker":
            return Owner("docker (this checkout's compose)", True)
        return Owner(f"embedded, started by this checkout (pid {record.pid})", True)
    choice = learner_choice(key, env_file, services_dir)
    if choice:
        return Owner(f"not started by this checkout ({choice})", False)
    return Owner("not started by this checkout", False)
