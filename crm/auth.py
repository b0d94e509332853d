"""Login, logout and the Flask-Login wiring.

Logging out raises the account's ``session_epoch``; the user loader refuses a session whose stored
epoch differs, so a copied session cookie ends with the logout (on every device of the account:
one counter per account, no server-side session table). A new password does the same.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from crm.extensions import db
from crm.models import User
from crm.permissions import public
from crm.services.accounts import login_throttle
from crm.services.accounts import users as user_service

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
                                             Email(_l("Das ist keine gültige E-Mail-Adresse."))])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(_l("Bitte geben Sie Ihr Passwort ein."))])
    remember = BooleanField(_l("Angemeldet bleiben"))


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login page cannot be used to send users elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/anmelden", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        if not login_throttle.ip_allowed(request.remote_addr or ""):
            form.password.errors.append(_("Zu viele Anmeldeversuche von Ihrem Rechner. Bitte warten Sie "
                                          "einige Minuten und versuchen Sie es dann erneut."))
            return render_template("auth/login.html", form=form), 429
        result = user_service.authenticate(db.session, form.email.data or "", form.password.data or "")
        db.session.commit()
        if result.user is not None:
            # "Angemeldet bleiben" keeps the session cookie across browser restarts; the session still
            # ends after the absolute and idle limits (crm.security). Flask-Login's remember cookie
            # is not used: it would log the user in again with no server-side expiry.
            session.permanent = bool(form.remember.data)
            login_user(result.user, remember=False)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(str(result.message))
        return render_template("auth/login.html", form=form), 429 if result.is_locked else 401
    return render_template("auth/login.html", form=form)


@bp.route("/abmelden", methods=["POST"])
@public
def logout():
    from crm.security import forget_session

    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        if user is not None:
            user.session_epoch = (user.session_epoch or 0) + 1
            db.session.commit()
    logout_user()
    forget_session()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("auth.login"))


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "Bitte melden Sie sich an."
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        from crm.security import EPOCH, api_token_request, forget_session

        if api_token_request():  # an API request with a token acts as the token's user only
            return None
        try:
            user = db.session.get(User, int(user_id))
        except ValueError:
            user = None
        if user is None or session.get(EPOCH) != user.session_epoch:
            forget_session()  # logged out elsewhere, new password, or a session from before epochs
            return None
        return user

    app.register_blueprint(bp)


__all__ = ["bp", "init_login", "login_required"]
