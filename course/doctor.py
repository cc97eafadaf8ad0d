"""Check the learner's environment: Python, packages, settings, Docker and every service."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement

from course.browser import INSTALL_HINT, find_chromium
from course.paths import ENV_FILE, SERVICES_DIR
from course.services.availability import (
    MEMCACHED_INSTALL_HINT,
    embedded_missing,
    embedded_mongo_missing,
)
from course.services.manager import docker_engine_answers
from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import SettingsError, get_settings

DISTRIBUTION = "python-backend-course"


@dataclass(frozen=True)
class Check:
    """One thing that is right or wrong, and how to fix it when wrong."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    # a check that is only informative (Docker absent is fine: embedded mode is used)
    required: bool = True


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check(
        "Python",
        sys.version_info >= (3, 11, 4),
        f"{version} at {sys.executable}",
        "install Python 3.11.4 or newer (3.13 is best), then run `make install`",
    )


def check_packages() -> Check:
    """Every dependency the project declares is installed at a version it allows."""
    try:
        requirements = [Requirement(r) for r in metadata.requires(DISTRIBUTION) or []]
    except metadata.PackageNotFoundError:
        return Check("packages", False, "the course is not installed", "run `make install`")
    problems = []
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate({"extra": "dev"}):
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{requirement.name} missing")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            problems.append(f"{requirement.name} {installed} (wants {requirement.specifier})")
    detail = "; ".join(problems) or f"{len(requirements)} requirements satisfied"
    return Check("packages", not problems, detail, "run `make install`")


def check_docker() -> Check:
    answers = docker_engine_answers()
    detail = "engine answers: Docker mode" if answers else "no engine: embedded mode is used"
    return Check("Docker", answers, detail, "optional: start Docker to use Docker mode", False)


def check_browser() -> Check:
    """Chromium is optional: without it the site test's browser check skips, saying so."""
    search = find_chromium()
    detail = (
        f"Chromium at {search.path}: the site test opens the course site in it"
        if search.path
        else f"{search.reason.split(':')[0]}: the site test skips its browser check"
    )
    return Check("browser", search.path is not None, detail, f"optional: {INSTALL_HINT}", False)


def check_services() -> list[Check]:
    try:
        settings = get_settings()
    except SettingsError as error:
        return [Check("settings", False, str(error), f"edit {ENV_FILE.name}")]
    checks = [Check("settings", True, f"read from the environment and {ENV_FILE.name}")]
    for spec in SERVICES.values():
        try:
            checks.append(Check(spec.title, True, spec.check(settings), required=not spec.optional))
        except ServiceUnavailable as error:
            checks.append(optional_service_down(spec, error) if spec.optional else Check(
                spec.title, False, error.cause, error.fix or "edit it as it says"
            ))  # fmt: skip
    return checks


def optional_service_down(spec, error: ServiceUnavailable) -> Check:
    """An optional emulator that does not answer: why (it may not run here), and how to get it."""
    missing = embedded_missing(spec.key, SERVICES_DIR)
    detail = missing or f"not running ({error.cause})"
    fix = f"optional: only {lessons_listing(spec.key)} uses it; " + (
        "see the reason" if missing else error.fix or "edit it as it says"
    )
    return Check(f"{spec.title} (optional)", False, detail, fix, required=False)


def lessons_listing(key: str) -> str:
    """The lessons whose lesson.toml lists service `key` ("03-cloud"), for a note."""
    from course.lessons import discover

    return " and ".join(lesson.path.name for lesson in discover() if key in lesson.services)


def check_memcached_program() -> Check:
    """Memcached is optional: without its program, part 3c's tests skip, saying how to get it."""
    found = shutil.which("memcached")
    detail = (
        f"`memcached` at {found}: embedded mode runs Memcached (01-database part 3c)"
        if found
        else "no `memcached` on PATH: embedded mode skips Memcached (01-database part 3c)"
    )
    fix = f"optional: {MEMCACHED_INSTALL_HINT}, or use Docker mode"
    return Check("memcached program", found is not None, detail, fix, required=False)


def check_embedded_mongo() -> Check:
    """Whether an embedded MongoDB server installs on this Python (SecantusDB's wheels)."""
    reason = embedded_mongo_missing()
    detail = reason or "SecantusDB is installed: embedded mode runs MongoDB too"
    fix = "use `make PYTHON=python3.13`, or Docker mode"
    return Check("embedded MongoDB", reason is None, detail, fix, required=False)


def run_checks() -> list[Check]:
    return [
        check_python(), check_packages(), check_docker(), check_embedded_mongo(),
        check_browser(), check_memcached_program(), *check_services(),
    ]  # fmt: skip
