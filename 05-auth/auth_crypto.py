"""A sensitive column encrypted at rest with Fernet, and key rotation with MultiFernet.

Fernet is authenticated encryption (AES-128-CBC with HMAC-SHA256): a changed byte makes
decryption fail rather than return garbage. The keys come from the environment
(`AUTH_DATA_KEYS`, comma-separated, newest first); rotation adds a new key in front,
re-encrypts every row with `MultiFernet.rotate`, and only then drops the old key.
"""

from __future__ import annotations

import os

from auth_config import SettingsError
from auth_store import User
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session


class MissingKey(SettingsError):
    """No data-encryption key is configured."""


def load_data_keys(environ: dict[str, str] | None = None) -> MultiFernet:
    """Return the keys from AUTH_DATA_KEYS (newest first) as one MultiFernet."""
    value = (os.environ if environ is None else environ).get("AUTH_DATA_KEYS", "")
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise MissingKey(
            "AUTH_DATA_KEYS is not set; make a key with: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(keys: MultiFernet, plaintext: str) -> str:
    """Encrypt with the newest key."""
    return keys.encrypt(plaintext.encode()).decode()


def decrypt(keys: MultiFernet, ciphertext: str) -> str:
    """Decrypt with whichever key made it; raise InvalidToken if it was changed."""
    return keys.decrypt(ciphertext.encode()).decode()


def rotate_totp_secrets(session: Session, keys: MultiFernet) -> int:
    """Re-encrypt every stored TOTP secret with the newest key; return how many."""
    count = 0
    for user in session.scalars(select(User).where(User.totp_secret.is_not(None))):
        user.totp_secret = keys.rotate(user.totp_secret.encode()).decode()
        count += 1
    session.commit()
    return count


__all__ = [
    "InvalidToken",
    "MissingKey",
    "decrypt",
    "encrypt",
    "load_data_keys",
    "rotate_totp_secrets",
]
