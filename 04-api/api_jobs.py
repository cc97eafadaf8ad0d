"""Background jobs on Redis with RQ: what a request must not wait for, run by a worker process.

The API enqueues a job (a function name and its arguments, stored in Redis) and answers
`202 Accepted` at once; a separate worker process (`api_jobs_worker.py`) takes the job, runs it and
stores its result or its error in Redis, where the API reads the status back. A job that
raises is retried (`Retry`); one that fails every try ends in the `FailedJobRegistry`, RQ's
dead-letter list, with its traceback. RQ's default worker forks a fresh child process (the
"work horse") for every job: a crash, a leak or a kill affects one job, and if the horse
dies mid-job the worker sees it and retries the job.

The job functions live here so the worker can import them by name (`api_jobs.build_report`);
they read their configuration from the worker's own environment, never from the job's
arguments, so no password is ever written into Redis.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx2
import redis
from api_models import Book, make_engine
from api_serve_settings import settings_from_environment
from rq import Queue, Retry, get_current_job
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

RETRIES = 2  # three tries in all; then the job is dead-lettered
JOB_TIMEOUT_SECONDS = 60  # the horse is killed past this; a report is seconds, not minutes


def make_queue(redis_url: str, name: str, *, socket_timeout: float | None = 2.0) -> Queue:
    """The queue the API enqueues on and the worker drains (nothing connects yet)."""
    # the API gives up on a hung Redis in 2 s; the worker passes None: it blocks on BLPOP
    # for minutes between jobs, by design
    connection = redis.Redis.from_url(
        redis_url, socket_connect_timeout=2, socket_timeout=socket_timeout
    )
    return Queue(name, connection=connection)


def retry_policy(intervals: list[int] | None = None) -> Retry:
    """Retry twice; with intervals (seconds) the worker must run `--with-scheduler`."""
    return Retry(max=RETRIES, interval=intervals or 0)


def author_report(*, session: Session) -> list[dict[str, Any]]:
    """Books and average price per author: the report both the job and the API build."""
    rows = session.execute(
        select(Book.author, func.count(), func.avg(Book.price_cents))
        .group_by(Book.author)
        .order_by(Book.author)
    )
    return [
        {"author": author, "books": count, "average_price_cents": round(float(average))}
        for author, count, average in rows
    ]


# --- the job functions: run in the worker's horse, imported by name ----------------------


def build_report() -> dict[str, Any]:
    """Build the author report from the database this worker is configured for."""
    engine = make_engine(settings_from_environment().api.database_url)
    try:  # a fresh process per job: no pool survives between jobs, so close this one
        with Session(engine) as session:
            return {"authors": author_report(session=session)}
    finally:
        engine.dispose()


def deliver_webhook(url: str, payload: dict[str, Any]) -> int:
    """POST the payload to a partner's URL; raise if it does not answer 2xx (RQ retries)."""
    response = httpx2.post(url, json=payload, timeout=2)
    response.raise_for_status()
    return response.status_code


def export_catalogue(release_key: str, wait_seconds: int = 10) -> dict[str, Any]:
    """A long job: note this horse's pid, then wait (bounded) until `release_key` is pushed."""
    job = get_current_job()
    assert job is not None, "export_catalogue runs inside an RQ worker"  # nosec B101  # narrows the type inside a worker
    job.meta["pid"] = os.getpid()  # so a test (or you, with kill) can find the horse
    job.meta["tries"] = job.meta.get("tries", 0) + 1
    job.save_meta()
    # BLPOP, not sleep: the job ends as soon as it is released, or after wait_seconds
    released = job.connection.blpop([release_key], timeout=wait_seconds)
    return {"released": released is not None, "pid": os.getpid()}


# --- what the API calls ------------------------------------------------------------------


def enqueue_report(queue: Queue, retry: Retry | None = None) -> Job:
    """Queue a report build, retried on failure."""
    return queue.enqueue(
        build_report, retry=retry or retry_policy(), job_timeout=JOB_TIMEOUT_SECONDS
    )


def job_document(job: Job) -> dict[str, Any]:
    """What the API shows of a job: its status, then its result or its error's last line."""
    status = job.get_status()
    document: dict[str, Any] = {"id": job.id, "status": str(status.value)}
    if status == JobStatus.FINISHED:
        document["result"] = job.return_value()
    elif status == JobStatus.FAILED:
        result = job.latest_result()  # RQ keeps each run's outcome, the traceback included
        document["error"] = error_line(result.exc_string if result else None)
    document["retries_left"] = job.retries_left or 0
    return document


def error_line(traceback_text: str | None) -> str:
    """The `Type: message` line of a traceback: what the client sees, never the whole stack."""
    lines = (traceback_text or "").strip().splitlines()
    # the exception line follows the last indented (source) line; a message may run on
    last_indented = max((n for n, line in enumerate(lines) if line[:1].isspace()), default=-1)
    following = lines[last_indented + 1 : last_indented + 2]
    return following[0] if following else (lines[-1] if lines else "unknown")


def fetch_job(queue: Queue, job_id: str) -> Job | None:
    """The job with this id on this queue, or None (unknown, expired, or another queue's)."""
    job = queue.fetch_job(job_id)
    return job if job is not None and job.origin == queue.name else None


def dead_letters(queue: Queue) -> list[dict[str, Any]]:
    """Every job that failed for good: its id, function and error (the dead-letter list)."""
    registry = FailedJobRegistry(queue=queue)
    jobs = Job.fetch_many(registry.get_job_ids(), connection=queue.connection)
    return [
        {"id": job.id, "function": job.func_name, "error": job_document(job).get("error")}
        for job in jobs
        if job is not None
    ]
