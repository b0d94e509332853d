"""Flask extensions, created unbound; ``create_app`` binds them with ``init_app``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from crm.models.base import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    class _Database(SQLAlchemy):
        """For the type checker only: ``db.session`` is a ``scoped_session`` that hands every call to
        the request's ``Session``, so services can be typed with ``Session`` and take ``db.session``."""

        session: Session  # type: ignore[assignment]
else:
    _Database = SQLAlchemy

# Models derive from our own typed `Base`; Flask-SQLAlchemy only manages engine and session.
db = _Database(metadata=Base.metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
