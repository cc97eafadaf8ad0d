"""A domain exception hierarchy, and the translation of errors at each boundary.

Running it raises real driver errors (PostgreSQL on a closed port, Redis on a closed port,
HTTP to a closed port) and shows each translated twice: from the driver's exception to a
domain error (`DependencyUnavailable`), then from the domain error to an HTTP problem
response (RFC 9457 `application/problem+json`) that says what happened without internals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx2
import redis
import sqlalchemy.exc


class ShopError(Exception):
    """The root of the application's errors: every one maps to one HTTP status."""

    status = 500
    title = "Internal error"
    transient = False  # may the same call succeed if tried again?

    def public_detail(self) -> str:
        """The text a client may see: never a driver's message, a query or a host name."""
        return self.title


class NotFound(ShopError):
    status, title = 404, "Not found"

    def public_detail(self) -> str:
        return str(self)


class InvalidInput(ShopError):
    status, title = 422, "Invalid input"

    def public_detail(self) -> str:
        return str(self)


class DependencyError(ShopError):
    """A service the application needs failed; `dependency` names it for logs and metrics."""

    status, title, transient = 503, "A service we depend on is unavailable", True

    def __init__(self, dependency: str, message: str = "") -> None:
        super().__init__(f"{dependency}: {message}" if message else dependency)
        self.dependency = dependency


class DependencyUnavailable(DependencyError):
    """The dependency refused or lost the connection."""


class DependencyTimeout(DependencyError):
    status, title = 504, "A service we depend on did not answer in time"


class StatementTimeout(DependencyTimeout):
    """PostgreSQL cancelled a query that ran past `statement_timeout` (SQLSTATE 57014)."""

    # the same plan on the same data is slow again: retrying triples the load on a database
    # that is already slow
    transient = False


class UpstreamBroken(DependencyError):
    """The dependency answered, but the answer was cut off or malformed."""

    status, title = 502, "A service we depend on sent a broken answer"


class CircuitOpen(DependencyError):
    """The breaker is open: the call was not even tried (retrying now would not help)."""

    title, transient = "A service we depend on is failing; try again shortly", False
    retry_after = 30  # seconds until the breaker lets a trial call through (set when raised)


# SQLSTATE codes and classes a retry can cure (PostgreSQL's Appendix A): 08 connection
# exception, 40001 serialization failure, 40P01 deadlock, 53 insufficient resources, 57P01-03
# shutdown or not accepting connections yet; 57014 query_canceled is deliberately not here
TRANSIENT_SQLSTATES = ("08", "40001", "40P01", "53", "57P01", "57P02", "57P03")
QUERY_CANCELED = "57014"


def translate_database_error(error: Exception) -> ShopError:
    """Map a SQLAlchemy/psycopg error to a domain error, by SQLSTATE (never by message text)."""
    # the code is the same whatever language the server's lc_messages writes messages in
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
    if sqlstate == QUERY_CANCELED:
        return StatementTimeout("postgres", "statement timeout")
    if isinstance(error, sqlalchemy.exc.OperationalError) and (
        not sqlstate or sqlstate.startswith(TRANSIENT_SQLSTATES)
    ):
        # no SQLSTATE: the client itself failed (refused, timed out connecting)
        return DependencyUnavailable("postgres", type(error.orig).__name__)
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return DependencyUnavailable("postgres", "connection lost")
    return ShopError(f"database error {type(error).__name__}")  # a bug: not transient


def translate_redis_error(error: Exception) -> ShopError:
    """Map a redis-py error to a domain error (its TimeoutError is a ConnectionError)."""
    if isinstance(error, redis.TimeoutError):
        return DependencyTimeout("redis", "timed out")
    if isinstance(error, redis.ConnectionError):
        return DependencyUnavailable("redis", "connection failed")
    return ShopError(f"redis error {type(error).__name__}")


def translate_http_error(error: Exception, dependency: str) -> ShopError:
    """Map an httpx2 error to a domain error."""
    if isinstance(error, httpx2.TimeoutException):
        return DependencyTimeout(dependency, type(error).__name__)
    if isinstance(error, httpx2.ConnectError):
        return DependencyUnavailable(dependency, "connection refused")
    if isinstance(error, httpx2.RemoteProtocolError | httpx2.ReadError):
        return UpstreamBroken(dependency, "connection dropped mid-response")
    if isinstance(error, httpx2.HTTPStatusError):
        code = error.response.status_code
        if code == 429:  # too many requests: it may pass after a wait, so transient
            return DependencyUnavailable(dependency, "status 429")
        if code >= 500:
            return UpstreamBroken(dependency, f"status {code}")
        if code == 404:  # the upstream does not know it: neither do we
            return NotFound(f"{dependency}: not found")
    return ShopError(f"http error {type(error).__name__}")


DRIVER_ERRORS = (sqlalchemy.exc.SQLAlchemyError, redis.RedisError, httpx2.HTTPError)


@contextlib.contextmanager
def translated(dependency: str) -> Iterator[None]:
    """Turn driver errors raised inside the block into domain errors, keeping the cause."""
    try:
        yield
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise translate_database_error(error) from error
    except redis.RedisError as error:
        raise translate_redis_error(error) from error
    except httpx2.HTTPError as error:
        raise translate_http_error(error, dependency) from error


def problem(error: ShopError, request_id: str) -> dict[str, object]:
    """Return the RFC 9457 problem document for an error: safe to send to any client."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "detail": error.public_detail(),
        "request_id": request_id,  # what the client quotes to support, who finds the logs
    }
    return body


def main() -> None:
    from errors_faults import closed_port

    closed = closed_port()  # nothing listens there: every driver gets "connection refused"
    print(f"1. Three real drivers against 127.0.0.1:{closed}, where nothing listens:")
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://course@127.0.0.1:{closed}/course",
        connect_args={"connect_timeout": 2},
    )
    calls = {
        "postgres": lambda: engine.connect(),
        "redis": lambda: redis.Redis(port=closed, socket_connect_timeout=1, retry=None).ping(),
        "rates": lambda: httpx2.get(f"http://127.0.0.1:{closed}/", timeout=1),
    }
    for dependency, call in calls.items():
        try:
            with translated(dependency):
                call()
        except ShopError as error:
            cause = type(error.__cause__).__module__ + "." + type(error.__cause__).__name__
            print(f"   {dependency}: {cause} -> {type(error).__name__}({error})")
            print(f"      HTTP {error.status}: {problem(error, 'req-1')}")
    engine.dispose()
    print("Conclusion: callers catch domain errors, never a driver's; the client gets a status")
    print("and a safe title with the request id; the logs keep the cause chain (`from error`).")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
