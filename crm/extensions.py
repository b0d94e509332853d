"""Flask extensions, created unbound; ``create_app`` binds them with ``init_app``."""
from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from crm.models.base import Base

# Models derive from our own typed `Base`; Flask-SQLAlchemy only manages engine and session.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
