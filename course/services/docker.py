"""Docker mode: the compose file's containers, and which mode `up` runs in."""

from __future__ import annotations

import os
import subprocess

from course.paths import COMPOSE_FILE
from course.services.servers import ServiceStartError
from course.services.state import Mode

# the docker-compose services behind each course service (for stopping them one by one)
COMPOSE_SERVICES = {
    "postgres": ["postgres"],
    "mongo": ["mongo"],
    "redis": ["redis"],
    "s3": ["minio"],
    "gcs": ["fake-gcs-server"],
    "azure": ["azurite"],
    "memcached": ["memcached"],
}
# the `.env` keys each service's Docker container needs (`up --mode docker redis` sets REDIS_URL)
DOCKER_ENV_KEYS = {
    "postgres": ("DATABASE_URL",),
    "mongo": ("MONGO_URL",),
    "redis": ("REDIS_URL",),
    "s3": ("S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_BUCKET"),
    "gcs": ("GCS_ENDPOINT_URL", "GCS_PROJECT"),
    "azure": ("AZURE_STORAGE_CONNECTION_STRING",),
    "memcached": ("MEMCACHED_URL",),
}


def docker_engine_answers() -> bool:
    """True when a Docker engine (not just the client) answers, with Compose available."""
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=10)
        compose = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0 and compose.returncode == 0


def choose_mode(requested: str = "auto") -> Mode:
    """Docker when an engine answers, embedded otherwise; `COURSE_SERVICES_MODE` can force one."""
    requested = (
        os.environ.get("COURSE_SERVICES_MODE", requested) if requested == "auto" else requested
    )
    if requested in ("docker", "embedded"):
        return requested  # type: ignore[return-value]
    return "docker" if docker_engine_answers() else "embedded"


def run_compose(arguments: list[str]) -> None:
    """Run `docker compose`; a failure says why (its stderr), not only its exit status."""
    command = ["docker", "compose", "-f", str(COMPOSE_FILE), *arguments]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        cause = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ServiceStartError(f"`docker compose {arguments[0]}` failed: {' | '.join(cause)}")
