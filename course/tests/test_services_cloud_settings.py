"""The cloud emulators' settings, which lessons start them, and how a check reports them.

No server is started here: these are the cheap checks of the optional services' plumbing.
"""

import pytest
from dotenv import dotenv_values

import course
from course import connection_strings, doctor
from course.services import availability, diagnosis
from course.services.manager import ServiceManager, free_port
from course.services.probes import SERVICES, ServiceUnavailable, required_keys
from course.settings import Settings, SettingsError, get_settings

KEY = connection_strings.DEVELOPMENT_KEY


@pytest.mark.parametrize(
    ("variable", "bad_value", "expected_words"),
    [
        ("GCS_ENDPOINT_URL", "127.0.0.1:4443", "not a URL; it must start with 'http://'"),
        ("GCS_PROJECT", "Course Local", "not a Google Cloud project ID"),
        (
            "AZURE_STORAGE_CONNECTION_STRING",
            "http://127.0.0.1:10000/devstoreaccount1",
            "is not a connection string: 'http://127.0.0.1:10000/devstoreaccount1' is not a",
        ),
        (
            "AZURE_STORAGE_CONNECTION_STRING",
            "AccountName=devstoreaccount1;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1",
            "names no AccountKey (or SharedAccessSignature)",
        ),
        (
            "AZURE_STORAGE_CONNECTION_STRING",
            f"AccountName=a;AccountKey={KEY[:-3]};BlobEndpoint=http://127.0.0.1:10000/a",
            "has an AccountKey that is not base64 (copy the whole key, with its '==')",
        ),
        (
            "AZURE_STORAGE_CONNECTION_STRING",
            f"AccountName=a;AccountKey={KEY};BlobEndpoint=127.0.0.1:10000/a",
            "has BlobEndpoint '127.0.0.1:10000/a', not an http:// or https:// URL",
        ),
    ],
)
def test_a_malformed_cloud_setting_gets_one_line_naming_it_and_its_file(
    tmp_path, monkeypatch, variable, bad_value, expected_words
):
    monkeypatch.delenv(variable, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"{variable}='{bad_value}'\n")
    settings = get_settings(env_file)  # reading never fails: each is checked when used

    with pytest.raises(SettingsError) as raised:
        settings.require_valid(variable.lower())

    message = str(raised.value)
    assert message.startswith(f"{variable} (from {env_file}) ")
    assert expected_words in message
    assert message.endswith(
        f"fix the {variable} line in {env_file}, or delete it to use the default"
    )
    assert "\n" not in message
    assert KEY not in message  # the example beside it is redacted too


def test_the_defaults_are_the_docker_compose_addresses_and_env_example_says_the_same():
    settings = Settings(_env_file=None)
    example = dotenv_values(".env.example")
    assert settings.gcs_endpoint_url == example["GCS_ENDPOINT_URL"] == "http://127.0.0.1:4443"
    assert settings.gcs_project == example["GCS_PROJECT"] == "course-local"
    assert settings.azure_storage_connection_string == example["AZURE_STORAGE_CONNECTION_STRING"]
    assert all(
        settings.url_problem(name) is None
        for key in SERVICES
        for name in SERVICES[key].settings_checked
    )


def test_a_connection_string_is_shown_by_its_endpoint_and_its_key_is_redacted():
    value = connection_strings.development_connection_string(port=10123)
    settings = Settings(_env_file=None, azure_storage_connection_string=value)

    assert SERVICES["azure"].url(settings) == "http://127.0.0.1:10123/devstoreaccount1"
    assert KEY not in course.redact_url(value)
    assert "AccountKey=***;" in course.redact_url(value)
    real_azure = (
        "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=a2V5;"
        "EndpointSuffix=core.windows.net"
    )
    assert connection_strings.blob_endpoint(real_azure) == "https://shop.blob.core.windows.net"
    assert connection_strings.problem(real_azure) is None


