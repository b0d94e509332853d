"""Flask-Admin for administrators: user accounts, vocabularies and the (read-only) audit log.

Every view asks ``crm.permissions``; the forms derive from Flask-WTF's ``FlaskForm``
so the app-wide CSRF protection covers the admin too.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, flash, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.model import filters as model_filters
from flask_admin.model import typefmt
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import Optional

from crm.extensions import db
from crm.models import (
    Actor,
    ActorKind,
    Area,
    AuditEntry,
    CooperationType,
    EventKind,
    LifeStage,
    TargetGroup,
    Topic,
    User,
)
from crm.permissions import ROLE_LABELS, Permission, can
from crm.services.accounts import login_throttle
from crm.services.accounts import users as user_service
from crm.services.accounts.login_throttle import is_locked
from crm.services.accounts.users import normalise_email
from crm.services.errors import ServiceError
from crm.services.privacy import audit

BERLIN = ZoneInfo("Europe/Berlin")


class _Guarded:
    """Admin views are for administrators only: 401 → login, others 403."""

    def is_accessible(self) -> bool:
        return can(Permission.ADMINISTER)

    def inaccessible_callback(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        abort(403)


class IndexView(_Guarded, AdminIndexView):
    @expose("/")
    def index(self):
        return self.render("admin/crm_index.html")


def local_time(value: datetime | None) -> str:
    """A stored moment (UTC) as the office reads it: Europe/Berlin, no microseconds (07.12.2026 14:05:09)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S")


def _local_time(view: Any, value: datetime, name: str) -> str:
    return local_time(value)


LIST_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: _local_time}
DETAIL_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime: _local_time}


class SecureModelView(_Guarded, ModelView):
    form_base_class = FlaskForm
    page_size = 50
    can_set_page_size = True
    # Every moment in local time, without the microseconds of the stored UTC value.
    column_type_formatters = LIST_FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS

    def edit_form(self, obj: Any = None) -> Any:
        # Flask-Admin's own form base remembers the edited object as ``_obj``, and its unique-column
        # validator needs it; Flask-WTF's does not, so without this every edit of a user (unique
        # e-mail) failed with "Existiert bereits".
        form = super().edit_form(obj)
        form._obj = obj
        return form


class VocabularyView(SecureModelView):
    column_list: tuple[str, ...] = ("name", "sort_order", "is_active")
    column_labels = {"name": "Name", "sort_order": "Reihenfolge", "is_active": "Aktiv", "category": "Kategorie",
                     "is_individual": "Einzelperson", "code": "Kürzel", "is_directed": "Gerichtet",
                     "description": "Beschreibung", "parent": "Übergeordnet", "level": "Ebene"}
    column_searchable_list = ("name",)
    column_default_sort = ("sort_order", False)
    # Vocabulary entries are referenced by history; retire them (Aktiv = nein) instead.
    can_delete = False


class ActorKindView(VocabularyView):
    column_list = ("name", "category", "is_individual", "sort_order", "is_active")
    column_filters = ("category", "is_active")
    form_columns = ("name", "category", "is_individual", "sort_order", "is_active")


class LifeStageView(VocabularyView):
    column_list = ("sort_order", "code", "name", "is_active")
    form_columns = ("code", "name", "sort_order", "is_active")


class CooperationTypeView(VocabularyView):
    column_list = ("name", "is_directed", "sort_order", "is_active")
    form_columns = ("name", "is_directed", "description", "sort_order", "is_active")


class SimpleVocabularyView(VocabularyView):
    form_columns = ("name", "sort_order", "is_active")


class EventKindView(VocabularyView):
    column_list = ("name", "is_workshop", "sort_order", "is_active")
    form_columns = ("name", "is_workshop", "sort_order", "is_active")
    column_labels = {**VocabularyView.column_labels, "is_workshop": "Werkstatt (Gruppen, Vorschläge, Punkte)"}


class AreaView(VocabularyView):
    column_list = ("name", "level", "parent", "is_active")
    column_default_sort = ("name", False)
    form_columns = ("name", "level", "parent", "sort_order", "is_active")


