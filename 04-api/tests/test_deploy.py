"""The deployment files agree with each other and with the code (files only: no Docker needed).

`course/tests/test_compose_file.py` validates the whole `docker-compose.yml`, this block
included, against the Compose specification's schema; these tests check what a schema
cannot: that the balancer points at the service that exists, that the image runs as a
user who is not root, that the Procfile and the image start the same processes.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

LESSON = Path(__file__).resolve().parent.parent
ROOT = LESSON.parent
DEPLOY = LESSON / "deploy"
API_SERVICES = ("api-migrate", "api", "api-worker", "api-balancer")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def procfile() -> dict[str, list[str]]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines)}


def test_the_api_services_start_only_with_their_profile():
    services = compose()["services"]
    for name in API_SERVICES:
        assert services[name]["profiles"] == ["api"], (
            f"{name} would start with the course's services"
        )


def test_every_service_of_the_api_image_builds_it_from_the_dockerfile():
    services = compose()["services"]
    image = services["api"]["image"]
    users = [name for name, service in services.items() if service.get("image") == image]
    assert sorted(users) == ["api", "api-migrate", "api-worker"]
    for name in users:  # an image only built here cannot be pulled: each must say how to build
        assert services[name]["build"] == {"context": ".", "dockerfile": "04-api/deploy/Dockerfile"}


def test_two_replicas_sit_behind_a_balancer_that_names_their_service_and_port():
    services = compose()["services"]
    config = (DEPLOY / "nginx.conf").read_text()
    host, port = re.search(r"^\s*server (\S+):(\d+) ", config, re.MULTILINE).groups()
    assert services["api"]["deploy"]["replicas"] == 2
    assert host == "api"
    assert f"PORT={port}" in dict(dockerfile_instructions())["ENV"].replace(" ", "\n").split()
    assert compose()["configs"]["api-balancer-conf"]["file"] == "./04-api/deploy/nginx.conf"
    assert "proxy_next_upstream error timeout" in config, "a dead replica's requests move on"


def nginx_directives(name: str) -> list[list[str]]:
    """The arguments of every `name` directive in nginx.conf, comments left out."""
    text = (DEPLOY / "nginx.conf").read_text()
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [line.rstrip(";").split()[1:] for line in lines if line.split()[:1] == [name]]


def test_the_balancer_never_resends_a_post_nor_evicts_a_replica_for_its_own_503():
    (next_upstream,) = nginx_directives("proxy_next_upstream")
    # non_idempotent would resend a POST that may have run; http_503 is the app saying
    # "Redis is down", and counted against max_fails it would evict every healthy replica
    assert "non_idempotent" not in next_upstream
    assert "http_503" not in next_upstream
    assert {"error", "timeout"} <= set(next_upstream)


def test_the_balancer_keeps_connections_to_the_replicas_open_as_nginx_requires():
    assert nginx_directives("keepalive") == [["16"]]
    # keepalive alone does nothing: nginx speaks HTTP/1.0 to upstreams and sends
    # "Connection: close" unless both of these are set (ngx_http_upstream_module, keepalive)
    assert nginx_directives("proxy_http_version") == [["1.1"]]
    assert ["Connection", '""'] in nginx_directives("proxy_set_header")


def test_the_balancer_follows_the_replicas_addresses_instead_of_resolving_them_once():
    (server,) = nginx_directives("server")[:1]
    assert server[0] == "api:8000" and "resolve" in server, "re-resolve the replicas' name"
    assert nginx_directives("resolver") == [["127.0.0.11", "valid=10s"]], "Docker's DNS"
    assert nginx_directives("zone"), "resolve needs the upstream in a shared memory zone"


def test_every_long_running_service_of_the_image_has_a_health_check_it_can_pass():
    """The image's HEALTHCHECK asks /health: a service that serves no HTTP must bring its own,
    or `docker compose up --wait` fails on it as unhealthy."""
    services = compose()["services"]
    image = services["api"]["image"]
    for name, service in services.items():
        if service.get("image") != image or service.get("restart") == "no":
            continue  # api-migrate runs once and exits: Docker does not wait for its health
        if "command" not in service:  # the image's own CMD: the web server, which has /health
            continue
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} inherits /health"
        assert "/health" not in " ".join(check["test"]), f"{name} serves no HTTP"
        # the script that runs asks about itself (`true` would pass with the worker dead)
        assert check["test"] == ["CMD", *service["command"][:2], "check"], name


def test_docker_waits_longer_than_the_servers_graceful_timeout_before_killing():
    from api_jobs import JOB_TIMEOUT_SECONDS
    from api_serve import GRACEFUL_SECONDS

    services = compose()["services"]
    assert int(services["api"]["stop_grace_period"].removesuffix("s")) > GRACEFUL_SECONDS
    assert int(services["api-worker"]["stop_grace_period"].removesuffix("s")) > JOB_TIMEOUT_SECONDS


def test_the_image_is_multi_stage_runs_as_a_user_and_checks_its_health():
    instructions = dockerfile_instructions()
    stages = [arguments for name, arguments in instructions if name == "FROM"]
    final = instructions[max(n for n, (name, _) in enumerate(instructions) if name == "FROM") :]
    users = [arguments for name, arguments in final if name == "USER"]
    assert len(stages) == 2 and stages[1].endswith("AS run")
    assert users and users[-1] not in {"root", "0"}
    (check,) = [arguments for name, arguments in final if name == "HEALTHCHECK"]
    # the port the server binds (main() reads PORT), not a number of its own
    assert "127.0.0.1:%s/health' % os.environ['PORT']" in check, check
    # no compiler nor package in what runs: the only command of the run stage adds the user
    assert [a.split()[0] for n, a in final if n == "RUN"] == ["useradd"], "build in stage 1"
    assert "COPY --from=build /opt/venv /opt/venv" in [f"COPY {a}" for n, a in final if n == "COPY"]


def test_the_image_and_the_procfile_start_the_same_web_server():
    command = next(arguments for name, arguments in dockerfile_instructions() if name == "CMD")
    web = procfile()["web"]
    assert yaml.safe_load(command) == web[: len(yaml.safe_load(command))]  # exec form: a list
    assert set(procfile()) == {"web", "worker", "release"}
    for process in procfile().values():
        assert (ROOT / process[1]).is_file(), process


@pytest.mark.parametrize(
    "line",
    [line for line in (DEPLOY / "requirements.txt").read_text().splitlines() if line[:1].isalpha()],
)
def test_the_image_installs_each_dependency_within_the_repository_bounds(line):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bounds = {
        requirement.name.lower(): requirement.specifier
        for requirement in map(Requirement, pyproject["project"]["dependencies"])
    }
    requirement = Requirement(line)
    assert requirement.specifier == bounds[requirement.name.lower()]


def test_the_build_context_lets_through_everything_the_dockerfile_copies():
    allowed = [
        line[1:]
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    copied = [
        source
        for name, arguments in dockerfile_instructions()
        if name == "COPY" and "--from" not in arguments
        for source in arguments.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert source in allowed or f"{source}/" in allowed, source
