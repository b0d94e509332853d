"""User accounts: creation and authentication."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from crm.models import Role, User
from crm.models.base import utcnow
from crm.services.errors import N_, ServiceError

MIN_PASSWORD_LENGTH = 10
DEFAULT_HASH_METHOD = "scrypt"


def _hash_method() -> str:
    """werkzeug's method string from ``PASSWORD_HASH_METHOD``: scrypt in production; the test suite
    sets a cheap one, because hashing is most of the time of a test that logs in."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_HASH_METHOD
    return DEFAULT_HASH_METHOD


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@dataclass(frozen=True)
class AuthResult:
    user: User | None
    message: object = ""  # lazy string: rendered in the user's language
    is_locked: bool = False


def normalise_email(email: str) -> str:
    return email.strip().lower()


# A small list of passwords that are long enough but guessed first (German and international
# leak lists); length alone does not stop "passwort123".
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "123456789a", "0123456789", "1234567890a", "qwertzuiop", "qwertyuiop",
    "asdfghjkl1", "passwort123", "passwort1234", "password123", "password1234", "passwort!!",
    "hallo12345", "hallo123456", "ichliebedich", "iloveyou123", "schalke04!", "fussball123",
    "sommer2024", "sommer2025", "sommer2026", "winter2024", "winter2025", "winter2026", "herbst2025",
    "fruehling2025", "willkommen", "willkommen1", "willkommen123", "welcome123", "changeme123",
    "administrator", "admin12345", "adminadmin", "letmein123", "geheim1234", "geheimnis1",
    "bildungsnetz", "bildungsnetz1", "bildungsbuero", "bildungsbüro", "trier12345", "stadttrier1",
    "1q2w3e4r5t", "1qay2wsx3edc", "q1w2e3r4t5", "abcdefghij", "abc1234567", "aaaaaaaaaa",
    "passwortpasswort", "passwordpassword",
})


def check_password_policy(password: str, email: str | None = None) -> None:
    """Refuse passwords that are short, the account's e-mail, or on the list of common ones (German messages)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(N_("Das Passwort muss mindestens %(min)s Zeichen lang sein."), "password",
                           {"min": MIN_PASSWORD_LENGTH})
    if len(password) > 200:
        raise ServiceError(N_("Das Passwort darf höchstens 200 Zeichen lang sein."), "password")
    lowered = password.strip().lower()
    if email:
        address = normalise_email(email)
        local = address.split("@", 1)[0]
        if lowered in (address, local) or (len(local) >= 4 and lowered.startswith(local) and
                                           len(lowered) - len(local) <= 3):
            raise ServiceError(N_("Das Passwort darf nicht die E-Mail-Adresse (oder ihr Anfang) sein."), "password")
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        raise ServiceError(N_("Dieses Passwort ist zu leicht zu erraten. Bitte wählen Sie ein anderes, "
                              "z. B. einen Satz aus mehreren Wörtern."), "password")


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def create_user(session: Session, email: str, password: str, role: Role, name: str = "") -> User:
    if find_by_email(session, email) is not None:
        raise ServiceError(N_("Es gibt bereits ein Konto für %(email)s."), "email", {"email": email})
    check_password_policy(password, email)
    user = User(email=normalise_email(email), name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every session of the account (``session_epoch``) and lifts a lock-out.

    The caller that changes its *own* password keeps its session by storing the new epoch
    (``crm.security.stamp_session``)."""
    from crm.services.accounts import login_throttle

    check_password_policy(password, user.email)
    user.password_hash = hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1
    login_throttle.reset(session, user.email, user)
    session.flush()


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash made the same way as real ones (same method and cost), checked when no account
    matches, so a failed login takes as long for an unknown address as for a known one."""
    return generate_password_hash(secrets.token_urlsafe(24), method=method)


def authenticate(session: Session, email: str, password: str) -> AuthResult:
    """Check credentials; one message for unknown e-mail and wrong password (no account probing).

    Nothing here depends on whether the account exists, so neither the answer nor its timing tells:
    every attempt checks exactly one password hash (a dummy one for unknown addresses) and the
    lock-out is counted per address in the database for known and unknown addresses alike
    (``crm.services.accounts.login_throttle``). A locked address refuses every password, the right one too.
    """
    from crm.services.accounts import login_throttle

    address = normalise_email(email)
    user = find_by_email(session, address)
    password_ok = check_password_hash(user.password_hash if user is not None else _dummy_hash(_hash_method()), password)
    wrong = AuthResult(None, _l("E-Mail-Adresse oder Passwort ist falsch."))
    locked = AuthResult(None, _l("Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung ist vorübergehend "
                                 "gesperrt; bitte versuchen Sie es in %(minutes)s Minuten erneut.",
                                 minutes=login_throttle.lockout_minutes()), is_locked=True)
    current = login_throttle.state(session, address)
    if current.is_locked():
        return locked
    if user is None or not password_ok:
        current = login_throttle.register_failure(session, address, user)
        return locked if current.is_locked() else wrong
    if not user.is_enabled:
        return AuthResult(None, _l("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration."))
    if current.failures or user.failed_logins:
        login_throttle.reset(session, address, user)
    user.last_login_at = utcnow()
    session.flush()
    return AuthResult(user)
