"""The job endpoints, for both apps: enqueue a report (202 Accepted), poll its status.

    POST /api/v1/reports        202, Location: /api/v1/jobs/<id>, {"id", "status": "queued"}
    GET  /api/v1/jobs/<id>      200 {"id", "status", "result" | "error", "retries_left"}; 404

202 says "accepted, not done": the client polls the `Location` until the status is
`finished` or `failed`. The unknown job is a 404 problem, as an unknown book is.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from api_jobs import enqueue_report, fetch_job, job_document
from api_problems import ApiProblem
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from flask import Blueprint, Flask, current_app, json
from flask import Response as FlaskResponse
from rq import Queue

logger = logging.getLogger(__name__)


def job_location(job_id: str) -> str:
    """Where a client polls a job."""
    return f"/api/v1/jobs/{job_id}"


def queue_down(error: redis.RedisError) -> ApiProblem:
    """A 503 problem for a queue that does not answer (the reason goes to the log only)."""
    logger.error("job queue unavailable: %s", error)
    return ApiProblem(
        503, "the job queue is unavailable; retry later", slug="unavailable",
        headers={"Retry-After": "5"},
    )  # fmt: skip


def accepted(queue: Queue) -> tuple[dict[str, Any], dict[str, str]]:
    """Enqueue a report; the body and headers of the 202."""
    try:
        job = enqueue_report(queue)
    except redis.RedisError as error:
        raise queue_down(error) from None
    logger.info("queued report job %s", job.id)
    return {"id": job.id, "status": "queued"}, {"Location": job_location(job.id)}


def status_of(queue: Queue, job_id: str) -> dict[str, Any]:
    """The job's document, or a 404 problem."""
    try:
        job = fetch_job(queue, job_id)
    except redis.RedisError as error:
        raise queue_down(error) from None
    if job is None:
        raise ApiProblem(404, f"there is no job {job_id}", slug="not-found")
    return job_document(job)


def add_flask_job_routes(app: Flask, queue: Queue) -> None:
    """Register the job endpoints on a Flask app (its error handlers turn 404s into problems)."""
    jobs = Blueprint("jobs_v1", __name__)
    app.extensions["jobs_queue"] = queue

    @jobs.post("/reports")
    def create_report() -> FlaskResponse:
        body, headers = accepted(current_app.extensions["jobs_queue"])
        return FlaskResponse(json.dumps(body), 202, headers, mimetype="application/json")

    @jobs.get("/jobs/<job_id>")
    def get_job(job_id: str) -> dict[str, Any]:
        return status_of(current_app.extensions["jobs_queue"], job_id)

    app.register_blueprint(jobs, url_prefix="/api/v1")


def add_fastapi_job_routes(app: FastAPI, queue: Queue) -> None:
    """Include the job endpoints in a FastAPI app."""
    router = APIRouter(tags=["jobs"])
    app.state.jobs_queue = queue

    @router.post("/reports", status_code=202)
    def create_report(request: Request) -> JSONResponse:
        body, headers = accepted(request.app.state.jobs_queue)
        return JSONResponse(body, 202, headers=headers)

    @router.get("/jobs/{job_id}")
    def get_job(job_id: str, request: Request) -> dict[str, Any]:
        return status_of(request.app.state.jobs_queue, job_id)

    app.include_router(router, prefix="/api/v1")
