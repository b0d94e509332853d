"""Ids out of range are 404 on every page and API route, by one rule (``crm.routing``): walk the URL
map and call every route that takes a record id with ids no record can have. On PostgreSQL ids are
32-bit integers, so 2147483648 overflowed the column (a 500) before the rule."""
from __future__ import annotations

import pytest

from crm.models import Role

OUT_OF_RANGE = ("99999999999999999999", "2147483648", "0", "%D9%A3")  # the last: an Arabic-Indic digit 3


def _id_routes(app) -> list[tuple[str, str, list[str]]]:
    """(rule, method, id arguments) of every route whose URL holds a record id."""
    routes = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if type(converter).__name__ == "RecordIdConverter"]
        if not ids:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method, ids))
    return routes


def test_every_route_with_an_id_uses_the_one_rule(app) -> None:
    routes = _id_routes(app)
    assert len({rule for rule, _method, _ids in routes}) >= 40  # pages and API
    with_plain_int = [rule.rule for rule in app.url_map.iter_rules()
                      if any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values())]
    assert with_plain_int == []


@pytest.mark.parametrize("raw", OUT_OF_RANGE)
def test_ids_out_of_range_are_404_on_every_route(app, login_as, raw) -> None:
    client = login_as(Role.ADMIN)
    failures = []
    for rule, method, ids in _id_routes(app):
        url = rule
        for name in ids:
            url = url.replace(f"<int:{name}>", raw)
        response = client.open(url, method=method, headers={"X-CSRFToken": "x"})
        if response.status_code != 404:
            failures.append((method, url, response.status_code))
    assert failures == []


def test_the_highest_id_is_just_not_found(app, login_as) -> None:
    """2147483647 fits the column: the loaders answer 404 (GET), never 500."""
    client = login_as(Role.ADMIN)
    failures = []
    for rule, method, ids in _id_routes(app):
        if method != "GET":
            continue
        url = rule
        for name in ids:
            url = url.replace(f"<int:{name}>", "2147483647")
        status = client.get(url).status_code
        if status != 404:
            failures.append((url, status))
    assert failures == []


def test_the_id_pattern_takes_exactly_1_to_2147483647() -> None:
    import random
    import re

    from crm.routing import RecordIdConverter, numbers_up_to

    pattern = re.compile(RecordIdConverter.regex + r"\Z")
    for text, ok in (("1", True), ("9", True), ("10", True), ("2147483647", True), ("1999999999", True),
                     ("0", False), ("01", False), ("2147483648", False), ("9999999999", False), ("-1", False),
                     ("٣", False)):
        assert bool(pattern.match(text)) is ok, text
    rng = random.Random(7)
    for limit in (9, 10, 99, 100, 305, 2**31 - 1):
        small = re.compile(numbers_up_to(limit) + r"\Z")
        for number in [rng.randint(0, limit * 11) for _ in range(2000)] + [0, 1, limit, limit + 1]:
            assert bool(small.match(str(number))) is (1 <= number <= limit), (limit, number)
