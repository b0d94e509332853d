"""Audit log: who changed what, when. Written by the session listener in ``crm.services.privacy.audit``."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, utcnow
from crm.models.users import User


class AuditEntry(Base):
    """One change to one record. ``changes`` maps field -> [old, new] (JSON-safe values)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True, index=True)
    actor_label: Mapped[str] = mapped_column(String(200), nullable=False, default="",
                                             doc="Who, as text: a user's e-mail or 'cli', kept if the user goes.")
    action: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"
