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
        raise ServiceError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.", "password")
    if len(password) > 200:
        raise ServiceError("Das Passwort darf höchstens 200 Zeichen lang sein.", "password")
    lowered = password.strip().lower()
    if email:
        address = normalise_email(email)
        local = address.split("@", 1)[0]
        if lowered in (address, local) or (len(local) >= 4 and lowered.startswith(local) and
                                           len(lowered) - len(local) <= 3):
            raise ServiceError("Das Passwort darf nicht die E-Mail-Adresse (oder ihr Anfang) sein.", "password")
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        raise ServiceError("Dieses Passwort ist zu leicht zu erraten. Bitte wählen Sie ein anderes, "
                           "z. B. einen Satz aus mehreren Wörtern.", "password")


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def create_user(session: Session, email: str, password: str, role: Role, name: str = "") -> User:
    if find_by_email(session, email) is not None:
        raise ServiceError(f"Es gibt bereits ein Konto für {email}.", "email")
    check_password_policy(password, email)
    user = User(email=normalise_email(email), name=name, role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_policy(password, user.email)
    user.set_password(password)
    session.flush()


def authenticate(session: Session, email: str, password: str) -> AuthResult:
    """Check credentials; one message for unknown e-mail and wrong password (no account probing).

    After too many failures the account is locked for a while (``crm.services.login_throttle``):
    then even the right password is refused, and unknown addresses get the same lock message.
    """
    from crm.services import login_throttle

    user = find_by_email(session, email)
    wrong = AuthResult(None, _l("E-Mail-Adresse oder Passwort ist falsch."))
    locked = AuthResult(None, _l("Zu viele fehlgeschlagene Anmeldungen. Die Anmeldung ist vorübergehend "
                                 "gesperrt; bitte versuchen Sie es in %(minutes)s Minuten erneut.",
                                 minutes=login_throttle._settings()[1]), is_locked=True)
    if user is None:
        address = normalise_email(email)
        if login_throttle.unknown_email_locked(address):
            return locked
        login_throttle.register_unknown_failure(address)
        return locked if login_throttle.unknown_email_locked(address) else wrong
    if login_throttle.is_locked(user):
        return locked
    if not user.check_password(password):
        now_locked = login_throttle.register_failure(user)
        session.flush()
        return locked if now_locked else wrong
    if not user.is_enabled:
        return AuthResult(None, _l("Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration."))
    login_throttle.register_success(user)
    user.last_login_at = utcnow()
    session.flush()
    return AuthResult(user)
