"""Expiry and tampering, refused for real: Azure SAS URLs on Azurite.

The embedded S3 (moto) accepts expired and altered presigned URLs, so this script shows the
same protection where an emulator enforces it. Running it, in a container of its own:
1. a read-only SAS URL for one blob works from a plain HTTP client, for anyone who has it;
2. the same kind of URL, expired a minute ago: 403;
3. the valid URL with its permission edited from read to read-write: 403 (the signature
   covers every field);
4. the valid URL pointed at another blob: 403 (it signs one blob name).
"""

from __future__ import annotations

import logging

from blob_azure import sas_url
from s3_presigned import download, tampered

logger = logging.getLogger(__name__)


def refusal(url: str) -> str:
    """GET the URL; return its status and Azure's error code ("403 AuthenticationFailed")."""
    answer = download(url)
    return f"{answer.status_code} {answer.headers.get('x-ms-error-code', '')}".strip()


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    import course
    from course.sandbox import unique_name

    settings = course.require("azure")
    service = BlobServiceClient.from_connection_string(settings.azure_storage_connection_string)
    container = service.create_container(unique_name("sas").replace("_", "-"))
    try:
        container.upload_blob("invoices/42.pdf", b"%PDF-1.7 invoice 42")
        container.upload_blob("invoices/43.pdf", b"%PDF-1.7 someone else's invoice")
        url = sas_url(container, "invoices/42.pdf", expires_in=300)
        print(f"1. read-only SAS URL, no credentials: {refusal(url)}")
        print(f"   {url.split('?')[0]}?...&se=<expiry>&sp=r&sig=...")
        expired = sas_url(container, "invoices/42.pdf", expires_in=-60)
        print(f"2. a SAS URL that expired a minute ago: {refusal(expired)}")
        print(f"3. the URL edited from sp=r to sp=rw: {refusal(tampered(url, 'sp=r', 'sp=rw'))}")
        other = tampered(url, "invoices/42.pdf", "invoices/43.pdf")
        print(f"4. the URL pointed at another blob: {refusal(other)}")
    finally:
        container.delete_container()
    print("Conclusion: a SAS binds blob, permission and expiry; a leaked one works until then.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
