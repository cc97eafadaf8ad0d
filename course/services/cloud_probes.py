"""Clients and round trips for the optional cloud emulators: Google Cloud Storage and Azure.

The clients are made the way a lesson makes them: Google's with `AnonymousCredentials` and
the emulator's endpoint, Azure's from the connection string. Both retry nothing and time out
quickly here, so a stopped emulator is reported in seconds, not after the SDKs' retries.
"""

from __future__ import annotations

from course.settings import Settings

# as the other probes: a live server answers a listing in well under a second
TIMEOUT_SECONDS = 3


def make_gcs_client(settings: Settings):
    """Create a `google.cloud.storage.Client` for the configured endpoint, without credentials."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(
        project=settings.gcs_project,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": settings.gcs_endpoint_url},
    )


def make_blob_service_client(settings: Settings, **options):
    """Create an Azure `BlobServiceClient` from the configured connection string."""
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(
        settings.azure_storage_connection_string, **options
    )


def probe_gcs(settings: Settings) -> str:
    """List the project's buckets (no retry: the SDK's default retries for two minutes)."""
    client = make_gcs_client(settings)
    buckets = list(client.list_buckets(retry=None, timeout=TIMEOUT_SECONDS))
    return f"Google Cloud Storage API, {len(buckets)} bucket(s) in project {settings.gcs_project}"


def probe_azure(settings: Settings) -> str:
    """Read the account's information, and the server's name from its `Server` header."""
    client = make_blob_service_client(
        settings, retry_total=0, connection_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS
    )
    headers: dict[str, str] = {}
    with client:
        account = client.get_account_information(
            raw_response_hook=lambda response: headers.update(response.http_response.headers)
        )
    server = headers.get("Server", "Azure Blob Storage").replace("/", " ")  # Azurite-Blob/3.35.0
    return f"{server}, account {client.account_name} ({account['account_kind']})"
