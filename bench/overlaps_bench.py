"""How long the working-group overlap analysis takes for a large region (prints a table).

Groups of 8–40 members drawn from a pool of actors, a few "hub" actors in many groups (as the
Bildungsbüro and the chambers are), topics and life stages from the seeded vocabularies' sizes.
Only ``graph.overlaps.analyse``: the page adds six statements to load the rows.
"""
from __future__ import annotations

import random
import time

from graph.overlaps import Group, analyse


def landscape(groups: int, actors: int, seed: int = 15) -> list[Group]:
    rng = random.Random(seed)
    hubs = list(range(20))
    result = []
    for gid in range(groups):
        size = rng.randint(8, 40)
        members = set(rng.sample(range(actors), size)) | set(rng.sample(hubs, 3))
        result.append(Group(gid, frozenset(members), frozenset(rng.sample(range(16), 2)),
                            frozenset(rng.sample(range(8), 2))))
    return result


def main() -> None:
    print(f"{'Gremien':>8} {'Akteure':>8} {'Paare mit Überschneidung':>25} {'Doppelstrukturen':>17} {'Zeit':>8}")
    for groups, actors in ((7, 150), (100, 2000), (500, 5000), (1000, 10000)):
        data = landscape(groups, actors)
        start = time.perf_counter()
        result = analyse(data, range(16), range(8))
        elapsed = time.perf_counter() - start
        print(f"{groups:>8} {actors:>8} {len(result.pairs):>25} {len(result.duplicates):>17} {elapsed:>7.3f}s")


if __name__ == "__main__":
    main()
