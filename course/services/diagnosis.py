"""Why a service did not answer, and what to do: start it, or point the URL at the course's.

A driver says "connection failed" for four different mistakes: the server is stopped, the
URL's host does not resolve, nothing listens on the URL's port, or the URL names another
address than the one the course's own server runs on. Each needs a different fix, so the
probe's failure is looked at once more here, with the course's own address beside it.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from course.settings import Settings

if TYPE_CHECKING:
    from course.services.probes import ServiceSpec

CONNECT_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class CourseAddress:
    """Where the course's own server for a service runs, and how it was started."""

    url: str
    mode: str


def course_address(key: str, url_setting: str) -> CourseAddress | None:
    """The course's own address for a service, from what `course services up` recorded.

    The one place this module reads the service manager's records.
    """
    from course.services.manager import ServiceManager  # late: the manager imports the probes

    try:
        record = ServiceManager().records().get(key)
    except Exception:  # an unreadable state file: no address is known, and that is all
        return None
    if record is None:
        return None
    # Docker mode records no URLs: its containers publish the default addresses
    url = record.url_settings.get(url_setting) or Settings.model_fields[url_setting].default
    return CourseAddress(url, record.mode)


def host_and_port(url: str, default_port: int) -> tuple[str, int] | None:
    """The URL's one host and port, or None when it names several (a MongoDB seed list)."""
    try:
        parts = urlsplit(url)
        if "," in parts.netloc or "+srv" in parts.scheme or not parts.hostname:
            return None
        return parts.hostname, parts.port or default_port
    except ValueError:
        return None


def unreachable(url: str, default_port: int) -> str | None:
    """Why nothing answers at the URL's host and port, or None when something listens there."""
    address = host_and_port(url, default_port)
    if address is None:
        return None
    host, port = address
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"its host {host!r} does not resolve"
    try:
        socket.create_connection(address, timeout=CONNECT_TIMEOUT_SECONDS).close()
    except ConnectionRefusedError:
        return f"nothing listens on {host}:{port}"
    except OSError as error:
        return f"{host}:{port} does not answer ({error.strerror or type(error).__name__})"
    return None


def same_server(url: str, other: str, default_port: int) -> bool:
    return host_and_port(url, default_port) == host_and_port(other, default_port)


def answers_at(spec: ServiceSpec, settings: Settings, url: str) -> bool:
    """Whether the service answers a real round trip at another URL."""
    try:
        spec.probe(settings.model_copy(update={spec.url_setting: url}))
    except Exception:
        return False
    return True


def point_at(settings: Settings, spec: ServiceSpec, own: CourseAddress) -> str:
    """How to make the URL setting name the course's own server (its URL shown in full).

    The course's own URL holds the course's public default password, never a learner's.
    """
    variable, source = spec.url_setting.upper(), settings.source(spec.url_setting)
    if source == "the environment":
        return f"`unset {variable}` (the environment overrides .env), or set it to {own.url}"
    default = Settings.model_fields[spec.url_setting].default
    delete = ", or delete that line" if own.url == default and source != "the default" else ""
    where = ".env" if source in ("code", "the default") else source
    return f"set {variable}={own.url} in {where}{delete}"


def diagnose(spec: ServiceSpec, settings: Settings, driver_error: str) -> tuple[str, str]:
    """The cause of a failed probe and its fix, each a phrase for one line."""
    from course.services.probes import START_HINT

    url = spec.url(settings)
    variable, source = spec.url_setting.upper(), settings.source(spec.url_setting)
    nothing_there = unreachable(url, spec.default_port)
    cause = nothing_there or driver_error
    own = course_address(spec.key, spec.url_setting)
    # a connection string's address is its endpoint; the fix names the whole string
    own_address = own and (spec.address(own.url) if spec.address else own.url)
    elsewhere = own and not same_server(url, own_address, spec.default_port)
    if own and elsewhere and answers_at(spec, settings, own.url):
        host, port = host_and_port(own_address, spec.default_port) or ("?", "?")
        return cause, (
            f"{variable} (from {source}) points there, but the course's own {spec.title} "
            f"({own.mode} mode) answers at {host}:{port}: {point_at(settings, spec, own)}"
        )
    if nothing_there and "does not resolve" in nothing_there:
        hint = settings.fix_hint(spec.url_setting)
        return cause, f"check the host in {variable} (from {source}): {hint}"
    if nothing_there is None and host_and_port(url, spec.default_port):
        return cause, (
            f"a server listens there, but the round trip failed: check that {variable} "
            f"(from {source}) names the course's server, user and password"
        )
    if spec.optional:  # `make services-up` starts it only for a lesson that lists it
        return cause, f"start it with `.venv/bin/course services up {spec.key}`"
    return cause, START_HINT
