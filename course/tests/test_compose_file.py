"""The Docker services, `.env.example` and the CI workflow agree with each other.

These tests read files only: they need no running service and no Docker engine, so they
catch a typo in `docker-compose.yml` on a machine that cannot run it.
"""

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from check_jsonschema import main as check_jsonschema
from click.testing import CliRunner, Result
from dotenv import dotenv_values

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
WORKFLOW_FILE = REPO_ROOT / ".github" / "workflows" / "ci.yml"
ENV_EXAMPLE_FILE = REPO_ROOT / ".env.example"


def read_yaml(path: Path) -> dict[str, Any]:
    """Return the YAML document in `path` as a dictionary."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compose_services() -> dict[str, dict[str, Any]]:
    """Return the services of docker-compose.yml by name."""
    return read_yaml(COMPOSE_FILE)["services"]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """Return a service's environment as a dictionary, whichever syntax the file uses."""
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return environment


def mount_target(mount: str) -> str:
    """Return the path inside the container of a short-syntax mount ("source:target[:mode]")."""
    source, _, rest = mount.partition(":")
    return rest.split(":")[0] if rest else source


def validate_with_builtin_schema(path: Path, schema_name: str) -> Result:
    """Run check-jsonschema on `path` with one of the schemas it ships (works offline)."""
    # its own command, run in this process: a `python -m check_jsonschema` would spend 2 s of
    # CPU starting (most of it building an IRI parser that these two schemas never use)
    return CliRunner().invoke(check_jsonschema, ["--builtin-schema", schema_name, str(path)])


# services that publish a port to the host: the servers a lesson talks to
SERVERS = sorted(name for name, service in compose_services().items() if "ports" in service)
# one-shot jobs say so: they run once, then exit
ONE_SHOT_JOBS = sorted(
    name for name, service in compose_services().items() if service.get("restart") == "no"
)
VOLUME_MOUNTS = [
    (name, mount)
    for name, service in compose_services().items()
    for mount in service.get("volumes", [])
]

SCHEMA_OF_FILE = [(COMPOSE_FILE, "vendor.compose-spec"), (WORKFLOW_FILE, "vendor.github-workflows")]


