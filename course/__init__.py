"""The course toolkit: settings, service checks and the `course` command.

Lessons use it for two things only: reading their settings and checking that the services
they need are up. Lesson content never lives here.
"""

from __future__ import annotations

from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings, SettingsError, get_settings, redact_url

__all__ = [
    "ServiceUnavailable",
    "Settings",
    "SettingsError",
    "check_services",
    "get_settings",
    "redact_url",
    "require",
]


def require(*service_keys: str) -> Settings:
    """Return the settings once every named service answers; else exit with one clear line.

    For a lesson script's `main()`: `settings = course.require("postgres", "redis")`.
    """
    try:
        settings = get_settings()
        for key in service_keys:
            SERVICES[key].check(settings)
    except (ServiceUnavailable, SettingsError) as error:
        raise SystemExit(f"error: {error}") from None
    return settings


def check_services(*service_keys: str) -> bool:
    """Print one line per service (for a notebook's first cell); return True when all answer."""
    settings = get_settings()
    all_answer = True
    for key in service_keys or tuple(SERVICES):
        try:
            print(f"ok   {SERVICES[key].check(settings)}")
        except ServiceUnavailable as error:
            print(f"DOWN {error}")
            all_answer = False
    if not all_answer:
        print("Start the services in a terminal at the repository root, then re-run this cell.")
    return all_answer
