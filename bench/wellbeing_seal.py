"""Sealing a wellness plan: what envelope encryption costs a save and a read.

Ours is ``core.crypto.seal`` then ``open_sealed`` of a realistic plan (the JSON of its five
parts, about 2 KB): a fresh data key, the text sealed under it, the data key wrapped by the
master key, both bound to the owner, row and field; then both unwrapped and checked. The floor
is the ``cryptography`` library alone, outside peerwork: one AES-256-GCM encrypt and decrypt of
the same bytes under one fixed key (what any encryption at rest must pay at least). Rounds
alternate; each is the mean time per value over a batch. Issue 17 sets no speed target: this
says what the privacy costs (two AES-GCM operations each way instead of one, a fresh key, and
the text form a text column needs), so a change that makes it much dearer shows.

    python bench/wellbeing_seal.py        # BENCH_VALUES (2000) per round, BENCH_ROUNDS (7)
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import time
import uuid

from _common import Result, Row, busy_note, others_busy
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VALUES = int(os.environ.get("BENCH_VALUES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))

PLAN = json.dumps({
    "keeps_me_well": "Walking before work, time with my dog, a regular bedtime. " * 6,
    "early_signs": "Not sleeping, skipping lunch, avoiding the team chat. " * 6,
    "what_helps": "A quiet room for ten minutes, talking it through with a peer. " * 6,
    "colleagues": "Ask me how I am in private, not in the team meeting. " * 6,
    "contacts": "My supervisor; my GP surgery; my sister on 07700 900123. " * 3,
})


def ours(count: int) -> float:
    from peerwork.core import crypto

    owner, row = uuid.uuid4(), uuid.uuid4()
    associated = f"wellbeing\x00{owner}\x00{row}\x00plan"
    started = time.perf_counter()
    for _ in range(count):
        sealed = crypto.seal(PLAN, associated=associated)
        if crypto.open_sealed(sealed, associated=associated) != PLAN:
            raise SystemExit("a sealed plan did not open to the same words")
    return (time.perf_counter() - started) / count


def floor(count: int) -> float:
    key, data, associated = AESGCM.generate_key(bit_length=256), PLAN.encode(), b"plan"
    cipher = AESGCM(key)
    started = time.perf_counter()
    for _ in range(count):
        nonce = secrets.token_bytes(12)
        if cipher.decrypt(nonce, cipher.encrypt(nonce, data, associated), associated) != data:
            raise SystemExit("the floor did not decrypt to the same bytes")
    return (time.perf_counter() - started) / count


def main() -> None:
    os.environ.setdefault("PEERWORK_ENCRYPTION_KEYS", "k1:" + secrets.token_urlsafe(32))  # 32 random bytes
    ours(50), floor(50)  # load the library and the keys before timing
    before = others_busy()
    ours_times, floor_times = [], []
    for _ in range(ROUNDS):
        ours_times.append(ours(VALUES))
        floor_times.append(floor(VALUES))
    after = others_busy()
    ratios = [a / b for a, b in zip(ours_times, floor_times, strict=True)]
    ratio = statistics.median(ratios)
    result = Result("wellbeing_seal")
    result.rows.append(Row(
        f"seal + open a {len(PLAN):,}-byte plan", f"{statistics.median(ours_times) * 1e6:.1f} µs",
        f"{statistics.median(floor_times) * 1e6:.1f} µs (AES-GCM alone)",
        f"{ratio:.2f}x ({min(ratios):.2f}–{max(ratios):.2f})", "none", None))
    note = busy_note("wellbeing_seal", before, after)
    if note:
        result.notes.append(note)
    result.emit()


if __name__ == "__main__":
    main()
