"""The API's resources, one module each: actors, persons with their affiliations, cooperations,
initiatives with their memberships, and events: list, read, create, change; delete for mistakes.

Lists use the pages' own queries (``crm.services.landscape.directory`` and the list filters of
each service), so a search, a filter and the privacy rule answer the same through the API as on
the page. Every write goes through the same service as the page (``crm.services.landscape.actors``,
``persons``, ``cooperations``, ``initiatives``, ``crm.services.events.events``) inside one
transaction boundary (``crm.transaction.api_saving``), so the audit log, optimistic locking
(``version_id`` → 409) and the rules (German 422 per field) are shared.

Deleting: ``DELETE`` exists for actors, persons, cooperations and initiatives, with the pages'
permission (``DELETE_RECORDS``; persons also ``VIEW_PERSONAL_DATA``), and like there it is for
records entered by mistake: ties, memberships and affiliations that ended are ended (``end_date``,
``left_on``, ``to_date``) and stay as history; a real person who asks to be forgotten is anonymised
on the privacy page (Art. 17). Events are cancelled (``POST /events/{id}/cancel``), never deleted:
invitations and attendance are the office's record.
"""
from __future__ import annotations

from crm.api.resources import actors, cooperations, events, initiatives, persons  # noqa: F401  (register)
