"""Pairing: the solver's set of pairs is the best possible, and never breaks a rule."""

import itertools
import random

import numpy as np
import pytest

from peerwork.pairing.optimiser import (
    FORBIDDEN,
    Peer,
    Rules,
    best_assignment,
    score,
    score_matrix,
    suggest,
    total,
    why_not,
)

TAGS = ["art", "music", "walking", "gaming", "faith", "parenting"]
PREFS = ["in_person", "online", "mornings", "evenings"]


def random_world(rng: random.Random, n_new: int, n_exp: int):
    orgs = ["o1", "o2", "o3"]
    people = []
    for i in range(n_new + n_exp):
        people.append(dict(id=f"p{i:02d}", organisation=rng.choice(orgs), team=rng.choice([None, "t1", "t2"]),
                           interests=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
                           preferences=frozenset(rng.sample(PREFS, rng.randint(0, 2))),
                           network_opt_in=rng.random() < 0.6))
    ids = [p["id"] for p in people]
    for p in people:
        p["exclusions"] = frozenset(rng.sample(ids, rng.randint(0, 2)))
        p["line_manager"] = rng.choice([None, None, *ids])
    new = [Peer(**p) for p in people[:n_new]]
    experienced = [Peer(**p, capacity=rng.randint(1, 2)) for p in people[n_new:]]
    previous = frozenset(frozenset((rng.choice(ids[:n_new]), rng.choice(ids[n_new:]))) for _ in range(2))
    rules = Rules(previous_pairs=previous, networked=frozenset({frozenset(("o1", "o2"))}))
    return new, experienced, rules


def brute_force_best(new, experienced, rules) -> int:
    """Try every way of giving each new peer one experienced peer or nobody."""
    best = 0
    options = [None, *range(len(experienced))]
    for choice in itertools.product(options, repeat=len(new)):
        used: dict[int, int] = {}
        value, ok = 0, True
        for i, j in enumerate(choice):
            if j is None:
                continue
            used[j] = used.get(j, 0) + 1
            s = score(new[i], experienced[j], rules)
            if used[j] > experienced[j].capacity or s == FORBIDDEN:
                ok = False
                break
            value += s
        if ok:
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_suggested_pairs_score_the_brute_force_optimum(seed):
    rng = random.Random(seed)
    new, experienced, rules = random_world(rng, rng.randint(1, 5), rng.randint(1, 4))
    found = suggest(new, experienced, rules)
    assert total(found) == brute_force_best(new, experienced, rules)


@pytest.mark.parametrize("seed", range(40))
def test_no_suggestion_ever_breaks_a_rule_or_a_capacity(seed):
    rng = random.Random(1000 + seed)
    new, experienced, rules = random_world(rng, 6, 5)
    by_id = {p.id: p for p in [*new, *experienced]}
    found = suggest(new, experienced, rules)
    assert len({s.new_peer for s in found}) == len(found)
    for s in found:
        a, b = by_id[s.new_peer], by_id[s.experienced_peer]
        assert why_not(a, b, rules) is None
        assert b.id not in a.exclusions and a.id not in b.exclusions
        assert a.line_manager != b.id and b.line_manager != a.id
        assert frozenset((a.id, b.id)) not in rules.previous_pairs
        assert s.score == sum(s.parts.values())
    for b in experienced:
        assert sum(s.experienced_peer == b.id for s in found) <= b.capacity


@pytest.mark.parametrize("seed", range(10))
def test_equal_inputs_give_equal_output_in_any_order(seed):
    rng = random.Random(seed)
    new, experienced, rules = random_world(rng, 8, 8)
    first = suggest(new, experienced, rules)
    shuffled_new, shuffled_exp = new[:], experienced[:]
    rng.shuffle(shuffled_new)
    rng.shuffle(shuffled_exp)
    assert suggest(shuffled_new, shuffled_exp, rules) == first
    assert suggest(new, experienced, rules) == first


@pytest.mark.parametrize("seed", range(10))
def test_the_vectorised_matrix_equals_scoring_each_pair(seed):
    new, experienced, rules = random_world(random.Random(seed), 7, 9)
    matrix = score_matrix(new, experienced, rules)
    expected = np.array([[score(a, b, rules) for b in experienced] for a in new])
    assert (matrix == expected).all()


def test_an_excluded_or_line_managed_pair_is_never_made_even_when_it_scores_highest():
    boss = Peer("boss", "o1", team="t", interests=frozenset({"art"}))
    a = Peer("a", "o1", team="t", interests=frozenset({"art"}), line_manager="boss")
    shy = Peer("shy", "o1", team="t", interests=frozenset({"art"}), exclusions=frozenset({"b"}))
    b = Peer("b", "o1", team="t", interests=frozenset({"art"}))
    found = suggest([a, shy], [boss, b])
    # Each forbidden pair would score 80; the allowed crosswise pairs are taken instead.
    assert {(s.new_peer, s.experienced_peer) for s in found} == {("a", "b"), ("shy", "boss")}


def test_a_global_optimum_beats_first_come_greedy():
    # Greedy would give x the team match with e1 (40 + 10) and leave y with nothing.
    x = Peer("x", "o1", team="t1")
    y = Peer("y", "o1", team="t1", exclusions=frozenset({"e2"}))
    e1, e2 = Peer("e1", "o1", team="t1"), Peer("e2", "o1", team="t2")
    found = suggest([x, y], [e1, e2])
    assert {(s.new_peer, s.experienced_peer) for s in found} == {("x", "e2"), ("y", "e1")}


def test_across_organisations_only_when_both_opted_into_a_shared_network():
    rules = Rules(networked=frozenset({frozenset(("o1", "o2"))}))
    a_in, b_in = Peer("a", "o1", network_opt_in=True), Peer("b", "o2", network_opt_in=True)
    b_out = Peer("c", "o2", network_opt_in=False)
    stranger = Peer("d", "o3", network_opt_in=True)
    assert why_not(a_in, b_in, rules) is None
    assert why_not(a_in, b_out, rules) == "different organisations"
    assert why_not(a_in, stranger, rules) == "different organisations"
    parts = suggest([a_in], [b_in], rules)[0].parts
    assert parts["same_organisation"] == 0 and parts["base"] > 0


def test_capacity_lets_one_experienced_peer_take_two_and_zero_takes_none():
    new = [Peer(f"n{i}", "o1") for i in range(3)]
    assert len(suggest(new, [Peer("e", "o1", capacity=2)])) == 2
    assert suggest(new, [Peer("e", "o1", capacity=0)]) == []


def test_best_assignment_on_a_raw_matrix_skips_forbidden_cells():
    scores = np.array([[FORBIDDEN, 5], [FORBIDDEN, 7]])
    assert best_assignment(scores) == [(1, 1)]