def write_lesson(root, name, services):
    (root / name).mkdir()
    (root / name / "lesson.toml").write_text(f"title = 'x'\nservices = {services!r}\n")


def test_up_starts_an_optional_service_only_when_a_lesson_lists_it(tmp_path):
    manager = ServiceManager(tmp_path / ".env", tmp_path / ".services")
    assert manager.wanted_keys() == required_keys() == ["postgres", "mongo", "redis", "s3"]

    write_lesson(tmp_path, "01-database", ["postgres"])
    write_lesson(tmp_path, "03-cloud", ["s3", "gcs"])
    (tmp_path / "04-broken").mkdir()
    (tmp_path / "04-broken" / "lesson.toml").write_text("services = [")  # `course list` says so

    assert manager.wanted_keys() == [*required_keys(), "gcs"]


def test_a_stopped_emulator_stops_a_notebook_that_names_it_in_one_line(monkeypatch):
    monkeypatch.setattr(diagnosis, "course_address", lambda key, url_setting: None)
    monkeypatch.setenv("COURSE_SERVICES_MODE", "docker")
    port = free_port()
    monkeypatch.setenv("GCS_ENDPOINT_URL", f"http://127.0.0.1:{port}")

    with pytest.raises(course.ServicesDown) as raised:
        course.check_services("gcs")

    assert raised.value.problems == [
        f"Google Cloud Storage is not reachable at http://127.0.0.1:{port} (nothing listens on "
        f"127.0.0.1:{port}): start it with `.venv/bin/course services up gcs`; then run this "
        "notebook again"
    ]


def test_without_node_a_notebook_naming_azure_stops_with_how_to_get_it(monkeypatch):
    monkeypatch.setenv("COURSE_SERVICES_MODE", "embedded")
    monkeypatch.setattr(availability.shutil, "which", lambda program: None)

    with pytest.raises(course.ServicesDown, match=r"^Azure Blob Storage: Azurite .* runs on Node"):
        course.check_services("azure")


def test_doctor_shows_an_optional_emulator_that_is_down_as_a_note_not_a_failure(monkeypatch):
    monkeypatch.setattr(diagnosis, "course_address", lambda key, url_setting: None)
    monkeypatch.setenv("GCS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")

    spec = SERVICES["gcs"]
    with pytest.raises(ServiceUnavailable) as down:
        spec.check(get_settings())
    check = doctor.optional_service_down(spec, down.value)

    assert (check.name, check.ok, check.required) == (
        "Google Cloud Storage (optional)",
        False,
        False,
    )
    assert check.detail.startswith("not running (nothing listens on 127.0.0.1:")
    assert (
        check.fix
        == "optional: only 03-cloud uses it; start it with `.venv/bin/course services up gcs`"
    )


def test_up_in_docker_mode_writes_the_emulators_default_addresses(tmp_path, monkeypatch):
    from course.services import manager as manager_module

    composed = []
    monkeypatch.setattr(manager_module, "run_compose", composed.append)
    for variable in ("GCS_ENDPOINT_URL", "GCS_PROJECT", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(variable, raising=False)
    dead = connection_strings.development_connection_string(port=free_port())
    (tmp_path / ".env").write_text(  # nothing answers there, so compose is asked
        f"GCS_ENDPOINT_URL=http://127.0.0.1:{free_port()}\nAZURE_STORAGE_CONNECTION_STRING='{dead}'\n"
    )
    manager = ServiceManager(tmp_path / ".env", tmp_path / ".services")

    manager.up(["gcs", "azure"], mode="docker")

    env, example = dotenv_values(tmp_path / ".env"), dotenv_values(".env.example")
    for variable in ("GCS_ENDPOINT_URL", "GCS_PROJECT", "AZURE_STORAGE_CONNECTION_STRING"):
        assert env[variable] == example[variable]
    assert set(manager.records()) == {"gcs", "azure"}
