"""Background jobs, shown: the API answers 202 at once, a worker process does the work.

1. A report is requested through the API (Flask, in this process) and polled until a real
   `rq worker` process (started here) has built it from PostgreSQL.
2. A webhook to a partner that is down: tried three times, then dead-lettered with its error.
3. SIGTERM to the worker during a long job: a warm shutdown, the job finishes first.

Its own temporary database and its own queue: running it twice gives the same output.
Run it: `python 04-api/api_jobs_demo.py`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx2
from api_jobs import (
    RETRIES,
    dead_letters,
    deliver_webhook,
    export_catalogue,
    make_queue,
    retry_policy,
)
from api_models import create_schema, make_engine
from api_samples import SAMPLE_BOOK
from api_serve import flask_app
from api_serve_process import free_port
from api_serve_settings import ServeSettings, environment_of, settings_from_environment
from rq import Queue, Worker
from rq.job import JobStatus

import course
from course.sandbox import temporary_postgres_database, unique_name

LESSON = Path(__file__).resolve().parent
DEADLINE_SECONDS = 30


def start_worker(settings: ServeSettings, queue: Queue) -> subprocess.Popen:
    """`python api_jobs_worker.py worker` with these settings, once it has registered in Redis."""
    worker = subprocess.Popen(
        [sys.executable, str(LESSON / "api_jobs_worker.py"), "worker"],
        env=os.environ | environment_of(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not Worker.all(queue=queue):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                "error: the worker did not start (run `python 04-api/api_jobs_worker.py worker`)"
            )
        time.sleep(0.05)
    return worker


def poll(http: httpx2.Client, location: str) -> dict:
    """GET the job's status until it is finished or failed."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (document := http.get(location).json())["status"] not in {"finished", "failed"}:
        if time.monotonic() > deadline:
            raise SystemExit(
                f"error: the job is still {document['status']}; is the worker running?"
            )
        time.sleep(0.05)
    return document


def warm_shutdown(worker: subprocess.Popen, queue: Queue) -> tuple[str, str, int]:
    """SIGTERM the worker while a long job runs: the job's status then and at the end, the exit."""
    release_key = unique_name("release")
    job = queue.enqueue(export_catalogue, release_key)
    (registered,) = Worker.all(queue=queue)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while "pid" not in job.get_meta():  # the job is running in its horse
        if time.monotonic() > deadline:
            raise SystemExit("error: the long job never started")
        time.sleep(0.05)
    worker.terminate()  # SIGTERM: the worker stops taking jobs but waits for this one
    while registered.shutdown_requested_date is None:  # RQ notes the request in Redis
        if time.monotonic() > deadline:
            raise SystemExit("error: the worker never handled SIGTERM")
        time.sleep(0.05)
    during = job.get_status().value  # the signal is handled, and the job still runs
    queue.connection.rpush(release_key, "go")  # the job in hand can finish now
    code = worker.wait(timeout=DEADLINE_SECONDS)
    return during, job.get_status().value, code


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    course.require("postgres", "redis")
    base = settings_from_environment()
    with temporary_postgres_database(course.get_settings(), prefix="demo_jobs") as url:
        engine = make_engine(url)
        create_schema(engine)
        engine.dispose()
        api = replace(base.api, database_url=url, redis_prefix=f"{unique_name('jobs')}:")
        settings = replace(base, api=api, jobs_queue=unique_name("demo-jobs"))
        queue = make_queue(api.redis_url, settings.jobs_queue)
        worker = start_worker(settings, queue)
        app = flask_app(settings)
        transport = httpx2.WSGITransport(app=app)
        try:
            with httpx2.Client(transport=transport, base_url="http://api") as http:
                for author in ("Ada Lovelace", "Ada Lovelace", "Grace Hopper"):
                    http.post("/api/v1/books", json={**SAMPLE_BOOK, "author": author})
                started = time.perf_counter()
                accepted = http.post("/api/v1/reports")
                answered_ms = (time.perf_counter() - started) * 1000
                print(f"1. POST /api/v1/reports: {accepted.status_code} in {answered_ms:.1f} ms,"
                      f" Location {accepted.headers['Location'][:28]}...")  # fmt: skip
                document = poll(http, accepted.headers["Location"])
                print(f"   polled until {document['status']}: {document['result']['authors']}")
            nobody = f"http://127.0.0.1:{free_port()}/hook"  # a partner that is down
            job = queue.enqueue(deliver_webhook, nobody, {"order": 7}, retry=retry_policy())
            deadline = time.monotonic() + DEADLINE_SECONDS
            while job.get_status() not in (JobStatus.FAILED, JobStatus.FINISHED):
                if time.monotonic() > deadline:
                    raise SystemExit("error: the webhook job never ended")
                time.sleep(0.05)
            letter = next(item for item in dead_letters(queue) if item["id"] == job.id)
            job.refresh()  # the job as the worker left it in Redis
            tries = 1 + RETRIES - (job.retries_left or 0)  # each retry took one off
            print(
                f"2. A webhook to a port nobody listens on: {job.get_status().value}"
                f" after {tries} tries,"
            )
            print(f"   in the dead-letter list: {letter['function']}: {letter['error'][:60]}")
            during, outcome, code = warm_shutdown(worker, queue)
            print(f"3. SIGTERM to the worker during a long job: taken, the job still {during};")
            print(f"   released, it ended {outcome}, then the worker exited with {code}"
                  " (a warm shutdown)")  # fmt: skip
        finally:
            app.extensions["api"].close()
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=DEADLINE_SECONDS)
    print("Conclusion: the request waits for nothing slow; the worker retries, and what keeps")
    print("failing is kept, with its error, for a person to look at, not silently dropped.")


if __name__ == "__main__":
    course.script_arguments()
    main()
