"""Overlaps between working groups (Gremien): shared members, possible duplicates, overload, gaps.

An education office that asks "which of our working groups do the same thing with the same
people?" (the Wittenberg questionnaire on Gremien found exactly that) needs four answers:

* how many member actors each pair of groups shares, absolutely and as a share;
* which pairs work on a common topic with largely the same members: candidates for merging
  ("possible duplicated structures"; only a human can decide, so they are flagged, not judged);
* which actors sit in so many groups that their time is the bottleneck (overload);
* which topics and life stages no group covers at all (gaps).

Plain records in, plain results out: no networkx graph is needed because every answer is a set
operation on the groups' member sets, and no Flask or database, so the rules can be tested with
numbers worked out by hand (tests/graph/test_overlaps.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

# A pair is a possible duplicate when its Jaccard share reaches this value: at least half of all
# actors in either group sit in both. Two groups of ten sharing seven members reach 7/13 = 0.54;
# a small circle inside a big alliance (5 of 20, share 0.25) does not: being part of a larger
# structure is normal, running two structures with the same people is what costs time.
DEFAULT_DUPLICATE_SHARE = 0.5
# Shares of tiny groups say little (two groups of two sharing one member reach 0.33, two of
# one reach 1.0), so a flagged pair must also share at least this many actors.
DEFAULT_MIN_SHARED = 3
# Sitting in four or more groups at once is where offices report that the same people are
# invited to every table; three is a normal load for a school leader or a chamber.
DEFAULT_OVERLOAD_AT = 4


@dataclass(frozen=True)
class Group:
    """One initiative or working group: its current member actors, topics and life stages (ids)."""

    id: int
    members: frozenset[int]
    topics: frozenset[int] = frozenset()
    life_stages: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PairOverlap:
    """Two groups ``a < b`` and what they share.

    ``jaccard`` is shared / union (how much the two are the same group); ``overlap`` is shared /
    the smaller group (how much of the smaller one sits in the other too). Both are 0.0 when a
    group has no members, so an empty group never looks like a duplicate.
    """

    a: int
    b: int
    shared_members: frozenset[int]
    jaccard: float
    overlap: float
    shared_topics: frozenset[int]

    @property
    def shared(self) -> int:
        return len(self.shared_members)


@dataclass(frozen=True)
class OverloadedActor:
    """An actor that is a member of ``len(groups)`` groups, at least the overload threshold."""

    actor: int
    groups: tuple[int, ...]


@dataclass(frozen=True)
class OverlapResult:
    """Everything the overlap page shows; ids only, the caller attaches names.

    ``groups`` keeps the input order (the matrix's rows and columns); ``pairs`` holds every pair
    that shares at least one member, most shared first; ``duplicates`` the flagged ones.
    """

    groups: tuple[int, ...]
    sizes: dict[int, int]
    pairs: tuple[PairOverlap, ...]
    duplicates: tuple[PairOverlap, ...]
    overloaded: tuple[OverloadedActor, ...]
    uncovered_topics: tuple[int, ...]
    uncovered_life_stages: tuple[int, ...]
    duplicate_share: float
    min_shared: int
    overload_at: int
    _by_pair: dict[tuple[int, int], PairOverlap] = field(default_factory=dict, repr=False, compare=False)

    def pair(self, a: int, b: int) -> PairOverlap | None:
        """The overlap of two different groups in either order (None when they share nobody)."""
        return self._by_pair.get((a, b) if a < b else (b, a))

    def shared(self, a: int, b: int) -> int:
        """A matrix cell: shared members; on the diagonal, the group's own size."""
        if a == b:
            return self.sizes.get(a, 0)
        found = self.pair(a, b)
        return found.shared if found else 0


def pair_overlap(first: Group, second: Group) -> PairOverlap:
    """The shares of two groups, ordered by id so each pair has one key."""
    a, b = (first, second) if first.id < second.id else (second, first)
    return _pair(a, b, a.members & b.members)


def _pair(a: Group, b: Group, common: frozenset[int]) -> PairOverlap:
    union = len(a.members) + len(b.members) - len(common)
    smaller = min(len(a.members), len(b.members))
    return PairOverlap(a=a.id, b=b.id, shared_members=common,
                       jaccard=len(common) / union if union else 0.0,
                       overlap=len(common) / smaller if smaller else 0.0,
                       shared_topics=a.topics & b.topics)


def is_possible_duplicate(pair: PairOverlap, duplicate_share: float = DEFAULT_DUPLICATE_SHARE,
                          min_shared: int = DEFAULT_MIN_SHARED) -> bool:
    """Same topic and largely the same people: the two rules the office gave for "duplicated
    structure". A shared topic is required because groups of the same people on different
    topics (the school leaders' round and the MINT circle) are not doing the same work."""
    return bool(pair.shared_topics) and pair.shared >= min_shared and pair.jaccard >= duplicate_share


def analyse(groups: Sequence[Group], topics: Iterable[int] = (), life_stages: Iterable[int] = (), *,
            duplicate_share: float = DEFAULT_DUPLICATE_SHARE, min_shared: int = DEFAULT_MIN_SHARED,
            overload_at: int = DEFAULT_OVERLOAD_AT) -> OverlapResult:
    """Compare every pair of ``groups``; ``topics`` and ``life_stages`` are all ids of the
    vocabularies (in the order the gaps should be listed).

    Pairs are found through the actors (each actor's groups), so groups that share nobody cost
    nothing: with hundreds of groups, most pairs share no one. Thresholds are parameters because
    an office with many small groups needs other values than a county with three alliances.
    """
    if not 0.0 < duplicate_share <= 1.0:
        raise ValueError("duplicate_share must lie in (0, 1]")
    if min_shared < 1 or overload_at < 1:
        raise ValueError("min_shared and overload_at must be at least 1")
    by_id = {group.id: group for group in groups}
    groups_of: dict[int, list[int]] = defaultdict(list)
    for group in groups:
        for actor in group.members:
            groups_of[actor].append(group.id)
    # Shared members collected per pair while walking the actors: no set intersection per pair,
    # and pairs that share nobody are never touched.
    common: dict[tuple[int, int], list[int]] = defaultdict(list)
    for actor, memberships in groups_of.items():
        for key in combinations(sorted(set(memberships)), 2):
            common[key].append(actor)
    by_pair = {key: _pair(by_id[key[0]], by_id[key[1]], frozenset(shared)) for key, shared in common.items()}
    pairs = tuple(sorted(by_pair.values(), key=lambda p: (-p.shared, -p.jaccard, p.a, p.b)))
    duplicates = tuple(sorted((p for p in pairs if is_possible_duplicate(p, duplicate_share, min_shared)),
                              key=lambda p: (-p.jaccard, -p.shared, p.a, p.b)))
    overloaded = tuple(sorted(
        (OverloadedActor(actor, tuple(sorted(set(ids)))) for actor, ids in groups_of.items()
         if len(set(ids)) >= overload_at),
        key=lambda o: (-len(o.groups), o.actor)))
    covered_topics = {t for group in groups for t in group.topics}
    covered_stages = {s for group in groups for s in group.life_stages}
    return OverlapResult(
        groups=tuple(group.id for group in groups),
        sizes={group.id: len(group.members) for group in groups},
        pairs=pairs, duplicates=duplicates, overloaded=overloaded,
        uncovered_topics=tuple(t for t in topics if t not in covered_topics),
        uncovered_life_stages=tuple(s for s in life_stages if s not in covered_stages),
        duplicate_share=duplicate_share, min_shared=min_shared, overload_at=overload_at,
        _by_pair=by_pair)
