"""Background jobs for real: an RQ worker process, the API under gunicorn, a Redis of their own.

One worker and one server for the whole module (starting them is the slow part); each test
uses its own books and its own jobs. The faults are real too: a webhook receiver that
answers 503, a work horse killed with SIGKILL in the middle of its job, and Heroku's stop,
SIGTERM to every process of the worker, the horse included.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
from api_jobs import dead_letters, deliver_webhook, export_catalogue, make_queue, retry_policy
from api_jobs_worker import main as worker_main
from api_jobs_worker import worker_is_registered
from api_samples import SAMPLE_BOOK
from api_serve_process import ServerProcess, free_port, running_server
from api_serve_settings import ServeSettings, environment_of
from api_settings import ApiSettings
from rq import Queue, Retry, Worker
from rq.job import Job, JobStatus

from course.services.private import private_server

pytestmark = pytest.mark.xdist_group("api-jobs")  # one worker and one server, on one xdist worker
LESSON = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 20  # a job takes well under a second; the deadline is for a busy machine


@pytest.fixture(scope="module")
def jobs_settings(worker_database) -> Iterator[ServeSettings]:
    """Settings on this worker's database and a private Redis, with a queue of its own."""
    with private_server("redis") as redis_server:
        api = ApiSettings(database_url=worker_database[0], redis_url=redis_server.url)
        yield ServeSettings(api=api, jobs_queue="test-jobs", demo_routes=True)


@pytest.fixture(scope="module")
def queue(jobs_settings) -> Queue:
    return make_queue(jobs_settings.api.redis_url, jobs_settings.jobs_queue)


@pytest.fixture(scope="module")
def worker(jobs_settings, queue) -> Iterator[subprocess.Popen]:
    """`python api_jobs_worker.py worker`, as the Procfile runs it, until the module ends."""
    process = subprocess.Popen(
        [sys.executable, str(LESSON / "api_jobs_worker.py"), "worker"],
        env=os.environ | environment_of(jobs_settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not Worker.all(queue=queue):  # registered: it is listening
        assert process.poll() is None, "the worker exited at start"
        assert time.monotonic() < deadline, "the worker did not register in time"
        time.sleep(0.05)
    yield process
    process.terminate()  # SIGTERM: a warm shutdown
    assert process.wait(timeout=DEADLINE_SECONDS) == 0


@pytest.fixture(scope="module")
def server(jobs_settings, worker) -> Iterator[ServerProcess]:
    """The Flask app under gunicorn (one sync worker: the test's requests come one by one)."""
    with running_server("flask", workers=1, environment=environment_of(jobs_settings)) as running:
        yield running


def wait_for(job: Job, *statuses: JobStatus) -> JobStatus:
    """Poll the job until it reaches one of `statuses` (or fail at the deadline)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (status := job.get_status()) not in statuses:
        assert time.monotonic() < deadline, f"job {job.id} still {status} after the deadline"
        time.sleep(0.02)
    return status


def test_a_report_requested_over_http_is_built_by_the_worker_and_polled(server, engine):
    with httpx2.Client(base_url=server.base_url, timeout=5) as http:
        for author in ("Ada", "Ada", "Grace"):
            assert http.post("/api/v1/books", json={**SAMPLE_BOOK, "author": author}).is_success
        accepted = http.post("/api/v1/reports")
        assert accepted.status_code == 202
        location = accepted.headers["Location"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (document := http.get(location).json())["status"] not in {"finished", "failed"}:
            assert time.monotonic() < deadline, document
            time.sleep(0.02)
        unknown = http.get("/api/v1/jobs/no-such-job")
    assert document["status"] == "finished", document
    counts = [(row["author"], row["books"]) for row in document["result"]["authors"]]
    assert counts == [("Ada", 2), ("Grace", 1)]
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


class Unavailable(BaseHTTPRequestHandler):
    """A partner's webhook endpoint that is down: every POST gets a 503, and is counted."""

    hits = 0

    def do_POST(self) -> None:  # http.server calls do_<METHOD>
        type(self).hits += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:  # quiet
        pass


def test_a_job_that_keeps_failing_is_retried_then_dead_lettered_with_its_error(queue, worker):
    Unavailable.hits = 0
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_port}/hooks/order"
    try:
        job = queue.enqueue(deliver_webhook, url, {"order": 1}, retry=retry_policy())
        status = wait_for(job, JobStatus.FAILED, JobStatus.FINISHED)
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert status == JobStatus.FAILED
    assert Unavailable.hits == 3, "one try and two retries"
    letter = next(letter for letter in dead_letters(queue) if letter["id"] == job.id)
    assert letter["function"] == "api_jobs.deliver_webhook"
    assert letter["error"].startswith("httpx2.HTTPStatusError: Server error '503")


def test_a_job_whose_work_horse_is_killed_mid_job_is_retried_not_lost(queue, worker):
    release_key = f"release-{free_port()}"
    job = queue.enqueue(export_catalogue, release_key, retry=Retry(max=1))
    deadline = time.monotonic() + DEADLINE_SECONDS
    while "pid" not in job.get_meta():  # the horse has started and is waiting
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.02)
    first_pid = job.get_meta()["pid"]

    os.kill(first_pid, signal.SIGKILL)  # the fault: the OOM killer, a crash, kill -9
    while job.get_meta(refresh=True).get("tries") != 2:  # the worker saw it and requeued the job
        assert time.monotonic() < deadline, f"no retry; status {job.get_status()}"
        time.sleep(0.02)
    queue.connection.rpush(release_key, "go")
    assert wait_for(job, JobStatus.FINISHED, JobStatus.FAILED) == JobStatus.FINISHED
    assert job.return_value() == {"released": True, "pid": job.get_meta()["pid"]}
    assert job.get_meta()["pid"] != first_pid, "the retry ran in a new horse"


