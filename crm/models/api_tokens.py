"""Personal API tokens: a user's key for the JSON API (``/api/v1``).

Only a SHA-256 hash of the token is stored; the token itself is shown once, when it is
created. A token acts with its user's role (the same ``crm.permissions``), can be limited
to reading, expires, and can be revoked; revoked tokens stay for the record.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, utcnow
from crm.models.users import User


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True,
                                            doc="SHA-256 (hex) of the token; the token itself is never stored.")
    prefix: Mapped[str] = mapped_column(String(16), nullable=False, default="",
                                        doc="The first characters, so the user can tell tokens apart.")
    is_read_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def __str__(self) -> str:
        return self.name or self.prefix

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.prefix!r}>"
