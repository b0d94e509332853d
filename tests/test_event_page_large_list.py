"""The event page with a long invitation list: one page of 50 at a time, searchable (case and
umlauts folded), and the number of SQL statements does not grow with the list (the page took
2.2 s and 5 MB of HTML at 50,000 invitations; ``bench/event_page_bench.py`` measures that size)."""
from __future__ import annotations

import re

from sqlalchemy import select

from crm.extensions import db
from crm.models import Answer, Attendance, EventStatus, Invitation, Role
from crm.models.base import utcnow
from crm.services.mail import outbox
from tests import factories_events as f
from tests.statements import counting

NAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann")


def _event_with(app, count: int, title: str) -> int:
    with app.app_context():
        school = f.actor(f"Grundschule {title}", kind="Grundschule")
        people = [f.person(f"{NAMES[n % len(NAMES)]}{n:04d}", "Gast", email=f"gast{n}.{title}@schule.example",
                           at=school) for n in range(count)]
        event = f.event(title)
        event.status = EventStatus.PUBLISHED
        rows = f.invite(event, *people)
        now = utcnow()
        for n, row in enumerate(rows):
            if n % 2:
                row.invited_at = now
                outbox.queue(db.session, recipient=row.person.email, subject="Einladung", body_text="…",
                             category="invitation", invitation_id=row.id)
            row.answer = (Answer.PENDING, Answer.ACCEPTED, Answer.DECLINED)[n % 3]
            if n % 5 == 0:
                db.session.add(Attendance(event_id=event.id, person_id=row.person_id, actor_id=school.id))
        db.session.commit()
        return event.id


def _rows(page: str) -> list[str]:
    table = page.split('data-testid="invitations"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", table)


def test_the_event_page_runs_the_same_statements_for_12_and_130_invitations(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    small, large = _event_with(app, 12, "klein"), _event_with(app, 130, "gross")
    client.get(f"/veranstaltungen/{small}")  # warm up (session, user, vocabularies)
    counts = {}
    for event_id in (small, large):
        with counting(app) as seen:
            response = client.get(f"/veranstaltungen/{event_id}")
        assert response.status_code == 200
        counts[event_id] = len(seen)
    assert counts[small] == counts[large], counts
    assert counts[large] <= 25, counts


def test_the_invitation_table_shows_50_per_page_and_finds_names_with_folded_umlauts(app, login_as) -> None:
    client = login_as(Role.ORGANISER)
    event_id = _event_with(app, 130, "gross")
    first = client.get(f"/veranstaltungen/{event_id}").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "1–50 von 130" in first
    assert f'href="/veranstaltungen/{event_id}?seite=3#einladungen"' in first
    assert _figures_invited(first) == 130 - 22  # on the list but neither sent nor answered: n % 6 == 0
    last = client.get(f"/veranstaltungen/{event_id}?seite=3").get_data(as_text=True)
    assert len(_rows(last)) == 30 and "101–130 von 130" in last
    assert len(_rows(client.get(f"/veranstaltungen/{event_id}?seite=99").get_data(as_text=True))) == 30
    found = client.get(f"/veranstaltungen/{event_id}?q=MUELLER0010").get_data(as_text=True)
    assert _rows(found) == ["Gast Müller0010"]
    assert _rows(client.get(f"/veranstaltungen/{event_id}?q=müller 0020").get_data(as_text=True)) == ["Gast Müller0020"]
    by_actor = client.get(f"/veranstaltungen/{event_id}?q=grundschule+gross&antwort=declined").get_data(as_text=True)
    assert "von 43" in by_actor  # n % 3 == 2 for n < 130
    unsent = client.get(f"/veranstaltungen/{event_id}?antwort=unsent").get_data(as_text=True)
    assert "von 65" in unsent and "noch nicht" in unsent
    none = client.get(f"/veranstaltungen/{event_id}?q=niemand").get_data(as_text=True)
    assert "Keine Einladung passt zur Suche." in none
    # An answer entered on page 2 of a search comes back to that page and search.
    with app.app_context():
        invitation = db.session.scalars(select(Invitation).where(Invitation.event_id == event_id)
                                        .order_by(Invitation.id.desc())).first()
        invitation_id = invitation.id
    response = client.post_form(f"/veranstaltungen/{event_id}/einladungen/{invitation_id}/antwort",
                                {"answer": "accepted", "q": "gast", "seite": "2"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/veranstaltungen/{event_id}?q=gast&seite=2#einladungen")


def _figures_invited(page: str) -> int:
    return int(re.search(r'fs-4 fw-semibold">(\d+)</div><div class="small text-body-secondary">eingeladen', page)
               .group(1))
