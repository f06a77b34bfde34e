"""Reference figures: what a network's (or an organisation's) figures are read against.

They are data, not code: the national defaults (``network`` None) are written on first use,
each key once, and never overwritten afterwards; a network's admins may set their own value
and source for a key, which then replaces the default for that network only.
"""

from __future__ import annotations

from uuid import UUID

from msgspec import Struct

from peerwork.networks.tables import ReferenceFigure as ReferenceRow
from peerwork.core.time import now

SURVEY_SOURCE = ("National survey of peer support work in NHS trusts: the share of trusts that did not "
                 "provide this support to their peer support workers.")
REFERENCE_TRUST_SOURCE = ("A reference NHS trust's retention of peer support workers (Kaplan-Meier, share "
                          "still in post), as published by that trust.")

# (key, label, value, source): the survey's share of trusts NOT providing each of the seven
# supports (keys as peerwork.supports.service.SUPPORTS), and the reference trust's retention.
DEFAULTS: tuple[tuple[str, str, float, str], ...] = (
    ("survey:role_training", "Trusts not providing role training", 0.89, SURVEY_SOURCE),
    ("survey:group_supervision", "Trusts not providing group peer supervision", 0.89, SURVEY_SOURCE),
    ("survey:one_to_one_supervision", "Trusts not providing 1:1 peer supervision", 0.86, SURVEY_SOURCE),
    ("survey:peer_leadership", "Trusts not providing specialist peer leadership", 0.79, SURVEY_SOURCE),
    ("survey:manager_support", "Trusts not providing support for managers", 0.79, SURVEY_SOURCE),
    ("survey:role_resources", "Trusts not providing written role resources", 0.75, SURVEY_SOURCE),
    ("survey:ongoing_cpd", "Trusts not providing ongoing CPD", 0.57, SURVEY_SOURCE),
    ("reference_trust:retention_1y", "Reference trust: retained at 1 year", 0.98, REFERENCE_TRUST_SOURCE),
    ("reference_trust:retention_2y", "Reference trust: retained at 2 years", 0.88, REFERENCE_TRUST_SOURCE),
    ("reference_trust:retention_3y", "Reference trust: retained at 3 years", 0.81, REFERENCE_TRUST_SOURCE),
)
KEYS = tuple(key for key, *_ in DEFAULTS)
NATIONAL = "national"


class ReferenceFigure(Struct):
    """A national survey's or a reference trust's figure, kept as data with its source."""

    key: str
    label: str
    value: float  # a share 0..1
    source: str


def scope_key(network_id: UUID | None, key: str) -> str:
    return f"{network_id or NATIONAL}:{key}"


async def ensure_defaults() -> None:
    """Write any national default not there yet (idempotent, safe when run twice at once)."""
    have = set(await ReferenceRow.select(ReferenceRow.key).where(ReferenceRow.network.is_null()).output(as_list=True))
    missing = [ReferenceRow(scope_key=scope_key(None, key), key=key, label=label, value=value, source=source)
               for key, label, value, source in DEFAULTS if key not in have]
    if missing:
        await ReferenceRow.insert(*missing).on_conflict(target=ReferenceRow.scope_key, action="DO NOTHING")


async def references(network_id: UUID | None = None) -> list[ReferenceFigure]:
    """The reference figures in the order of DEFAULTS: the national ones, each replaced by the
    network's own where it set one."""
    await ensure_defaults()
    rows = await ReferenceRow.select(ReferenceRow.key, ReferenceRow.network, ReferenceRow.label, ReferenceRow.value,
                                     ReferenceRow.source).where(
        ReferenceRow.network.is_null() if network_id is None
        else (ReferenceRow.network.is_null() | (ReferenceRow.network == network_id)))
    chosen: dict[str, dict] = {}
    for row in rows:
        if row["key"] not in chosen or row["network"] is not None:
            chosen[row["key"]] = row
    return [ReferenceFigure(key=key, label=chosen[key]["label"], value=float(chosen[key]["value"]),
                            source=chosen[key]["source"]) for key in KEYS if key in chosen]


async def set_reference(network_id: UUID, key: str, value: float, source: str, label: str | None,
                        account_id: UUID | None) -> ReferenceFigure:
    """The network's own value (and source) for ``key``; the caller checks rights, validates and audits."""
    await ensure_defaults()
    current = {r.key: r for r in await references(network_id)}[key]
    existing = await ReferenceRow.objects().where(ReferenceRow.scope_key == scope_key(network_id, key)).first()
    row = existing or ReferenceRow(scope_key=scope_key(network_id, key), key=key, network=network_id)
    row.label = label or current.label
    row.value = value
    row.source = source
    row.updated_by = account_id
    row.updated_at = now()
    await row.save()
    return ReferenceFigure(key=key, label=row.label, value=value, source=source)
