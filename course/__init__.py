"""The course toolkit: settings, service checks and the `course` command.

Lessons use it for two things only: reading their settings and checking that the services
they need are up. Lesson content never lives here.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from course.services.probes import SERVICES, ServiceMisconfigured, ServiceUnavailable
from course.settings import Settings, SettingsError, get_settings, redact_url

__all__ = [
    "OPTIONAL_SERVICE_MISSING",
    "ServiceUnavailable",
    "ServicesDown",
    "Settings",
    "SettingsError",
    "check_services",
    "get_settings",
    "redact_url",
    "require",
    "script_arguments",
    "skip_script",
]


# The exit status of a script stopped because an optional service (Azurite, say, which needs
# Node.js) is not running: `make run` shows it as skipped, with the script's one line
OPTIONAL_SERVICE_MISSING = 3


def skip_script(reason: str) -> NoReturn:
    """Stop a script whose optional service or program is not here, saying why in one line.

    It exits with OPTIONAL_SERVICE_MISSING, so `make run` shows the script as skipped.
    """
    print(f"error: {reason}", file=sys.stderr)
    raise SystemExit(OPTIONAL_SERVICE_MISSING)


def require(*service_keys: str) -> Settings:
    """Return the settings once every named service answers; else exit with one clear line.

    For a lesson script's `main()`: `settings = course.require("postgres", "redis")`.
    The exit status is 1, or OPTIONAL_SERVICE_MISSING when the service that does not answer
    is an optional one (and its URL is well formed).
    """
    try:
        settings = get_settings()
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    for key in service_keys:
        try:
            SERVICES[key].check(settings)
        except ServiceUnavailable as error:
            # not running is a skip; a malformed URL is the learner's to fix, a failure
            if SERVICES[key].optional and not isinstance(error, ServiceMisconfigured):
                skip_script(str(error))
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(1) from None
    return settings


def script_arguments() -> None:
    """Refuse every argument to a lesson script that takes none; `--help` shows its docstring.

    Called under `if __name__ == "__main__":` before `main()`, so that `sql_orm.py --bogus`
    says so in one line (exit status 2) instead of running the whole demo as if asked to.
    """
    import argparse

    parser = argparse.ArgumentParser(
        description=sys.modules["__main__"].__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="It takes no arguments: run it as it is.",
    )
    parser.parse_args()


class ServicesDown(RuntimeError):
    """A notebook's services do not answer: the notebook stops at its first cell."""

    def __init__(self, problems: list[str]):
        self.problems = [*problems[:-1], f"{problems[-1]}; then run this notebook again"]
        super().__init__("\n".join(self.problems))

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the message is all a learner needs
        return [f"{type(self).__name__}: {problem}" for problem in self.problems]


def missing_embedded_server(key: str, settings: Settings) -> str | None:
    """Why this service cannot run here in embedded mode (MongoDB on Python 3.14), or None."""
    from course.paths import SERVICES_DIR
    from course.services import availability

    if settings.course_services_mode != "embedded":
        return None
    return availability.embedded_missing(key, SERVICES_DIR)


def check_services(*service_keys: str) -> None:
    """Print one line per service that answers (all four by default), for a notebook.

    When one does not answer, raise `ServicesDown` with one line per service down, so that
    "Run All" stops here and not in a driver's traceback three cells later. A service that
    cannot run on this Python in embedded mode (MongoDB on 3.14) is a "skip" line in the
    all-services check, and stops a notebook that names it, with the reason.
    """
    try:
        settings = get_settings()
    except SettingsError as error:
        raise ServicesDown([str(error)]) from None
    down = []
    for key in service_keys or tuple(SERVICES):
        missing = missing_embedded_server(key, settings)
        if missing and not service_keys:
            print(f"skip {missing}")  # the all-services check goes on; a lesson needing it stops
            continue
        try:
            if missing:
                raise ServiceUnavailable(SERVICES[key].title, SERVICES[key].url(settings), missing)
            print(f"ok   {SERVICES[key].check(settings)}")
        except ServiceUnavailable as error:
            if SERVICES[key].optional and not service_keys:  # only a lesson naming it needs it
                print(f"skip {SERVICES[key].title} (optional): {error.reason}")
                continue
            down.append(missing or str(error))
    if down:
        raise ServicesDown(down) from None