class ActorView(SecureModelView):
    """Master data of actors for administrators (name, kind, area, parent, reference, period).

    Saving goes through the actor service (``create_actor`` / ``update_actor``) like the actor form,
    the API and the import, so the same rules refuse the same things: the refusal appears under its
    field. Deleting and merging stay on the actor page, which says what goes with an actor.
    """

    column_list = ("name", "kind", "area", "external_ref", "is_active")
    column_labels = {"name": "Name", "kind": "Art", "area": "Gebiet", "parent": "Übergeordneter Akteur",
                     "external_ref": "Externe Kennung", "is_active": "Aktiv", "active_from": "Tätig seit",
                     "active_until": "Tätig bis", "short_name": "Kurzname"}
    column_searchable_list = ("name", "external_ref")
    column_filters = ("is_active",)
    column_default_sort = ("name", False)
    form_columns = ("name", "short_name", "kind", "area", "parent", "external_ref", "is_active", "active_from",
                    "active_until")
    # A select of every actor grows with the landscape: the parent is searched as one types.
    form_ajax_refs = {"parent": {"fields": ("name",), "page_size": 15}}
    can_delete = False

    def scaffold_form(self) -> Any:
        # Flask-Admin adds its own "Existiert bereits" check for unique columns (case-sensitive, and
        # a second copy of a rule): the reference is the service's rule, so its check is removed.
        from flask_admin.contrib.sqla.validators import Unique

        form_class = super().scaffold_form()
        field = form_class.external_ref
        field.kwargs["validators"] = [v for v in field.kwargs.get("validators", []) if not isinstance(v, Unique)]
        return form_class

    @staticmethod
    def _values(form: Any) -> dict[str, Any]:
        values = {name: form[name].data for name in ActorView.form_columns if name in form}
        for key in ("name", "short_name", "external_ref"):
            values[key] = (values.get(key) or "").strip()
        return values

    def create_model(self, form: Any) -> Any:
        from crm.services.landscape import actors as actor_service
        from crm.transaction import saving

        with saving(form) as saved:
            actor = actor_service.create_actor(db.session, self._values(form))
        return actor if saved else False

    def update_model(self, form: Any, model: Any) -> bool:
        from crm.services.landscape import actors as actor_service
        from crm.transaction import saving

        with saving(form) as saved:
            actor_service.update_actor(db.session, model, self._values(form), None)
        return bool(saved)


class UserView(SecureModelView):
    column_list = ("email", "name", "role", "is_enabled", "last_login_at", "locked_until")
    column_labels = {"email": "E-Mail", "name": "Name", "role": "Rolle", "is_enabled": "Aktiv",
                     "last_login_at": "Letzte Anmeldung", "new_password": "Neues Passwort", "locale": "Sprache",
                     "locked_until": "Gesperrt bis"}
    column_searchable_list = ("email", "name")
    column_filters = ("role", "is_enabled")
    column_formatters = {"role": lambda v, c, m, p: ROLE_LABELS.get(m.role, m.role),
                         "locked_until": lambda v, c, m, p: local_time(m.locked_until) if is_locked(m) else ""}
    form_columns = ("email", "name", "role", "is_enabled", "locale", "new_password")
    form_extra_fields = {"new_password": PasswordField(
        "Neues Passwort", validators=[Optional()],
        description=f"Mindestens {user_service.MIN_PASSWORD_LENGTH} Zeichen, nicht die E-Mail-Adresse und kein "
                    "häufiges Passwort. Ein neues Passwort beendet alle Anmeldungen des Kontos.")}
    form_choices = {"role": [(r.value, ROLE_LABELS[r]) for r in ROLE_LABELS],
                    "locale": [("", "Browser"), ("de", "Deutsch"), ("en", "English")]}
    can_delete = False  # accounts are disabled, so the audit log keeps its authors

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        model.email = normalise_email(model.email)
        password = form.new_password.data
        if is_created and not password:
            raise ValueError("Für ein neues Konto ist ein Passwort nötig.")
        if password:
            try:
                # The one rule for passwords: policy, hash, end of other sessions, lock-out lifted.
                user_service.set_password(db.session, model, password)
            except ServiceError as error:
                raise ValueError(error.message) from error

    def after_model_change(self, form: Any, model: User, is_created: bool) -> None:
        from crm.security import stamp_session

        if not is_created and form.new_password.data and model.id == current_user.id:
            stamp_session(model)  # an administrator who set their own password stays logged in here

    @action("unlock", "Sperre aufheben", "Die Anmeldesperre der gewählten Konten aufheben?")
    def action_unlock(self, ids: list[str]) -> None:
        """After too many failed logins an account waits out its lock; an administrator who has
        checked with the person can lift it at once (audited like every write)."""
        users = db.session.scalars(db.select(User).where(User.id.in_([int(i) for i in ids]))).all()
        locked = [user for user in users if is_locked(user) or user.failed_logins]
        for user in locked:
            login_throttle.reset(db.session, user.email, user)
            audit.record(db.session, "unlock", user, f"Anmeldesperre von {user.email} aufgehoben")
        db.session.commit()
        flash(f"Sperre aufgehoben für {len(locked)} Konto/Konten.", "success")



def _day_start(day: date) -> datetime:
    """Start of a Berlin day as aware UTC: ``created_at`` is an aware UTCDateTime, and Flask-Admin's own
    datetime filters hand it naive values (which the column type refuses), so we filter by day."""
    return datetime.combine(day, time.min, tzinfo=BERLIN).astimezone(UTC)