def test_the_health_check_finds_this_hosts_worker_and_no_other(
    jobs_settings, queue, worker, monkeypatch, capsys
):
    assert worker_is_registered(queue)
    assert not worker_is_registered(queue, hostname="another-container")
    monkeypatch.setenv("API_JOBS_QUEUE", "a-queue-nobody-drains")
    monkeypatch.setenv("REDIS_URL", jobs_settings.api.redis_url)
    monkeypatch.setattr(sys, "argv", ["api_jobs_worker.py", "check"])
    with pytest.raises(SystemExit) as caught:
        worker_main()
    assert caught.value.code == 1
    assert capsys.readouterr().err.startswith("error: no worker of ")


def test_a_worker_without_redis_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(sys, "argv", ["api_jobs_worker.py", "worker"])
    with pytest.raises(SystemExit) as caught:
        worker_main()
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: Redis does not answer (") and error.count("\n") == 1, error


def test_a_heroku_stop_lets_the_procfile_worker_finish_a_short_job(jobs_settings):
    """Heroku stops a dyno with SIGTERM to every process in it: a plain Worker's horse dies at
    once; the Procfile's worker (`--kind heroku`) keeps it going for about 6 s."""
    queue = make_queue(jobs_settings.api.redis_url, f"heroku-{free_port()}")
    line = next(line for line in (LESSON / "deploy" / "Procfile").read_text().splitlines()
                if line.startswith("worker: "))  # fmt: skip
    command = [sys.executable, *shlex.split(line.removeprefix("worker: "))[1:]]
    process = subprocess.Popen(
        [*command, "--queue", queue.name],
        cwd=LESSON.parent,
        env=os.environ | environment_of(jobs_settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while not (workers := Worker.all(queue=queue)):
            assert process.poll() is None, "the Procfile's worker exited at start"
            assert time.monotonic() < deadline, "the worker did not register in time"
            time.sleep(0.05)
        release_key = f"release-{free_port()}"
        job = queue.enqueue(export_catalogue, release_key)  # no retry: a killed horse fails it
        while "pid" not in job.get_meta(refresh=True):  # the horse is in the job
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.02)

        # what Heroku sends: SIGTERM to every process of the dyno, the worker and its horse (the
        # horse has a process group of its own, so a signal to the worker's group would miss it)
        for pid in (process.pid, job.get_meta()["pid"]):
            os.kill(pid, signal.SIGTERM)
        while workers[0].shutdown_requested_date is None:  # the worker took the signal
            assert time.monotonic() < deadline, "the worker never saw SIGTERM"
            time.sleep(0.02)
        queue.connection.rpush(release_key, "go")  # the job can end now, a second later

        assert process.wait(timeout=DEADLINE_SECONDS) == 0
        assert job.get_status(refresh=True) == JobStatus.FINISHED, job.latest_result()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
