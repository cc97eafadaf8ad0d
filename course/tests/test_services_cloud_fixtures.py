"""The root conftest's cloud fixtures: a bucket or container of each test's own, gone after.

They run against the optional emulators that `course services up` starts for a lesson that
lists them (`course services up gcs azure` starts them by name), and skip with the reason
where an emulator cannot run here.
"""

import pytest

from course.services.cloud_sandbox import temporary_azure_container, temporary_gcs_bucket


def test_each_gcs_bucket_is_new_empty_and_its_own(gcs_client, gcs_bucket):
    assert gcs_bucket.name.startswith("test-")
    assert list(gcs_client.list_blobs(gcs_bucket)) == []
    gcs_bucket.blob("notes/a.txt").upload_from_string(b"mine")
    with temporary_gcs_bucket(gcs_client, prefix="test") as other:
        assert other.name != gcs_bucket.name
        assert list(gcs_client.list_blobs(other)) == []  # the first bucket's blob is not here


def test_a_gcs_bucket_is_deleted_with_its_blobs_even_when_the_block_fails(gcs_client):
    from google.api_core.exceptions import NotFound

    with pytest.raises(RuntimeError), temporary_gcs_bucket(gcs_client, prefix="test") as bucket:
        bucket.blob("a.txt").upload_from_string(b"left behind?")
        raise RuntimeError("the test failed half-way")

    with pytest.raises(NotFound):
        gcs_client.get_bucket(bucket.name, retry=None, timeout=5)


def test_each_azure_container_is_new_empty_and_its_own(azure_service_client, azure_container):
    assert azure_container.container_name.startswith("test-")
    assert list(azure_container.list_blobs()) == []
    azure_container.upload_blob("notes/a.txt", b"mine")
    with temporary_azure_container(azure_service_client, prefix="test") as other:
        assert other.container_name != azure_container.container_name
        assert list(other.list_blobs()) == []


def test_an_azure_container_is_deleted_with_its_blobs_even_when_the_block_fails(
    azure_service_client,
):
    with (
        pytest.raises(RuntimeError),
        temporary_azure_container(azure_service_client, prefix="test") as container,
    ):
        container.upload_blob("a.txt", b"left behind?")
        raise RuntimeError("the test failed half-way")

    assert not container.exists()


def test_azurite_refuses_a_wrong_account_key(azure_service_client, settings):
    # the emulator checks Shared Key signatures like Azure does: the fixtures' key is real
    from azure.core.exceptions import HttpResponseError

    from course.connection_strings import DEVELOPMENT_KEY
    from course.services.cloud_probes import make_blob_service_client

    wrong = DEVELOPMENT_KEY[:-4] + "AAA="
    bad = settings.model_copy(
        update={
            "azure_storage_connection_string": settings.azure_storage_connection_string.replace(
                DEVELOPMENT_KEY, wrong
            )
        }
    )
    with pytest.raises(HttpResponseError) as refused:
        list(make_blob_service_client(bad, retry_total=0).list_containers())
    assert refused.value.status_code == 403  # Azurite: AuthorizationFailure