def _next_day_start(day: date) -> datetime:
    return _day_start(day + timedelta(days=1)) if day < date.max else datetime.max.replace(tzinfo=UTC)


class DayFromFilter(sqla_filters.BaseSQLAFilter, model_filters.BaseDateFilter):
    def apply(self, query: Any, value: date, alias: Any = None) -> Any:
        return query.filter(self.get_column(alias) >= _day_start(value))

    def operation(self) -> str:
        return "ab (Tag)"


class DayUntilFilter(sqla_filters.BaseSQLAFilter, model_filters.BaseDateFilter):
    def apply(self, query: Any, value: date, alias: Any = None) -> Any:
        return query.filter(self.get_column(alias) < _next_day_start(value))

    def operation(self) -> str:
        return "bis (Tag)"


class DayBetweenFilter(sqla_filters.BaseSQLAFilter, model_filters.BaseDateBetweenFilter):
    def __init__(self, column: Any, name: str) -> None:
        super().__init__(column, name, data_type="daterangepicker")

    def apply(self, query: Any, value: list[date], alias: Any = None) -> Any:
        column = self.get_column(alias)
        return query.filter(column >= _day_start(value[0]), column < _next_day_start(value[1]))


class DayEqualFilter(sqla_filters.BaseSQLAFilter, model_filters.BaseDateFilter):
    def apply(self, query: Any, value: date, alias: Any = None) -> Any:
        column = self.get_column(alias)
        return query.filter(column >= _day_start(value), column < _next_day_start(value))

    def operation(self) -> str:
        return "am (Tag)"


class AuditView(SecureModelView):
    """The audit log can be read and filtered, never edited through the app."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    column_list = ("created_at", "actor_label", "action", "entity_type", "entity_id", "summary")
    column_labels = {"created_at": "Zeitpunkt", "actor_label": "Wer", "action": "Aktion",
                     "entity_type": "Art", "entity_id": "Nr.", "summary": "Datensatz", "changes": "Änderungen"}
    column_filters = ("actor_label", "action", "entity_type", "entity_id",
                      DayEqualFilter(AuditEntry.created_at, "Zeitpunkt"),
                      DayFromFilter(AuditEntry.created_at, "Zeitpunkt"),
                      DayUntilFilter(AuditEntry.created_at, "Zeitpunkt"),
                      DayBetweenFilter(AuditEntry.created_at, "Zeitpunkt"))
    column_searchable_list = ("summary", "actor_label")
    action_disallowed_list = ("delete",)
    # Words instead of internal codes: „angelegt“, „Kooperation“, and a name instead of a repr.
    column_formatters = {
        "action": lambda v, c, m, p: audit.ACTION_LABELS.get(m.action, m.action),
        "entity_type": lambda v, c, m, p: audit.ENTITY_LABELS.get(m.entity_type, m.entity_type),
        "summary": lambda v, c, m, p: audit.readable_summary(m),
    }
    column_default_sort = ("id", True)


def init_app(app: Flask) -> None:
    from crm.security import csp_nonce

    # The base template adds lang, a skip link and the app's accessibility styles (issue 16).
    admin = Admin(app, name="Bildungsnetz · Verwaltung",
                  theme=Bootstrap4Theme(fluid=True, base_template="admin/bildungsnetz_base.html"),
                  index_view=IndexView(name="Übersicht", url="/admin"), csp_nonce_generator=csp_nonce)
    session = db
    admin.add_view(UserView(User, session, name="Benutzerkonten", endpoint="admin_users"))
    admin.add_view(ActorView(Actor, session, name="Akteure (Stammdaten)", endpoint="admin_actors"))
    admin.add_view(ActorKindView(ActorKind, session, name="Akteursarten", category="Vokabulare",
                                 endpoint="admin_actor_kinds"))
    admin.add_view(LifeStageView(LifeStage, session, name="Bildungsphasen", category="Vokabulare",
                                 endpoint="admin_life_stages"))
    admin.add_view(SimpleVocabularyView(Topic, session, name="Themenfelder", category="Vokabulare",
                                        endpoint="admin_topics"))
    admin.add_view(AreaView(Area, session, name="Gebiete", category="Vokabulare", endpoint="admin_areas"))
    admin.add_view(CooperationTypeView(CooperationType, session, name="Kooperationsarten",
                                       category="Vokabulare", endpoint="admin_cooperation_types"))
    admin.add_view(EventKindView(EventKind, session, name="Veranstaltungsarten",
                                        category="Vokabulare", endpoint="admin_event_kinds"))
    admin.add_view(SimpleVocabularyView(TargetGroup, session, name="Zielgruppen", category="Vokabulare",
                                        endpoint="admin_target_groups"))
    admin.add_view(AuditView(AuditEntry, session, name="Protokoll", endpoint="admin_audit"))
