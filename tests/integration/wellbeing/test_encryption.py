"""Stored plans are sealed per value and bound to their owner and row: the database holds the
key id and ciphertext only, a sealed value moved to someone else's row does not open, and a
master key rotation still reads what was saved before it."""

from __future__ import annotations

import base64
import secrets

import pytest

from peerwork.core import crypto
from peerwork.core.settings import current_settings, use_settings
from peerwork.wellbeing import documents
from peerwork.wellbeing.schemas import PassportIn, PlanIn
from peerwork.wellbeing.tables import WellbeingDocument
from tests.factories import make_org, make_user


def key(kid: str) -> str:
    return f"{kid}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@pytest.fixture
def rotation():
    original = current_settings()
    old, new = key("old1"), key("new2")
    use_settings(original.with_overrides(encryption_keys=(old,)))
    yield original, old, new
    use_settings(original)


async def test_a_rotation_reads_old_values_and_new_saves_use_the_new_key(rotation):
    original, old, new = rotation
    org = await make_org()
    psw = await make_user(org, "psw")
    saved = await documents.save(psw.principal, "plan", PlanIn(what_helps="Tea and a walk"))
    row = await WellbeingDocument.select(WellbeingDocument.sealed, WellbeingDocument.key_id).first()
    assert row["key_id"] == "old1" and "Tea" not in row["sealed"]

    use_settings(original.with_overrides(encryption_keys=(new, old)))
    assert (await documents.mine(psw.principal, "plan")).text["what_helps"] == "Tea and a walk"
    await documents.save(psw.principal, "plan", PlanIn(what_helps="Tea, a walk, music"))
    assert (await WellbeingDocument.select(WellbeingDocument.key_id).first())["key_id"] == "new2"
    use_settings(original.with_overrides(encryption_keys=(new,)))
    assert (await documents.read(psw.principal, saved.id)).text["what_helps"] == "Tea, a walk, music"


async def test_a_sealed_value_moved_to_another_row_does_not_open():
    org = await make_org()
    owner, other = await make_user(org, "psw"), await make_user(org, "psw", email="other@north.example")
    await documents.save(owner.principal, "plan", PlanIn(what_helps="Only mine"))
    await documents.save(owner.principal, "passport", PassportIn(adjustments="Mine too"))
    await documents.save(other.principal, "plan", PlanIn(what_helps="Theirs"))
    mine = await WellbeingDocument.select(WellbeingDocument.sealed).where(
        WellbeingDocument.slot == f"{owner.principal.account_id}:plan").first()
    for slot in (f"{other.principal.account_id}:plan", f"{owner.principal.account_id}:passport"):
        await WellbeingDocument.update({WellbeingDocument.sealed: mine["sealed"]}).where(WellbeingDocument.slot == slot)
    with pytest.raises(crypto.DecryptionFailed):
        await documents.mine(other.principal, "plan")
    with pytest.raises(crypto.DecryptionFailed):
        await documents.mine(owner.principal, "passport")
    assert (await documents.mine(owner.principal, "plan")).text["what_helps"] == "Only mine"
