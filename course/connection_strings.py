"""Azure Storage connection strings: `Key=value;Key=value`, checked and shown safely.

A connection string is a setting like a URL, but its parts are named: the account, its key
and the Blob endpoint. `problem` says in a phrase what is wrong with one, `blob_endpoint`
gives the address a status table shows, and `redact` hides the key in messages.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

# Azurite's well-known development account and key, published by Microsoft ("Connect to
# Azurite with SDKs and tools", learn.microsoft.com/azure/storage/common/storage-connect-azurite):
# not a secret, it opens only the local emulator
DEVELOPMENT_ACCOUNT = "devstoreaccount1"
DEVELOPMENT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
SECRET_PARTS = re.compile(r"((?:AccountKey|SharedAccessSignature)=)[^;]*", re.IGNORECASE)


def development_connection_string(host: str = "127.0.0.1", port: int = 10000) -> str:
    """The connection string of Azurite's development account at `host:port`."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={DEVELOPMENT_ACCOUNT};"
        f"AccountKey={DEVELOPMENT_KEY};BlobEndpoint=http://{host}:{port}/{DEVELOPMENT_ACCOUNT};"
    )


def parts(connection_string: str) -> dict[str, str]:
    """The named parts, keys upper-cased (the Azure SDK reads them case-insensitively)."""
    found = {}
    for part in connection_string.split(";"):
        if part.strip():
            key, _, value = part.partition("=")
            found[key.strip().upper()] = value.strip()
    return found


def blob_endpoint(connection_string: str) -> str:
    """The Blob service URL a connection string names (or the string itself, redacted)."""
    named = parts(connection_string)
    if named.get("USEDEVELOPMENTSTORAGE", "").lower() == "true":
        return f"http://127.0.0.1:10000/{DEVELOPMENT_ACCOUNT}"
    if "BLOBENDPOINT" in named:
        return named["BLOBENDPOINT"]
    if "ACCOUNTNAME" in named:
        protocol = named.get("DEFAULTENDPOINTSPROTOCOL", "https")
        suffix = named.get("ENDPOINTSUFFIX", "core.windows.net")
        return f"{protocol}://{named['ACCOUNTNAME']}.blob.{suffix}"
    return redact(connection_string)


def redact(text: str) -> str:
    """Hide the account key and SAS token of a connection string in a message."""
    return SECRET_PARTS.sub(r"\1***", text)


def problem(connection_string: str) -> str | None:
    """What is wrong with a connection string, as a phrase; None when it is well formed."""
    pieces = [piece for piece in connection_string.split(";") if piece.strip()]
    malformed = [piece for piece in pieces if "=" not in piece]
    if not pieces or malformed:
        shown = redact(malformed[0]) if malformed else connection_string
        return f"is not a connection string: {shown!r} is not a Key=value part"
    named = parts(connection_string)
    if named.get("USEDEVELOPMENTSTORAGE", "").lower() == "true":
        return None
    if "ACCOUNTKEY" not in named and "SHAREDACCESSSIGNATURE" not in named:
        return "names no AccountKey (or SharedAccessSignature)"
    if "ACCOUNTKEY" in named:
        try:
            base64.b64decode(named["ACCOUNTKEY"], validate=True)
        except (binascii.Error, ValueError):
            return "has an AccountKey that is not base64 (copy the whole key, with its '==')"
    if "BLOBENDPOINT" not in named and "ACCOUNTNAME" not in named:
        return "names neither a BlobEndpoint nor an AccountName"
    endpoint = urlsplit(blob_endpoint(connection_string))
    if endpoint.scheme not in ("http", "https") or not endpoint.hostname:
        return f"has BlobEndpoint {named.get('BLOBENDPOINT')!r}, not an http:// or https:// URL"
    try:
        endpoint.port  # noqa: B018  (urlsplit checks the port lazily)
    except ValueError:
        return "has a BlobEndpoint whose port is not a number from 1 to 65535"
    return None
