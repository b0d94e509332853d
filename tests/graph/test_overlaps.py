"""Working-group overlaps on a small landscape whose answers were worked out by hand.

Five groups (member actors 1..7, topics 10..14, life stages 100..102):

    G1 {1,2,3,4,5} topics {10}      stages {100}
    G2 {1,2,3,4,6} topics {10,11}   stages {101}
    G3 {5,6,7}     topics {12}
    G4 {1,2,3}     topics {11}
    G5 {}          topics {13}

G1–G2 share 4 of 6 actors (Jaccard 4/6, overlap 4/5) and topic 10: a possible duplicate.
G2–G4 share 3 of 5 (Jaccard 3/5, overlap 3/3) and topic 11: a possible duplicate.
G1–G4 share the same 3 of 5 but no topic: not flagged. G1–G3 and G2–G3 share one actor.
Actors 1, 2, 3 sit in three groups. Topic 14 and life stage 102 have no group.
"""
from __future__ import annotations

import pytest

from graph.overlaps import Group, analyse, is_possible_duplicate, pair_overlap

GROUPS = [
    Group(1, frozenset({1, 2, 3, 4, 5}), frozenset({10}), frozenset({100})),
    Group(2, frozenset({1, 2, 3, 4, 6}), frozenset({10, 11}), frozenset({101})),
    Group(3, frozenset({5, 6, 7}), frozenset({12})),
    Group(4, frozenset({1, 2, 3}), frozenset({11})),
    Group(5, frozenset(), frozenset({13})),
]
TOPICS = [10, 11, 12, 13, 14]
STAGES = [100, 101, 102]


def test_pair_shares_worked_out_by_hand() -> None:
    pair = pair_overlap(GROUPS[1], GROUPS[0])  # either order gives the pair (1, 2)
    assert (pair.a, pair.b, pair.shared) == (1, 2, 4)
    assert pair.shared_members == {1, 2, 3, 4}
    assert pair.jaccard == pytest.approx(4 / 6)
    assert pair.overlap == pytest.approx(4 / 5)
    assert pair.shared_topics == {10}
    contained = pair_overlap(GROUPS[0], GROUPS[3])
    assert (contained.shared, contained.jaccard, contained.overlap) == (3, pytest.approx(0.6), 1.0)
    assert contained.shared_topics == frozenset()


def test_empty_group_never_looks_like_a_duplicate() -> None:
    pair = pair_overlap(GROUPS[4], Group(6, frozenset(), frozenset({13})))
    assert (pair.jaccard, pair.overlap, pair.shared) == (0.0, 0.0, 0)
    assert not is_possible_duplicate(pair, 0.01, 1)


def test_matrix_and_pairs() -> None:
    result = analyse(GROUPS, TOPICS, STAGES)
    assert result.groups == (1, 2, 3, 4, 5)
    # The matrix: sizes on the diagonal, shared members elsewhere, symmetric.
    matrix = [[result.shared(a, b) for b in result.groups] for a in result.groups]
    assert matrix == [
        [5, 4, 1, 3, 0],
        [4, 5, 1, 3, 0],
        [1, 1, 3, 0, 0],
        [3, 3, 0, 3, 0],
        [0, 0, 0, 0, 0],
    ]
    # Only pairs sharing somebody, most shared first, ties by Jaccard then ids.
    assert [(p.a, p.b, p.shared) for p in result.pairs] == [(1, 2, 4), (1, 4, 3), (2, 4, 3), (1, 3, 1), (2, 3, 1)]
    assert result.pairs[3].jaccard == pytest.approx(1 / 7) and result.pairs[3].overlap == pytest.approx(1 / 3)
    assert result.pair(4, 2) is result.pair(2, 4)
    assert result.pair(3, 4) is None


def test_duplicates_need_a_shared_topic_and_a_large_share() -> None:
    result = analyse(GROUPS, TOPICS, STAGES)
    assert [(p.a, p.b) for p in result.duplicates] == [(1, 2), (2, 4)]  # 4/6 before 3/5; (1, 4): no topic
    stricter = analyse(GROUPS, TOPICS, STAGES, duplicate_share=0.65)
    assert [(p.a, p.b) for p in stricter.duplicates] == [(1, 2)]
    more_people = analyse(GROUPS, TOPICS, STAGES, min_shared=4)
    assert [(p.a, p.b) for p in more_people.duplicates] == [(1, 2)]
    looser = analyse(GROUPS, TOPICS, STAGES, duplicate_share=0.1, min_shared=1)
    assert [(p.a, p.b) for p in looser.duplicates] == [(1, 2), (2, 4)]  # G1–G3, G2–G3: no common topic


def test_overload_threshold() -> None:
    assert analyse(GROUPS, TOPICS, STAGES).overloaded == ()  # default 4: nobody sits in four groups
    result = analyse(GROUPS, TOPICS, STAGES, overload_at=3)
    assert [(o.actor, o.groups) for o in result.overloaded] == [(1, (1, 2, 4)), (2, (1, 2, 4)), (3, (1, 2, 4))]
    everyone_twice = analyse(GROUPS, TOPICS, STAGES, overload_at=2)
    assert [o.actor for o in everyone_twice.overloaded] == [1, 2, 3, 4, 5, 6]


def test_gaps_keep_the_vocabulary_order() -> None:
    result = analyse(GROUPS, [14, 13, 12, 11, 10, 15], [102, 101, 100])
    assert result.uncovered_topics == (14, 15)
    assert result.uncovered_life_stages == (102,)
    assert analyse([], TOPICS, STAGES).uncovered_topics == tuple(TOPICS)


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError):
        analyse(GROUPS, duplicate_share=0.0)
    with pytest.raises(ValueError):
        analyse(GROUPS, overload_at=0)
