"""Envelope encryption of wellbeing text: a fresh data key per value wrapped by the master key,
bound to its owner, row and field, and readable across a key rotation."""

from __future__ import annotations

import base64
import secrets

import pytest

from peerwork.core import crypto
from peerwork.core.settings import current_settings, use_settings

AAD = "wellbeing:owner-1:doc-1:plan"


def key(kid: str) -> str:
    return f"{kid}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@pytest.fixture
def keys():
    original = current_settings()
    first, second = key("w1"), key("w2")
    use_settings(original.with_overrides(encryption_keys=(first,)))
    yield first, second, original
    use_settings(original)


def test_round_trip_with_a_fresh_data_key_each_time(keys):
    sealed = crypto.seal("Walking by the river keeps me well", associated=AAD)
    assert sealed.startswith("e1.w1.") and "river" not in sealed
    assert crypto.sealed_key_id(sealed) == "w1"
    assert crypto.open_sealed(sealed, associated=AAD) == "Walking by the river keeps me well"
    again = crypto.seal("Walking by the river keeps me well", associated=AAD)
    assert again.split(".")[2] != sealed.split(".")[2]  # another data key (and nonce)
    assert crypto.open_sealed(crypto.seal("", associated=AAD), associated=AAD) == ""


@pytest.mark.parametrize("other", ["wellbeing:owner-2:doc-1:plan", "wellbeing:owner-1:doc-2:plan",
                                   "wellbeing:owner-1:doc-1:passport"])
def test_another_owner_row_or_field_does_not_open(keys, other):
    sealed = crypto.seal("private", associated=AAD)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(sealed, associated=other)


def test_a_tampered_value_or_a_swapped_data_key_does_not_open(keys):
    sealed = crypto.seal("private", associated=AAD)
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(tampered, associated=AAD)
    other = crypto.seal("another", associated=AAD)
    version, kid, _, text = sealed.split(".")
    swapped = ".".join([version, kid, other.split(".")[2], text])
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(swapped, associated=AAD)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed("e1.w1.bad", associated=AAD)


def test_key_rotation_reads_old_values_and_rewraps_them(keys):
    first, second, original = keys
    old = crypto.seal("kept", associated=AAD)
    use_settings(original.with_overrides(encryption_keys=(second, first)))
    assert crypto.open_sealed(old, associated=AAD) == "kept"
    assert crypto.sealed_key_id(crypto.seal("new", associated=AAD)) == "w2"
    moved = crypto.rewrap_sealed(old, associated=AAD)
    assert crypto.sealed_key_id(moved) == "w2" and moved.split(".")[3] == old.split(".")[3]
    use_settings(original.with_overrides(encryption_keys=(second,)))
    assert crypto.open_sealed(moved, associated=AAD) == "kept"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(old, associated=AAD)  # its key is gone
