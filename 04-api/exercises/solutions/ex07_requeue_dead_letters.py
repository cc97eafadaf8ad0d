"""Replay the dead letters of one job function: the reference solution."""

from __future__ import annotations

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry


def requeue_dead_letters(queue: Queue, function_name: str) -> list[str]:
    """Requeue the failed jobs of `function_name`; the ids requeued."""
    registry = FailedJobRegistry(queue=queue)
    requeued = []
    for job_id in registry.get_job_ids():
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue  # expired: its id outlived it in the registry
        if job.func_name == function_name:
            registry.requeue(job_id)
            requeued.append(job_id)
    return requeued
