"""Import batches: an uploaded file kept on the server between preview and commit.

The file's bytes live here rather than in the session cookie (which is small, signed
but readable, and sent with every request). A batch belongs to the user who uploaded
it and is addressed by a random token, so one user cannot open another's upload.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, str_enum, utcnow
from crm.models.users import User


class ImportTarget(enum.StrEnum):
    """What a file holds; the Kumu target holds elements (actors) and connections (cooperations)."""

    ACTORS = "actors"
    PERSONS = "persons"
    COOPERATIONS = "cooperations"
    KUMU = "kumu"
    OFFERS = "offers"


class ImportStatus(enum.StrEnum):
    PENDING = "pending"        # uploaded, being mapped and checked
    COMMITTED = "committed"    # imported; kept for the result page until cleaned up
    DISCARDED = "discarded"


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    target: Mapped[ImportTarget] = mapped_column(str_enum(ImportTarget), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    # Up to 20 MB: loaded only when a step reads the file, not with every list of batches.
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict,
                                                    doc="Per sheet: column index -> field key.")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict,
                                                    doc="Default kind/type and value mappings.")
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus), nullable=False,
                                                 default=ImportStatus.PENDING, index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, index=True)
    committed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    created_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.filename

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.target.value} {self.filename!r} {self.status.value}>"
