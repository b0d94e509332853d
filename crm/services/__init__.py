"""Domain operations shared by views, CLI, admin and API. Services flush; callers commit.

Grouped by domain, so that a newcomer finds a behaviour by its name:

- ``landscape``: actors, persons, cooperations, initiatives, vocabularies, directory, merge
- ``events``: events, invitation lists, invitations and answers, attendance, statistics
- ``mail``: the outbox, SMTP delivery and the editable mail texts
- ``network``: records for ``graph``, maps, the dashboard, the cache of computed views
- ``reports``: the council report (content, charts, PDF, workbook)
- ``privacy``: consent, access and erasure, retention review, the audit trail
- ``accounts``: users, API tokens, login throttling
- ``imports`` and ``exports``: files in and out
- ``errors`` and ``write_lock``: what every domain shares
"""
