"""User accounts of the Bildungsbüro and the city departments."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, str_enum, utcnow


class Role(enum.StrEnum):
    """Closed set of roles; what each may do is decided in ``crm.permissions`` alone."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ORGANISER = "organiser"
    VIEWER = "viewer"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(str_enum(Role), nullable=False, default=Role.VIEWER)
    is_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="")
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)
    session_epoch: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0,
        doc="Raised on logout and password change; a session cookie carrying an older epoch is refused, "
            "so a copied cookie dies with the logout.")
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    def __str__(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role.value}>"
