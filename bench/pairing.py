"""Pairing: 1,000 new starters against 5,000 experienced peers, globally optimal.

Two parts, on one throw-away PostgreSQL database:

1. The solver alone (no database): ``pairing.suggest`` on seeded random profiles (teams,
   interests, preferences, exclusions, line managers, previous partners, three organisations of
   which two share a network). Its total score is checked against scipy's
   ``linear_sum_assignment`` run directly on the raw score matrix (must be equal), and every
   pair against the rules. Time (best of three), peak traced memory (numpy included) and the
   first-come greedy total for comparison.
2. End to end: the same 6,000 people stored as accounts with staff records and profiles, and
   ``pairing_service.suggestions`` (load, spells in SQL, score, solve) timed for a peer lead.

    python bench/pairing.py        # BENCH_NEW (1000), BENCH_CANDIDATES (5000)
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import time
import tracemalloc
import uuid
from datetime import date, timedelta

import numpy as np
from _common import Result, Row, fresh_database
from scipy.optimize import linear_sum_assignment

from peerwork.pairing.optimiser import FORBIDDEN, Peer, Rules, score_matrix, suggest, total, why_not

NEW = int(os.environ.get("BENCH_NEW", "1000"))
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "5000"))
TARGET_SECONDS = 10.0
INTERESTS = ["art", "music", "walking", "gaming", "faith", "parenting", "football", "cooking", "poetry", "gardening",
             "lgbtq+", "neurodivergence", "recovery college", "hearing voices", "carers", "veterans"]
PREFERENCES = ["in_person", "online", "mornings", "afternoons", "evenings", "walk_and_talk"]
TEAMS = [f"team-{i}" for i in range(40)]
ORGS = ["org-a", "org-b", "org-c"]


def make_world(seed: int = 7) -> tuple[list[Peer], list[Peer], Rules]:
    rng = random.Random(seed)
    ids = [f"{uuid.UUID(int=rng.getrandbits(128))}" for _ in range(NEW + CANDIDATES)]
    new, experienced = [], []
    for n, person in enumerate(ids):
        org = rng.choices(ORGS, weights=[6, 3, 1])[0]
        peer = dict(id=person, organisation=org, team=f"{org}:{rng.choice(TEAMS)}",
                    interests=frozenset(rng.sample(INTERESTS, rng.randint(0, 4))),
                    preferences=frozenset(rng.sample(PREFERENCES, rng.randint(0, 2))),
                    exclusions=frozenset(rng.sample(ids, 1)) if rng.random() < 0.05 else frozenset(),
                    network_opt_in=rng.random() < 0.5,
                    line_manager=rng.choice(ids[NEW:]) if rng.random() < 0.3 else None)
        (new if n < NEW else experienced).append(Peer(**peer, capacity=1))
    previous = frozenset(frozenset((rng.choice(ids[:NEW]), rng.choice(ids[NEW:]))) for _ in range(NEW // 2))
    return new, experienced, Rules(previous_pairs=previous, networked=frozenset({frozenset(("org-a", "org-b"))}))


def greedy_total(scores: np.ndarray) -> int:
    """First come, first served: each new starter in turn takes their best free peer."""
    taken = np.zeros(scores.shape[1], dtype=bool)
    got = 0
    for row in scores:
        masked = np.where(taken, FORBIDDEN, row)
        j = int(masked.argmax())
        if masked[j] > 0:
            taken[j] = True
            got += int(masked[j])
    return got


def solver_part(result: Result) -> None:
    new, experienced, rules = make_world()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        found = suggest(new, experienced, rules)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    suggest(new, experienced, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    raw = score_matrix(sorted(new, key=lambda p: p.id), sorted(experienced, key=lambda p: p.id), rules)
    started = time.perf_counter()
    rows, cols = linear_sum_assignment(raw, maximize=True)
    raw_seconds = time.perf_counter() - started
    optimum = int(sum(raw[r, c] for r, c in zip(rows, cols) if raw[r, c] > 0))
    ours = total(found)
    by_id = {p.id: p for p in [*new, *experienced]}
    broken = sum(why_not(by_id[s.new_peer], by_id[s.experienced_peer], rules) is not None for s in found)
    greedy = greedy_total(raw)
    best = min(times)
    print(f"solver: {NEW} x {CANDIDATES}: {best:.2f} s best of 3 ({', '.join(f'{t:.2f}' for t in times)}); "
          f"raw linear_sum_assignment alone {raw_seconds:.2f} s")
    print(f"total score {ours} vs optimum on the raw matrix {optimum} ({'equal' if ours == optimum else 'DIFFERENT'});"
          f" greedy first-come total {greedy} ({ours - greedy:+d}); pairs {len(found)}; rules broken {broken}")
    print(f"peak traced memory {peak / 2**20:.0f} MiB; max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    result.rows += [
        Row("pairing: 1,000 x 5,000 solve", f"{best:.2f} s", f"{raw_seconds:.2f} s (scipy on raw matrix)",
            f"{best / raw_seconds:.1f}x", f"< {TARGET_SECONDS:.0f} s", best < TARGET_SECONDS),
        Row("pairing: total score = raw optimum", str(ours), str(optimum), "equal" if ours == optimum else "differ",
            "equal, 0 rules broken", ours == optimum and broken == 0),
        Row("pairing: peak memory", f"{peak / 2**20:.0f} MiB", "", "", "", None),
    ]
    result.notes.append(f"pairing: greedy first-come would total {greedy}, the optimum {ours}")


async def end_to_end_part(result: Result) -> None:
    """The same scale through the database: accounts, staff records, profiles, spells, solve."""
    from peerwork.pairing import service as pairing_service
    from peerwork.pairing.tables import PairingProfile
    from peerwork.core.access import system_principal
    from peerwork.workforce.organisations import create_organisation
    from peerwork.core.tables import Account, Membership, Person
    from peerwork.workforce.tables import Assignment, Team

    new, experienced, _ = make_world()
    org = await create_organisation("bench-pairing", "Bench Trust")
    today = date.today()
    rng = random.Random(11)
    teams = [Team(organisation=org.id, name=t) for t in TEAMS]
    await Team.insert(*teams)
    people, accounts, members, assignments, profiles = [], [], [], [], []
    for n, peer in enumerate([*new, *experienced]):
        person = Person(organisation=org.id, employee_number=f"B{n:05d}")
        account = Account(id=uuid.UUID(peer.id), email=f"b{n}@bench.example", display_name=f"Peer {n}", person=person.id)
        started = today - timedelta(days=rng.randint(10, 300) if n < NEW else rng.randint(400, 3000))
        people.append(person)
        accounts.append(account)
        members.append(Membership(account=account.id, organisation=org.id, role="psw"))
        assignments.append(Assignment(organisation=org.id, person=person.id, assignment_number=f"B{n:05d}-1",
                                      position_title="Peer Support Worker", lived_experience_role=True,
                                      team=teams[rng.randrange(len(teams))].id, start_date=started))
        profiles.append(PairingProfile(organisation=org.id, account=account.id, interests=sorted(peer.interests),
                                       preferences=sorted(peer.preferences), capacity=1))
    for table, rows in ((Person, people), (Account, accounts), (Membership, members), (Assignment, assignments),
                        (PairingProfile, profiles)):
        for i in range(0, len(rows), 1000):
            await table.insert(*rows[i:i + 1000])
    principal = system_principal(org.id, org.slug, org.name)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        found = await pairing_service.suggestions(principal)
        times.append(time.perf_counter() - started)
    best = min(times)
    print(f"end to end (PostgreSQL): {len(found.suggestions)} pairs for {NEW} new starters among {NEW + CANDIDATES} "
          f"people in {best:.2f} s best of 3")
    result.rows.append(Row("pairing: suggestions end to end", f"{best:.2f} s", "", "", f"< {TARGET_SECONDS * 2:.0f} s",
                           best < TARGET_SECONDS * 2))


async def main() -> None:
    result = Result("pairing")
    solver_part(result)
    async with fresh_database("pairing"):
        await end_to_end_part(result)
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
