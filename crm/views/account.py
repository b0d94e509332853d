"""The user's own account: personal API tokens (``/konto/tokens``) and the password (``/konto/passwort``).

A new password ends every other session of the account (``session_epoch``); this browser stays
logged in. A wrong "current password" counts as a failed login, so a stolen session cannot be used
to guess the password.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.extensions import db
from crm.forms.account import TokenForm
from crm.forms.password import PasswordForm
from crm.models import User
from crm.permissions import Permission, requires
from crm.services.accounts import api_tokens, login_throttle
from crm.services.accounts import users as user_service
from crm.transaction import saving

bp = Blueprint("account", __name__, url_prefix="/konto")


def _page(form: TokenForm, new_token: api_tokens.NewToken | None = None, status: int = 200):
    return render_template("account/tokens.html", form=form, tokens=api_tokens.tokens_of(db.session, current_user),
                           new_token=new_token, days=int(current_app.config.get("API_TOKEN_DAYS", 365))), status


@bp.route("/tokens", methods=["GET", "POST"])
@requires(Permission.VIEW_LANDSCAPE)  # every role holds it: any logged-in user manages their own tokens
def tokens():
    form = TokenForm()
    if form.validate_on_submit():
        days = int(current_app.config.get("API_TOKEN_DAYS", 365))
        with saving(form, fallback="name") as saved:
            created = api_tokens.create_token(db.session, current_user, form.name.data or "",
                                              read_only=bool(form.read_only.data), days=days or None)
        if not saved:
            return _page(form, status=422)
        # Shown once, in this response only (never stored, never in a redirect or the session).
        return _page(TokenForm(formdata=None), created)
    return _page(form, status=422 if form.errors else 200)


@bp.route("/tokens/<int:token_id>/widerrufen", methods=["POST"])
@requires(Permission.VIEW_LANDSCAPE)
def revoke(token_id: int):
    with saving() as saved:
        token = api_tokens.revoke(db.session, current_user, token_id)
    if saved:
        flash(_("Token „%(name)s“ widerrufen; es funktioniert ab sofort nicht mehr.", name=token.name), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/passwort", methods=["GET", "POST"])
@requires(Permission.VIEW_LANDSCAPE)  # every role: any logged-in user changes their own password
def password():
    from crm.security import stamp_session

    form = PasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if login_throttle.state(db.session, user.email).is_locked():
            form.current.errors.append(_("Zu viele Fehlversuche. Bitte versuchen Sie es später erneut."))
        elif not user_service.verify_password(user, form.current.data or ""):
            with saving():
                login_throttle.register_failure(db.session, user.email, user)
            form.current.errors.append(_("Das bisherige Passwort stimmt nicht."))
        else:
            with saving(form, fallback="new") as saved:
                user_service.set_password(db.session, user, form.new.data or "")
            if saved:
                stamp_session(user)
                flash(_("Ihr Passwort ist geändert. Alle anderen Anmeldungen mit diesem Konto sind beendet."),
                      "success")
                return redirect(url_for("account.password"))
    return render_template("account/password.html", form=form,
                           password_min_length=user_service.MIN_PASSWORD_LENGTH), 422 if form.errors else 200
