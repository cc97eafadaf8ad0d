"""The bookshop API in Flask: an application factory, one blueprint per API version.

Run it with `python 04-api/api_flask.py` (port 5000) and open
http://127.0.0.1:5000/api/v1/books. Every error, Flask's own (404, 405, 413, 415) and the
API's, leaves as an RFC 9457 problem; a bug leaves as a bare 500 and its traceback is logged.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from api_flask_books import books_v1, resources
from api_flask_covers import covers_v1
from api_problems import PROBLEM_JSON, ApiProblem, body_of, internal_error_body, problem_body
from api_resources import open_resources, readiness
from api_settings import ApiSettings, settings_from_course
from flask import Flask, Response, g, json, request
from flask_cors import CORS
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

import course

logger = logging.getLogger(__name__)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """An `application/problem+json` response."""
    return Response(
        json.dumps(body), status=body["status"], mimetype=PROBLEM_JSON, headers=headers or {}
    )


def register_error_handlers(app: Flask) -> None:
    """Turn every exception into a problem response; Flask picks the most specific handler."""

    @app.errorhandler(ApiProblem)
    def api_problem(problem: ApiProblem) -> Response:
        return problem_response(body_of(problem), problem.headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        # keep Werkzeug's headers (a 405's Allow, RFC 9110), not its HTML Content-Type
        headers = {key: value for key, value in error.get_headers() if key != "Content-Type"}
        return problem_response(problem_body(status, error.description), headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)  # every pooled connection busy: an overload, not a bug
    def database_down(error: Exception) -> Response:
        logger.error("database unavailable: %s", error)
        body = problem_body(503, "the database is unavailable; retry later", slug="unavailable")
        return problem_response(body, {"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")  # the traceback goes to the log, never the client
        return problem_response(internal_error_body())


def create_app(settings: ApiSettings | None = None) -> Flask:
    """Build the Flask app for these settings (the course's services by default)."""
    settings = settings or settings_from_course()
    app = Flask(__name__)
    # Werkzeug refuses a larger body with 413, whether it declares its length or streams it
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["api"] = open_resources(settings)
    CORS(
        app,
        resources={r"/api/*": {"origins": list(settings.cors_origins)}},
        methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
        expose_headers=["ETag", "Location", "Link", "Retry-After"],
        max_age=600,
        always_send=False,  # no Origin, no CORS headers (Flask-CORS sends them by default)
    )
    app.register_blueprint(books_v1, url_prefix="/api/v1")
    app.register_blueprint(covers_v1, url_prefix="/api/v1")

    @app.after_request
    def vary_on_origin(response: Response) -> Response:
        # the CORS headers depend on Origin; Flask-CORS says so only for several origins
        if request.path.startswith("/api/"):
            response.vary.add("Origin")
        return response

    register_error_handlers(app)

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        session = g.pop("session", None)
        if session is not None:
            session.close()  # rolls back whatever the request did not commit

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}  # liveness: the process answers; no dependency is checked

    @app.get("/ready")
    def ready() -> Response:
        checks = readiness(resources())
        if all(state == "ok" for state in checks.values()):
            return Response(json.dumps({"status": "ready", "checks": checks}), 200,
                            mimetype="application/json")  # fmt: skip
        return problem_response(problem_body(503, "a dependency is down", checks=checks))

    return app


def main() -> None:
    from api_models import create_schema

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    arguments = parser.parse_args()
    course.require("postgres", "redis")  # a stopped service: one clear line, not a traceback
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    create_schema(app.extensions["api"].engine)
    print(f"Bookshop API (Flask) on http://127.0.0.1:{arguments.port}/api/v1/books; Ctrl-C stops")
    app.run(host="127.0.0.1", port=arguments.port)  # Flask's development server


if __name__ == "__main__":
    main()
