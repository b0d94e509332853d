"""One transaction boundary for every request that writes: commit once, or roll back and say why.

Services flush; the caller commits (DESIGN.md). This module is that caller's half, shared by the
pages and the API, so a refusal reads the same through every door:

* ``ServiceError`` (a rule refused the input) — the page puts it under its form field
  (``crm.views.form_errors.attach``), the API answers 422 with the field;
* ``ConcurrentEditError`` and SQLAlchemy's ``StaleDataError`` (someone saved first) — the page
  shows the German conflict message (409), the API answers 409;
* ``IntegrityError`` from a unique constraint (two requests passed the same check and raced to
  the INSERT) — the German message of the rule that the constraint backs
  (``crm.services.errors.unique_rule``), never a 500; an unforeseen one becomes ``RaceLostError``.

In every case the transaction is rolled back here, once; services never roll back their
caller's transaction. Usage in a view::

    with saving(form) as saved:
        initiative = initiative_service.create_initiative(db.session, form.values())
    if saved:
        return redirect(...)
    # else: the refusal is on the form (saved.error) or a conflict to show (saved.conflict)

and in the API: ``with api_saving(FIELDS): ...`` raises the matching ``ApiProblem``.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.services.errors import ConcurrentEditError, RaceLostError, ServiceError, refusal_for

log = logging.getLogger(__name__)


def _with_author(session: Session, error: ConcurrentEditError) -> ConcurrentEditError:
    """A conflict noticed at the UPDATE does not know who saved first; after the rollback the
    audit log says it."""
    if error.changed_by is not None or error.entity is None:
        return error
    from crm.services.landscape.actors import last_change

    entity_type, entity_id = error.entity
    last = last_change(session, entity_type, entity_id)
    if last is None:
        return error
    return ConcurrentEditError(error.entity_label, last.actor_label, last.created_at, error.current, error.entity)


@contextmanager
def committing(session: Session | None = None) -> Iterator[None]:
    """Run the block and commit once; on a refusal roll back and raise it as a ServiceError
    (``ConcurrentEditError`` for conflicts, the rule's refusal for a lost unique race)."""
    current: Session = session if session is not None else db.session
    try:
        yield
        current.commit()
    except ConcurrentEditError as error:
        current.rollback()
        raise _with_author(current, error) from None
    except StaleDataError:
        current.rollback()
        raise ConcurrentEditError("Der Datensatz", None, None) from None
    except ServiceError:
        current.rollback()
        raise
    except IntegrityError as error:
        current.rollback()
        refusal = refusal_for(error)
        if refusal is None:
            log.warning("integrity error turned into a conflict message: %s", error.orig)
            raise RaceLostError() from None
        raise refusal from None
    except BaseException:
        current.rollback()
        raise


@dataclass
class Saved:
    """What became of a ``saving`` block: true when committed; else the refusal or the conflict."""

    ok: bool = False
    error: ServiceError | None = None
    conflict: ConcurrentEditError | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def status(self) -> int:
        """The HTTP status of the page that shows the outcome."""
        return 200 if self.ok else (409 if self.conflict is not None or isinstance(self.error, RaceLostError)
                                    else 422)


@contextmanager
def saving(form: Any = None, *, mapping: Mapping[str, str] | None = None, fallback: str | None = None,
           session: Session | None = None) -> Iterator[Saved]:
    """A page's write: commit once, or roll back and put the refusal on ``form`` (under the field
    the service names, after ``mapping`` from service to form names, else ``fallback``, else as
    a flash message). A conflict is kept in ``saved.conflict`` for the page to show both versions;
    without a form it is flashed. The block's exception is swallowed: check ``saved``."""
    from crm.views.form_errors import attach, shown

    saved = Saved()
    try:
        with committing(session):
            yield saved
    except ConcurrentEditError as error:
        saved.conflict = error
        if form is None:
            flash(shown(error), "danger")
    except ServiceError as error:
        saved.error = error
        if form is not None:
            attach(form, error, mapping, fallback)
        else:
            flash(shown(error), "danger")
    else:
        saved.ok = True


@contextmanager
def api_saving(fields: Mapping[str, str] | None = None, session: Session | None = None) -> Iterator[None]:
    """An API write: commit once, or roll back and raise the problem: 409 for a conflict or a lost
    race, 422 with the field (service name → API name via ``fields``) for a refused rule."""
    from crm.api.core import ApiProblem

    try:
        with committing(session):
            yield
    except (ConcurrentEditError, RaceLostError) as error:
        raise ApiProblem(409, error.message, title="Konflikt") from None
    except ServiceError as error:
        field = (fields or {}).get(error.field or "", error.field)
        raise ApiProblem(422, error.message, {field or "body": [error.message]}) from None
