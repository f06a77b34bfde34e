"""Encryption at rest for the few secrets peerwork must be able to read back (TOTP secrets,
SSO client secrets), with keys that are not in the database: a copy of the database alone
does not reveal them.

AES-256-GCM (``cryptography``), a fresh 96-bit nonce per value, and the value's purpose as
associated data, so a ciphertext moved to another column does not decrypt. Each value names
the key it was made with (``v1.<kid>.<data>``), so keys can rotate: new values use the first
key, old ones are read with theirs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from peerwork.core.lazy import deferred
from peerwork.core.settings import SettingsError, current_settings

# Loaded by the first value sealed or opened, not at start-up.
aead = deferred("cryptography.hazmat.primitives.ciphers.aead")
cryptography_exceptions = deferred("cryptography.exceptions")

VERSION = "v1"


class DecryptionFailed(ValueError):
    """A value that no configured key opens (wrong key, tampered, or moved to another purpose)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keys(entries: tuple[str, ...]) -> dict[str, bytes]:
    """``kid:base64`` entries into {kid: 32-byte key}, in order (the first is current)."""
    keys: dict[str, bytes] = {}
    for entry in entries:
        kid, _, encoded = entry.partition(":")
        try:
            key = _unb64(encoded.strip())
        except (binascii.Error, ValueError):
            key = b""
        if not kid.strip().isalnum() or len(key) != 32:
            raise SettingsError("PEERWORK_ENCRYPTION_KEYS: each entry is kid:base64 of 32 random bytes "
                                "(e.g. k1:" + _b64(secrets.token_bytes(32)) + ").")
        keys[kid.strip()] = key
    return keys


def _key_file(path: Path) -> tuple[str, ...]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by this user only; a local instance's key, never the database's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"k1:{_b64(secrets.token_bytes(32))}\n")
    return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())


@lru_cache(maxsize=4)
def _keys(entries: tuple[str, ...], key_file: str) -> tuple[str, dict[str, bytes]]:
    keys = parse_keys(entries or _key_file(Path(key_file)))
    if not keys:
        raise SettingsError(f"{key_file} holds no encryption key.")
    return next(iter(keys)), keys


def _current() -> tuple[str, dict[str, bytes]]:
    settings = current_settings()
    return _keys(settings.encryption_keys, settings.encryption_key_file)


def encrypt(plaintext: str, *, purpose: str) -> str:
    kid, keys = _current()
    nonce = secrets.token_bytes(12)
    sealed = aead.AESGCM(keys[kid]).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{VERSION}.{kid}.{_b64(nonce + sealed)}"


def decrypt(value: str, *, purpose: str) -> str:
    _, keys = _current()
    try:
        version, kid, data = value.split(".", 2)
        raw = _unb64(data)
        if version != VERSION or kid not in keys or len(raw) < 13:
            raise DecryptionFailed("no configured key opens this value")
        return aead.AESGCM(keys[kid]).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except (ValueError, cryptography_exceptions.InvalidTag, binascii.Error) as exc:
        raise DecryptionFailed("no configured key opens this value") from exc


def keyed_digests(message: str, *, purpose: str) -> list[str]:
    """HMAC-SHA256 of ``message`` under each configured key (the current key's first), with
    the purpose mixed in: a stable pseudonym that nobody holding only the database can
    recompute from a name. Every key's is given so a pseudonym made before a key rotation is
    still recognised while the old key is configured."""
    _, keys = _current()
    data = f"{purpose}\x00{message}".encode()
    return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in keys.values()]


# --- envelope encryption: a fresh data key per value, wrapped by the master key --------------
# For longer personal text (wellness plans): each value is sealed with AES-256-GCM under its own
# random data key, and only that data key is encrypted ("wrapped") with the configured master
# key. The value records the master key's id, so keys rotate (old values still open while their
# key is configured, and ``rewrap_sealed`` moves one to the current key without touching its
# text). Both layers take the caller's associated data (e.g. owner, row and field), so a sealed
# value copied to another row, owner or field does not open.

ENVELOPE = "e1"


def seal(plaintext: str, *, associated: str) -> str:
    """``plaintext`` sealed under a new data key: ``e1.<kid>.<wrapped key>.<sealed text>``."""
    kid, keys = _current()
    data_key = aead.AESGCM.generate_key(bit_length=256)
    return f"{ENVELOPE}.{kid}.{_wrap(keys[kid], data_key, associated)}.{_aead(data_key, plaintext.encode(), associated)}"


def open_sealed(value: str, *, associated: str) -> str:
    """The text of a :func:`seal` value; DecryptionFailed for a wrong key, tampering or a value
    moved away from the associated data it was sealed with."""
    data_key, sealed = _unwrapped(value, associated)
    try:
        return _unaead(data_key, sealed, associated.encode()).decode()
    except (ValueError, cryptography_exceptions.InvalidTag, binascii.Error) as exc:
        raise DecryptionFailed("no configured key opens this value") from exc


def sealed_key_id(value: str) -> str:
    """The id of the master key a sealed value's data key is wrapped with."""
    return value.split(".", 2)[1]


def rewrap_sealed(value: str, *, associated: str) -> str:
    """The same sealed text with its data key wrapped by the current master key (key rotation:
    the text itself is not decrypted or re-encrypted)."""
    data_key, sealed = _unwrapped(value, associated)
    kid, keys = _current()
    return f"{ENVELOPE}.{kid}.{_wrap(keys[kid], data_key, associated)}.{sealed}"


def _unwrapped(value: str, associated: str) -> tuple[bytes, str]:
    """A sealed value's data key, unwrapped with the master key it names, and its sealed text."""
    _, keys = _current()
    try:
        version, kid, wrapped, sealed = value.split(".", 3)
        if version != ENVELOPE or kid not in keys:
            raise DecryptionFailed("no configured key opens this value")
        return _unaead(keys[kid], wrapped, _wrap_aad(associated)), sealed
    except (ValueError, cryptography_exceptions.InvalidTag, binascii.Error) as exc:
        raise DecryptionFailed("no configured key opens this value") from exc


def _wrap_aad(associated: str) -> bytes:
    return f"data-key\x00{associated}".encode()


def _wrap(master: bytes, data_key: bytes, associated: str) -> str:
    nonce = secrets.token_bytes(12)
    return _b64(nonce + aead.AESGCM(master).encrypt(nonce, data_key, _wrap_aad(associated)))


def _aead(key: bytes, plaintext: bytes, associated: str) -> str:
    nonce = secrets.token_bytes(12)
    return _b64(nonce + aead.AESGCM(key).encrypt(nonce, plaintext, associated.encode()))


def _unaead(key: bytes, data: str, associated: bytes) -> bytes:
    raw = _unb64(data)
    if len(raw) < 13:
        raise ValueError("too short")
    return aead.AESGCM(key).decrypt(raw[:12], raw[12:], associated)
