"""Equality in retention: lived-experience retention split by the NHS equality standards'
groups (WRES ethnicity: white / BME / not stated; WDES disability: disabled / not disabled /
not stated), in aggregate only.

The groups come from the optional ethnicity and disability columns of the assignments import
(workforce.equality has the mapping). They are special-category data: only ``equality:read``
(admin, HR) may see this, every read is audited (which fields, never their values), the
figures follow the small-number rule of retention.split (a group under 5 people reads "<5"
and its rates are withheld), and no person-level row ever leaves this module. A person the
import never described counts as not stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Person
from peerwork.retention.query import fetch_spells
from peerwork.retention.service import check_as_of
from peerwork.retention.split import Observations, Split, split
from peerwork.workforce.equality import DISABILITY_GROUPS, ETHNICITY_GROUPS, GROUP_LABELS, NOT_STATED
from peerwork.core.lazy import deferred

np = deferred("numpy")  # loaded by the first figure, not at start-up

CHARACTERISTICS = {
    "ethnicity": ("Ethnicity (WRES groups)", ETHNICITY_GROUPS),
    "disability": ("Disability (WDES groups)", DISABILITY_GROUPS),
}


@dataclass(frozen=True)
class EqualityRetention:
    as_of: date
    spells: int
    described: int  # people with at least one equality value imported
    splits: tuple[Split, ...]


async def retention_by_equality(principal: Principal, as_of: date | None = None) -> EqualityRetention:
    """Kaplan–Meier retention at 1, 2 and 3 years and cohort rates per ethnicity group and per
    disability group (own organisation; admin and HR; audited)."""
    principal.require("equality:read")
    as_of = check_as_of(as_of)
    spells = await fetch_spells(principal.organisation_id, as_of)
    stored = {
        str(r["id"]): r for r in await Person.select(Person.id, Person.ethnicity, Person.disability).where(
            Person.organisation == principal.organisation_id)
    }
    await audit.record(principal, "read", "person", None, fields=list(CHARACTERISTICS),
                       purpose="equality monitoring: retention by group")
    observations = Observations(
        duration=np.fromiter((s.duration_days for s in spells), dtype=np.int64, count=len(spells)),
        left=np.fromiter((s.left for s in spells), dtype=bool, count=len(spells)),
        start=np.fromiter((s.start.toordinal() for s in spells), dtype=np.int64, count=len(spells)),
        person=[s.person for s in spells],
    )
    splits = []
    for column, (label, groups) in CHARACTERISTICS.items():
        group_of = [(stored.get(s.person) or {}).get(column) or NOT_STATED for s in spells]
        splits.append(split(observations, group_of, [(g, GROUP_LABELS[g]) for g in groups], as_of,
                            key=column, label=label))
    described = sum(1 for r in stored.values() if r["ethnicity"] is not None or r["disability"] is not None)
    return EqualityRetention(as_of, len(spells), described, tuple(splits))
