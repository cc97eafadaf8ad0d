"""Checks for ex07: `.venv/bin/course check 04 ex07` runs them against your task.

Real RQ on the test's own Redis database: the jobs fail in an in-process `SimpleWorker`
(no fork, so the test stays fast), landing in the `FailedJobRegistry`.
"""

import json
import socket

import pytest
import redis
from api_jobs import deliver_webhook
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry

from course.exercises import load_exercise

task = load_exercise(__file__)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def queue(redis_url, unique_name):
    connection = redis.Redis.from_url(redis_url)
    queue = Queue(unique_name, connection=connection)
    down = f"http://127.0.0.1:{closed_port()}/hook"
    webhooks = [queue.enqueue(deliver_webhook, down, {"order": n}) for n in range(2)]
    other = queue.enqueue(json.loads, "{not json")
    SimpleWorker([queue], connection=connection).work(burst=True)  # every job fails once
    queue.ids = {"webhooks": [job.id for job in webhooks], "other": other.id}
    yield queue
    connection.close()


def test_the_dead_letters_of_the_function_go_back_on_the_queue(queue):
    in_registry = FailedJobRegistry(queue=queue).get_job_ids()  # its order: by expiry, then id

    requeued = task.requeue_dead_letters(queue, "api_jobs.deliver_webhook")

    assert requeued == [job_id for job_id in in_registry if job_id in queue.ids["webhooks"]]
    assert set(queue.get_job_ids()) == set(queue.ids["webhooks"])


def test_other_dead_letters_stay_for_a_person_to_look_at(queue):
    task.requeue_dead_letters(queue, "api_jobs.deliver_webhook")

    assert FailedJobRegistry(queue=queue).get_job_ids() == [queue.ids["other"]]


def test_a_function_with_no_dead_letters_requeues_nothing(queue):
    assert task.requeue_dead_letters(queue, "api_jobs.build_report") == []
    assert queue.count == 0


def test_an_expired_job_is_skipped(queue):
    queue.connection.delete(f"rq:job:{queue.ids['webhooks'][0]}")  # its TTL ran out

    requeued = task.requeue_dead_letters(queue, "api_jobs.deliver_webhook")

    assert requeued == [queue.ids["webhooks"][1]]
