"""Expiry and tampering refused for real, on Azure SAS URLs (Azurite checks them)."""

from __future__ import annotations

import pytest
from blob_azure import sas_url
from blob_azure_sas import refusal
from s3_presigned import tampered

# Azure itself answers a bad or expired signature with AuthenticationFailed; Azurite says
# AuthorizationFailure. Either is a refusal: pin the 403 and accept both codes.
REFUSED = {"403 AuthenticationFailed", "403 AuthorizationFailure"}


@pytest.fixture
def invoices(azure_container):
    azure_container.upload_blob("invoices/42.pdf", b"%PDF invoice 42")
    azure_container.upload_blob("invoices/43.pdf", b"%PDF someone else's")
    return azure_container


def test_a_valid_sas_url_works_for_anyone_who_holds_it(invoices):
    assert refusal(sas_url(invoices, "invoices/42.pdf", expires_in=60)) == "200"


def test_an_expired_sas_url_is_refused(invoices):
    expired = sas_url(invoices, "invoices/42.pdf", expires_in=-60)
    assert refusal(expired) in REFUSED


@pytest.mark.parametrize(
    ("old", "new"),
    [("sp=r", "sp=rw"), ("invoices/42.pdf", "invoices/43.pdf")],
    ids=["permission widened", "another blob"],
)
def test_an_edited_sas_url_is_refused(invoices, old, new):
    url = sas_url(invoices, "invoices/42.pdf", expires_in=60)
    assert refusal(tampered(url, old, new)) in REFUSED


def test_a_read_only_sas_cannot_overwrite_the_blob(invoices):
    import requests

    url = sas_url(invoices, "invoices/42.pdf", expires_in=60)
    answer = requests.put(url, data=b"forged", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10)
    assert answer.status_code == 403
    assert invoices.download_blob("invoices/42.pdf").readall() == b"%PDF invoice 42"
