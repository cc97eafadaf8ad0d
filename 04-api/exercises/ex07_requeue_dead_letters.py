"""Replay the dead letters of one job function once its cause is fixed.

A partner's webhook endpoint was down for an hour; every `api_jobs.deliver_webhook` job of
that hour failed three times and sits in RQ's `FailedJobRegistry`, the dead-letter list,
beside other failures that have nothing to do with it. The partner is back. Write
`requeue_dead_letters(queue, function_name)`:

- look at every job in the queue's `FailedJobRegistry`;
- put back on the queue those whose `func_name` is `function_name` (RQ's
  `registry.requeue(job_id)` does it and removes the job from the registry);
- leave every other dead letter where it is, for a person to look at;
- return the ids of the jobs you requeued, in the registry's order.

A job id in the registry whose job has expired from Redis (`Job.fetch` raises
`rq.exceptions.NoSuchJobError`) is skipped, not an error.

The checks run on a real Redis: start the services first (`make services-up`). Check your
work with `.venv/bin/course check 04 ex07`; a hint: `.venv/bin/course hint 04 ex07`.
"""

from __future__ import annotations

from rq import Queue


def requeue_dead_letters(queue: Queue, function_name: str) -> list[str]:
    """Requeue the failed jobs of `function_name`; the ids requeued."""
    # TODO: FailedJobRegistry(queue=queue), its job ids, Job.fetch, func_name, requeue
    raise NotImplementedError("TODO: requeue one function's dead letters")