@pytest.mark.parametrize(("path", "schema_name"), SCHEMA_OF_FILE, ids=["compose", "workflow"])
def test_file_is_valid_against_its_published_schema(path: Path, schema_name: str) -> None:
    result = validate_with_builtin_schema(path, schema_name)

    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("path", "schema_name", "key", "misspelt_key"),
    [
        (COMPOSE_FILE, "vendor.compose-spec", "healthcheck:", "healtcheck:"),
        (WORKFLOW_FILE, "vendor.github-workflows", "runs-on:", "runs_on:"),
    ],
    ids=["compose", "workflow"],
)
def test_misspelt_key_is_reported_by_schema_validation(
    path: Path, schema_name: str, key: str, misspelt_key: str, tmp_path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    assert key in text, f"{path.name} no longer contains {key!r}; pick another key to misspell"
    broken_copy = tmp_path / path.name
    broken_copy.write_text(text.replace(key, misspelt_key), encoding="utf-8")

    result = validate_with_builtin_schema(broken_copy, schema_name)

    assert result.exit_code == 1, result.output  # a validation failure, not a crash
    assert misspelt_key.rstrip(":") in result.output


def test_compose_file_has_no_obsolete_version_key() -> None:
    assert "version" not in read_yaml(COMPOSE_FILE)


# each URL in .env.example, the service that serves it, and the port inside the container
SERVICE_OF_URL_SETTING = [
    ("DATABASE_URL", "postgres", 5432),
    ("MONGO_URL", "mongo", 27017),
    ("REDIS_URL", "redis", 6379),
    ("S3_ENDPOINT_URL", "minio", 9000),
    ("GCS_ENDPOINT_URL", "fake-gcs-server", 4443),
]


@pytest.mark.parametrize(("setting", "service_name", "container_port"), SERVICE_OF_URL_SETTING)
def test_url_setting_points_at_a_port_its_service_publishes_on_localhost(
    setting: str, service_name: str, container_port: int
) -> None:
    url = urlsplit(dotenv_values(ENV_EXAMPLE_FILE)[setting])

    published = compose_services()[service_name]["ports"]

    assert url.hostname == "127.0.0.1"
    assert f"127.0.0.1:{url.port}:{container_port}" in published


@pytest.mark.parametrize("service_name", SERVERS)
def test_server_publishes_its_ports_on_localhost_only(service_name: str) -> None:
    ports = compose_services()[service_name]["ports"]

    assert all(port.startswith("127.0.0.1:") for port in ports), ports


@pytest.mark.parametrize(
    ("url_part", "postgres_variable"),
    [("username", "POSTGRES_USER"), ("password", "POSTGRES_PASSWORD"), ("database", "POSTGRES_DB")],
)
def test_database_url_uses_the_postgres_user_password_and_database(
    url_part: str, postgres_variable: str
) -> None:
    url = urlsplit(dotenv_values(ENV_EXAMPLE_FILE)["DATABASE_URL"])
    parts = {"username": url.username, "password": url.password, "database": url.path.lstrip("/")}

    postgres_environment = environment_of(compose_services()["postgres"])

    assert parts[url_part] == postgres_environment[postgres_variable]


@pytest.mark.parametrize(
    ("setting", "minio_variable"),
    [("AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER"), ("AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD")],
)
def test_s3_keys_are_the_minio_root_user_and_password(setting: str, minio_variable: str) -> None:
    minio_environment = environment_of(compose_services()["minio"])

    assert dotenv_values(ENV_EXAMPLE_FILE)[setting] == minio_environment[minio_variable]


def test_s3_bucket_is_created_idempotently_by_the_bucket_job() -> None:
    bucket_job = compose_services()["minio-create-bucket"]
    *mc_arguments, alias_and_bucket = bucket_job["command"]
    alias, bucket_name = alias_and_bucket.split("/")

    alias_url = urlsplit(environment_of(bucket_job)[f"MC_HOST_{alias}"])
    minio_environment = environment_of(compose_services()["minio"])

    assert mc_arguments == ["mb", "--ignore-existing"]
    assert bucket_name == dotenv_values(ENV_EXAMPLE_FILE)["S3_BUCKET"]
    assert (alias_url.username, alias_url.password) == (
        minio_environment["MINIO_ROOT_USER"],
        minio_environment["MINIO_ROOT_PASSWORD"],
    )
    assert bucket_job["depends_on"]["minio"]["condition"] == "service_healthy"


def test_azure_connection_string_names_the_blob_port_azurite_publishes() -> None:
    from course.connection_strings import blob_endpoint

    connection_string = dotenv_values(ENV_EXAMPLE_FILE)["AZURE_STORAGE_CONNECTION_STRING"]
    endpoint = urlsplit(blob_endpoint(connection_string))
    azurite = compose_services()["azurite"]

    assert (endpoint.hostname, endpoint.path) == ("127.0.0.1", "/devstoreaccount1")
    assert f"127.0.0.1:{endpoint.port}:10000" in azurite["ports"]
    assert azurite["command"][azurite["command"].index("--blobPort") + 1] == "10000"


def test_azurite_runs_the_blob_service_of_the_version_embedded_mode_installs() -> None:
    from course.services.azurite import AZURITE_VERSION

    azurite = compose_services()["azurite"]

    assert azurite["image"] == f"mcr.microsoft.com/azure-storage/azurite:{AZURITE_VERSION}"
    assert azurite["command"][0] == "azurite-blob"  # not the queue and table services
    # a newer azure-storage-blob than the emulator knows is accepted; nothing is sent home
    assert {"--skipApiVersionCheck", "--disableTelemetry"} <= set(azurite["command"])


def test_fake_gcs_server_hands_out_upload_urls_at_the_address_the_host_uses() -> None:
    command = compose_services()["fake-gcs-server"]["command"]
    external = command[command.index("-external-url") + 1]

    # resumable uploads go to the URL the server returns: it must be reachable from the host
    assert external == dotenv_values(ENV_EXAMPLE_FILE)["GCS_ENDPOINT_URL"]
    assert command[command.index("-scheme") + 1] == "http"


def test_mongo_url_connects_directly_to_the_one_member_replica_set() -> None:
    mongo = compose_services()["mongo"]
    url = urlsplit(dotenv_values(ENV_EXAMPLE_FILE)["MONGO_URL"])

    healthcheck_script = mongo["healthcheck"]["test"][-1]

    # the member's address is 127.0.0.1 inside the container, so clients must not
    # follow the replica-set member list but talk to the address they were given
    assert parse_qs(url.query)["directConnection"] == ["true"]
    assert mongo["command"][:2] == ["--replSet", "rs0"]
    assert "_id: 'rs0'" in healthcheck_script
    assert f"host: '127.0.0.1:{url.port}'" in healthcheck_script


@pytest.mark.parametrize("service_name", SERVERS)
def test_server_has_a_healthcheck(service_name: str) -> None:
    healthcheck = compose_services()[service_name].get("healthcheck", {})

    assert healthcheck.get("test", ["NONE"])[0] in {"CMD", "CMD-SHELL"}
    assert not healthcheck.get("disable", False)


@pytest.mark.parametrize("job_name", ONE_SHOT_JOBS)
def test_one_shot_job_is_awaited_so_that_compose_up_wait_succeeds(job_name: str) -> None:
    # `docker compose up --wait` reports a job that exits, even with code 0, as a failure
    # unless some service waits for it to complete (docker/compose#10596)
    conditions = [
        service.get("depends_on", {}).get(job_name, {}).get("condition")
        for service in compose_services().values()
        if isinstance(service.get("depends_on", {}), dict)
    ]

    assert "service_completed_successfully" in conditions


@pytest.mark.parametrize(("service_name", "mount"), VOLUME_MOUNTS)
def test_data_volume_is_a_named_volume(service_name: str, mount: str) -> None:
    volume_name = mount.split(":")[0]

    assert volume_name in read_yaml(COMPOSE_FILE)["volumes"]


@pytest.mark.parametrize(
    ("service_name", "data_directory"),
    [
        # PostgreSQL 18's image keeps its data in 18/docker below this folder
        ("postgres", "/var/lib/postgresql"),
        ("mongo", "/data/db"),
        ("mongo", "/data/configdb"),
        ("redis", "/data"),
        ("minio", "/data"),
        ("fake-gcs-server", "/storage"),
        ("azurite", "/data"),
    ],
)
def test_image_data_directory_is_mounted_so_data_survives_a_restart(
    service_name: str, data_directory: str
) -> None:
    # a data directory left unmounted becomes an anonymous volume that `down` orphans
    mounted = [mount_target(mount) for mount in compose_services()[service_name]["volumes"]]

    assert data_directory in mounted


@pytest.mark.parametrize(
    ("service_name", "image"),
    [("postgres", "postgres:18"), ("mongo", "mongo:8"), ("redis", "valkey/valkey:9")],
)
def test_server_image_is_pinned_to_the_course_major_version(service_name: str, image: str) -> None:
    assert compose_services()[service_name]["image"] == image


def test_postgres_volume_is_not_mounted_where_postgres_16_kept_its_data() -> None:
    # from 18 the image refuses to start when it finds a mount at .../data, and the data
    # volume mounted there would miss the real data folder, /var/lib/postgresql/18/docker
    mounted = [mount_target(mount) for mount in compose_services()["postgres"]["volumes"]]

    assert "/var/lib/postgresql/data" not in mounted


@pytest.mark.parametrize(
    ("service_name", "client"),
    [
        *[("postgres", "pg_isready"), ("mongo", "mongosh"), ("redis", "valkey-cli")],
        *[("minio", "mc"), ("fake-gcs-server", "wget"), ("azurite", "node")],
    ],
)
def test_healthcheck_runs_the_client_that_its_image_ships(service_name: str, client: str) -> None:
    # the Valkey image has valkey-cli; a redis-cli left from the Redis image fails the check
    test = compose_services()[service_name]["healthcheck"]["test"]

    command = test[1].split()[0] if test[0] == "CMD-SHELL" else test[1]

    assert command == client


@pytest.mark.parametrize("service_name", sorted(compose_services()))
def test_every_image_names_a_version_tag(service_name: str) -> None:
    image = compose_services()[service_name]["image"]
    tag = image.rsplit("/", 1)[-1].partition(":")[2]

    assert tag not in {"", "latest"}, image


@pytest.mark.parametrize(
    ("job_name", "services_mode"), [("docker", "docker"), ("embedded", "embedded")]
)
def test_ci_job_lints_and_tests_in_its_services_mode(job_name: str, services_mode: str) -> None:
    job = read_yaml(WORKFLOW_FILE)["jobs"][job_name]

    commands = [step["run"] for step in job["steps"] if "run" in step]

    assert job["env"]["COURSE_SERVICES_MODE"] == services_mode
    assert {"make lint", "make test"} <= set(commands)


def test_embedded_ci_job_runs_on_each_supported_python_on_linux_and_macos() -> None:
    strategy = read_yaml(WORKFLOW_FILE)["jobs"]["embedded"]["strategy"]

    assert strategy["matrix"] == {
        "os": ["ubuntu-latest", "macos-latest"],
        "python": ["3.11", "3.13", "3.14"],
    }
    assert strategy["fail-fast"] is False


@pytest.mark.parametrize("job_name", ["docker", "embedded"])
def test_ci_job_makes_the_venv_with_the_python_it_set_up(job_name: str) -> None:
    # without PYTHON, make would choose among every Python on the runner, not the one
    # that setup-python installed
    job = read_yaml(WORKFLOW_FILE)["jobs"][job_name]
    setup = next(
        step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python")
    )

    # "python" + "3.13", or "python" + "${{ matrix.python }}": the same text either way
    assert job["env"]["PYTHON"] == "python" + setup["with"]["python-version"]


def test_docker_ci_job_starts_the_services_before_testing() -> None:
    steps = read_yaml(WORKFLOW_FILE)["jobs"]["docker"]["steps"]
    commands = [step["run"] for step in steps if "run" in step]

    compose_up = next(index for index, run in enumerate(commands) if "docker compose up" in run)

    assert "--wait" in commands[compose_up].split()
    assert compose_up < commands.index("make test")
