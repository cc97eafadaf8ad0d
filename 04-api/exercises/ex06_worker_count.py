"""How many gunicorn sync workers should a server start? Read it from the environment, or guess.

Write `worker_count(environ, cpu_count)`, the `--workers` gunicorn would be given on start-up
(the formula is gunicorn's, for its sync workers; uvicorn's usual start is one per core):

- `WEB_CONCURRENCY` set (the variable Heroku sets and gunicorn reads): use it; it must be a
  whole number from 1 to 64, else raise `ValueError` with one line that names the variable,
  shows the value and says what is allowed, e.g.
  `WEB_CONCURRENCY must be a whole number from 1 to 64, got 'lots'`;
- not set, or set to an empty string: gunicorn's starting point, `2 * cpu_count + 1`,
  but at most 12 (gunicorn's docs: 4 to 12 workers handle hundreds or thousands of requests
  a second; more mostly thrash the machine). `cpu_count` may be `None`, which is what
  `os.cpu_count()` returns when it cannot tell: count it as one core.

In a container, `os.cpu_count()` counts the host's cores, not the container's CPU limit: the
number to pass is the limit.

Surrounding spaces in the value are ignored. `api_serve.default_workers` is simpler: try yours.

Check your work with `.venv/bin/course check 04 ex06`; a hint: `.venv/bin/course hint 04 ex06`.
"""

from __future__ import annotations

from collections.abc import Mapping


def worker_count(environ: Mapping[str, str], cpu_count: int | None) -> int:
    """The number of worker processes to start."""
    # TODO: WEB_CONCURRENCY if set (validated), else 2 * cpu_count + 1, at most 12
    raise NotImplementedError("TODO: the worker count from the environment")
