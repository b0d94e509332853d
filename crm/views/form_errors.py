"""Showing a service's refusal on the form the user filled in.

Services raise ``ServiceError(message, field)`` with the name of the value they refused; the
views put the message under that field so the user sees it where they typed, or — when the
field is not on this form — under ``fallback``, or as a flash message above the form (then also
in ``form.form_errors``, so ``form.errors`` is not empty and the page answers 422).
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import flash
from flask_wtf import FlaskForm

from crm.services.errors import ServiceError


def shown(error: ServiceError) -> str:
    """The refusal in the user's language where the catalogue has it, else the service's German text
    (``ServiceError.message`` translates the marked template and fills its parameters)."""
    return error.message


def attach(form: FlaskForm, error: ServiceError, mapping: Mapping[str, str] | None = None,
           fallback: str | None = None) -> None:
    """Add ``error``'s message to the form field it names (after ``mapping`` from service to form
    names), else to ``fallback``, else flash it."""
    name = (mapping or {}).get(error.field or "", error.field or "")
    if not (name and name in form):
        name = fallback or ""
    message = shown(error)
    if name and name in form:
        form[name].errors = list(form[name].errors) + [message]
    else:
        flash(message, "danger")
        # Counted as the form's own error, so the page answers 422 like for a refused field.
        form.form_errors = list(form.form_errors) + [message]
