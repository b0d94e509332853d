"""User accounts: creation and authentication."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Role, User
from crm.models.base import utcnow
from crm.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class AuthResult:
    user: User | None
    message: object = ""  # lazy string: rendered in the user's language


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.", "password")


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def create_user(session: Session, email: str, password: str, role: Role, name: str = "") -> User:
    if find_by_email(session, email) is not None:
        raise ServiceError(f"Es gibt bereits ein Konto für {email}.", "email")
    check_password_policy(password)
    user = User(email=normalise_email(email), name=name, role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_policy(password)
    user.set_password(password)
    session.flush()


def authenticate(session: Session, email: str, password: str) -> AuthResult:
    """Check credentials; one message for unknown e-mail and wrong password (no account probing)."""
    user = find_by_email(session, email)
    wrong = AuthResult(None, _l("E-Mail-Adresse oder Passwort ist falsch."))
    if user is None:
        return wrong
    if not user.is_enabled:
        return AuthResult(None, _l("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration."))
    if not user.check_password(password):
        user.failed_logins += 1
        session.flush()
        return wrong
    user.failed_logins = 0
    user.last_login_at = utcnow()
    session.flush()
    return AuthResult(user)
