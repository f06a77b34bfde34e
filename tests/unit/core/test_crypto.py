"""Secrets at rest: readable back with the key, useless without it, bound to their purpose."""

from __future__ import annotations

import base64
import secrets

import pytest

from peerwork.core import crypto
from peerwork.core.settings import SettingsError, current_settings, use_settings


def key(kid: str) -> str:
    return f"{kid}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@pytest.fixture
def keys():
    original = current_settings()
    first, second = key("a1"), key("b2")
    use_settings(original.with_overrides(encryption_keys=(first,)))
    yield first, second, original
    use_settings(original)


def test_round_trip_and_nothing_readable_in_the_stored_value(keys):
    sealed = crypto.encrypt("JBSWY3DPEHPK3PXP", purpose="totp")
    assert sealed.startswith("v1.a1.") and "JBSWY3DPEHPK3PXP" not in sealed
    assert crypto.decrypt(sealed, purpose="totp") == "JBSWY3DPEHPK3PXP"
    assert crypto.encrypt("same", purpose="totp") != crypto.encrypt("same", purpose="totp")  # fresh nonce


def test_another_purpose_a_tampered_value_or_a_missing_key_does_not_decrypt(keys):
    first, second, original = keys
    sealed = crypto.encrypt("secret", purpose="totp")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, purpose="sso-client-secret")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1], purpose="totp")
    use_settings(original.with_overrides(encryption_keys=(second,)))
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(sealed, purpose="totp")


def test_keys_rotate_new_values_use_the_first_old_ones_still_open(keys):
    first, second, original = keys
    old = crypto.encrypt("kept", purpose="totp")
    use_settings(original.with_overrides(encryption_keys=(second, first)))
    assert crypto.decrypt(old, purpose="totp") == "kept"
    assert crypto.encrypt("new", purpose="totp").startswith("v1.b2.")


def test_a_malformed_key_is_a_clear_settings_error():
    with pytest.raises(SettingsError, match="kid:base64 of 32 random bytes"):
        crypto.parse_keys(("k1:tooshort",))


def test_a_key_file_is_made_once_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "var" / "peerwork.key"
    made = crypto._key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert crypto._key_file(path) == made and len(crypto.parse_keys(made)) == 1
