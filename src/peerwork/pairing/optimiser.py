"""Pairing scores and the global optimisation over them (pure: no database).

Every feasible pair scores a base plus parts (same team, same organisation, shared interests,
matching preferences), all whole numbers so totals compare exactly. Infeasible pairs (either
person excluded the other, one line-manages the other, they were paired before, or they are in
different organisations without both having opted into the network) can never be chosen.

The best overall set of pairs is a maximum-weight matching, solved as an assignment problem by
scipy's ``linear_sum_assignment``: each new peer gets one column per free place of each
candidate, plus a column of their own worth 0 ("no pair this time"), so an infeasible pair is
never forced. Inputs are sorted by id first, so equal inputs give equal output in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# NumPy and SciPy are imported where they are used, not here: serving starts without them, and
# only the first pairing suggestion pays for loading them (cached by Python after that).

BASE = 10
SAME_TEAM = 30
SAME_ORGANISATION = 10
PER_SHARED_INTEREST, MAX_INTERESTS = 10, 30
PER_MATCHING_PREFERENCE, MAX_PREFERENCES = 10, 20
# Lower than any total of feasible pairs could make up for.
FORBIDDEN = -1_000_000_000


@dataclass(frozen=True)
class Peer:
    id: str
    organisation: str
    team: str | None = None
    interests: frozenset[str] = frozenset()
    preferences: frozenset[str] = frozenset()
    exclusions: frozenset[str] = frozenset()
    network_opt_in: bool = False
    line_manager: str | None = None
    capacity: int = 1  # free places (candidates only)


@dataclass(frozen=True)
class Rules:
    """Facts about pairs of people that come from outside their profiles."""

    previous_pairs: frozenset[frozenset[str]] = frozenset()
    # Organisations that share a network, as unordered pairs.
    networked: frozenset[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class Suggestion:
    new_peer: str
    experienced_peer: str
    score: int
    parts: dict[str, int] = field(hash=False)


def why_not(a: Peer, b: Peer, rules: Rules) -> str | None:
    """Why these two may never be paired, or None if they may."""
    if a.id == b.id:
        return "the same person"
    if b.id in a.exclusions or a.id in b.exclusions:
        return "excluded"
    if a.line_manager == b.id or b.line_manager == a.id:
        return "line manager"
    if frozenset((a.id, b.id)) in rules.previous_pairs:
        return "paired before"
    if a.organisation != b.organisation and not (
        a.network_opt_in and b.network_opt_in and frozenset((a.organisation, b.organisation)) in rules.networked
    ):
        return "different organisations"
    return None


def score_parts(a: Peer, b: Peer) -> dict[str, int]:
    """The score of a feasible pair, part by part (check :func:`why_not` first)."""
    return {
        "base": BASE,
        "same_team": SAME_TEAM if a.team is not None and a.team == b.team else 0,
        "same_organisation": SAME_ORGANISATION if a.organisation == b.organisation else 0,
        "shared_interests": min(MAX_INTERESTS, PER_SHARED_INTEREST * len(a.interests & b.interests)),
        "matching_preferences": min(MAX_PREFERENCES, PER_MATCHING_PREFERENCE * len(a.preferences & b.preferences)),
    }


def score(a: Peer, b: Peer, rules: Rules) -> int:
    return FORBIDDEN if why_not(a, b, rules) else sum(score_parts(a, b).values())


def _indicator(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
    import numpy as np

    matrix = np.zeros((len(sets), max(1, len(vocabulary))), dtype=np.int32)
    for row, tags in enumerate(sets):
        for tag in tags:
            matrix[row, vocabulary[tag]] = 1
    return matrix


def score_matrix(new: Sequence[Peer], experienced: Sequence[Peer], rules: Rules) -> np.ndarray:
    """Scores of every new × experienced pair (int64), FORBIDDEN where they may not pair.
    Vectorised; equal, element by element, to :func:`score`."""
    import numpy as np

    n, m = len(new), len(experienced)
    if not n or not m:
        return np.zeros((n, m), dtype=np.int64)
    interests = {t: i for i, t in enumerate(sorted({t for p in [*new, *experienced] for t in p.interests}))}
    preferences = {t: i for i, t in enumerate(sorted({t for p in [*new, *experienced] for t in p.preferences}))}
    shared = _indicator([p.interests for p in new], interests) @ _indicator([p.interests for p in experienced], interests).T
    matching = (_indicator([p.preferences for p in new], preferences)
                @ _indicator([p.preferences for p in experienced], preferences).T)

    codes: dict[str | None, int] = {None: -1}
    def code(value: str | None) -> int:
        return codes.setdefault(value, len(codes))

    team_new = np.array([code(p.team) for p in new])[:, None]
    team_exp = np.array([code(p.team) for p in experienced])[None, :]
    org_new = np.array([code("org:" + p.organisation) for p in new])[:, None]
    org_exp = np.array([code("org:" + p.organisation) for p in experienced])[None, :]
    same_org = org_new == org_exp

    total = (BASE + np.where((team_new == team_exp) & (team_new != -1), SAME_TEAM, 0)
             + np.where(same_org, SAME_ORGANISATION, 0)
             + np.minimum(MAX_INTERESTS, PER_SHARED_INTEREST * shared)
             + np.minimum(MAX_PREFERENCES, PER_MATCHING_PREFERENCE * matching)).astype(np.int64)

    # Across organisations only where both opted in and their organisations share a network.
    opted_new = np.array([p.network_opt_in for p in new])[:, None]
    opted_exp = np.array([p.network_opt_in for p in experienced])[None, :]
    allowed_orgs = np.zeros((len(codes) + 1, len(codes) + 1), dtype=bool)
    for pair in rules.networked:
        if len(pair) == 2:
            a, b = (codes.get("org:" + o) for o in pair)
            if a is not None and b is not None:
                allowed_orgs[a, b] = allowed_orgs[b, a] = True
    networked = allowed_orgs[org_new, org_exp] & opted_new & opted_exp
    total[~same_org & ~networked] = FORBIDDEN

    # The sparse rules: exclusions, line management, previous pairs, the same person.
    where_new = {p.id: i for i, p in enumerate(new)}
    where_exp: dict[str, list[int]] = {}
    for j, p in enumerate(experienced):
        where_exp.setdefault(p.id, []).append(j)
    def forbid(a: str | None, b: str | None) -> None:
        if a in where_new and b in where_exp:
            total[where_new[a], where_exp[b]] = FORBIDDEN
    for p in new:
        forbid(p.id, p.id)
        forbid(p.id, p.line_manager)
        for other in p.exclusions:
            forbid(p.id, other)
    for p in experienced:
        forbid(p.line_manager, p.id)
        for other in p.exclusions:
            forbid(other, p.id)
    for pair in rules.previous_pairs:
        if len(pair) == 2:
            a, b = tuple(pair)
            forbid(a, b)
            forbid(b, a)
    return total


def best_assignment(scores: np.ndarray, capacities: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """The (row, column) pairs of a maximum-total matching: each row at most once, each
    column at most ``capacities[j]`` times, never a FORBIDDEN cell."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    n, m = scores.shape
    capacities = [1] * m if capacities is None else list(capacities)
    if n == 0 or m == 0:
        return []
    slots = np.repeat(np.arange(m), [max(0, c) for c in capacities])
    # Each row's own "unpaired" column is worth 0; the other rows' are never worth taking.
    unpaired = np.full((n, n), FORBIDDEN, dtype=np.int64)
    np.fill_diagonal(unpaired, 0)
    expanded = np.concatenate([scores[:, slots], unpaired], axis=1)
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    chosen = []
    for r, c in zip(rows.tolist(), cols.tolist()):
        if c < len(slots) and expanded[r, c] > 0:
            chosen.append((r, int(slots[c])))
    return chosen


def suggest(new: Iterable[Peer], experienced: Iterable[Peer], rules: Rules = Rules()) -> list[Suggestion]:
    """The best overall set of pairs, each with its score parts, ordered by new peer's id."""
    new = sorted(new, key=lambda p: p.id)
    experienced = sorted(experienced, key=lambda p: p.id)
    scores = score_matrix(new, experienced, rules)
    chosen = best_assignment(scores, [p.capacity for p in experienced])
    return [
        Suggestion(new[i].id, experienced[j].id, int(scores[i, j]), score_parts(new[i], experienced[j]))
        for i, j in sorted(chosen)
    ]


def total(suggestions: Iterable[Suggestion]) -> int:
    return sum(s.score for s in suggestions)
