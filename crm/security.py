"""HTTP hardening: security headers, Content-Security-Policy with nonces, cookies and sessions that end.

Why each header (a municipal data protection officer will ask):

* ``Content-Security-Policy``: scripts only from this server or with the per-request nonce
  (``{{ csp_nonce() }}`` in templates), so an injected ``<script>`` or ``onerror=`` never runs
  even if escaping were missed somewhere. ``<style>`` elements need the nonce too; ``style``
  *attributes* stay allowed (``style-src-attr``) because they cannot run code.
  ``frame-ancestors 'self'``: no other site can frame our pages (clickjacking); our own pages
  may embed our own network views. The public portal (``/portal``) may also be framed by the sites
  named in ``PORTAL_FRAME_ANCESTORS`` (the city's website); no other page ever.
* ``X-Frame-Options: SAMEORIGIN``: the same for browsers without CSP level 2 (left out on portal
  pages that other sites may frame, where it would contradict the CSP).
* ``Strict-Transport-Security``: only over HTTPS (``request.is_secure``) or when ``HSTS_ENABLED``
  says TLS ends in front of us; sending it over plain HTTP would be ignored anyway, and turning it
  on for an intranet host without a certificate would lock users out for a year.
* ``Referrer-Policy: same-origin``: personal answer links and search terms never leak to other hosts.
* ``X-Content-Type-Options: nosniff``, ``Permissions-Policy`` (no camera, microphone, geolocation …),
  ``Cross-Origin-Opener-Policy: same-origin``.

Sessions end three ways: after ``PERMANENT_SESSION_LIFETIME`` seconds from the login (absolute, even
while the user is active), after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and when the
account's ``session_epoch`` moves on (logout, new password). The times and the epoch are kept in
the signed session and checked on the server (the epoch in ``crm.auth``'s user loader), so a copied
cookie does not outlive the logout. API tokens count only on the API (``crm.permissions``); there
the session is not used at all, so the limits do not apply.

The session cookie is ``Secure`` whenever the request came over HTTPS (as ``PROXY_FIX`` reports it),
and always when ``SESSION_COOKIE_SECURE``, ``HSTS_ENABLED`` or ``PROXY_FIX`` is set (the last two say
that TLS ends in front of us).
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta

from flask import Flask, Response, current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user, user_logged_in

from crm.config import tile_source

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
EPOCH = "_epoch"

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb"))


def csp_nonce() -> str:
    """The nonce of this request, for ``<script nonce="…">`` and ``<style nonce="…">``."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(18)
    return nonce


# Flask-Admin's menus have ``href="javascript:void(0)"`` and ``onclick="return false;"`` links, and its
# list actions an ``onclick`` that runs the chosen action (the users' "Sperre aufheben"); CSP level 3
# allows exactly these snippets by their hashes ('unsafe-hashes'), on admin pages only. No other
# inline handler or javascript: URL runs anywhere. (Without the action's hash the action menu did
# nothing in a browser.)
ADMIN_HANDLER_HASHES = (
    "'sha256-2rvfFrggTCtyF5WOiTri1gDS8Boibj4Njn0e+VCBmDI='",  # return false;
    "'sha256-rRMdkshZyJlCmDX27XnL7g3zXaxv7ei6Sg+yt4R3svU='",  # javascript:void(0)
    "'sha256-P/G60fc79ddvvP/PIiV4aXKWZHpWcw18rjGE/KvwGiU='",  # return modelActions.execute('unlock');
)


def content_security_policy(nonce: str, extra_img: str = "", admin: bool = False, frame_ancestors: str = "") -> str:
    img = " ".join(filter(None, ("'self' data: blob:", extra_img.strip())))
    handlers = " 'unsafe-hashes' " + " ".join(ADMIN_HANDLER_HASHES) if admin else ""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'{handlers}",
        "style-src": f"'self' 'nonce-{nonce}'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": img,
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": " ".join(filter(None, ("'self'", frame_ancestors.strip()))),
        "frame-src": "'self'",
    }
    return "; ".join(f"{key} {value}" for key, value in directives.items())


def portal_frame_ancestors() -> str:
    """The sites allowed to frame this response: ``PORTAL_FRAME_ANCESTORS`` on the portal's pages
    (``/portal``), nothing anywhere else: the city's website may show the calendar and the offers,
    never a page with personal data or a login."""
    if request.path == "/portal" or request.path.startswith("/portal/"):
        return str(current_app.config.get("PORTAL_FRAME_ANCESTORS") or "")
    return ""


def safe_url(value: object) -> str:
    """Jinja filter ``|safe_url`` for user-entered links in ``href``: only http(s) and mailto pass, anything
    else (``javascript:``, ``data:``) becomes ``""``. The forms already refuse such links; this covers
    data that bypassed them (old imports, direct database edits)."""
    from urllib.parse import urlsplit

    text = str(value or "").strip()
    scheme = urlsplit(text).scheme.lower() if ":" in text else ""
    if scheme in ("http", "https", "mailto") and not any(c in text for c in "\r\n\t"):
        return text
    return ""


def _set_headers(response: Response) -> Response:
    config = current_app.config
    headers = response.headers
    embedders = portal_frame_ancestors()
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(csp_nonce(), " ".join(filter(None, (
                                                   config.get("CSP_IMG_SOURCES") or "",
                                                   tile_source(config.get("MAP_TILE_URL") or "")))),
                                               admin=request.path.startswith("/admin/"), frame_ancestors=embedders))
    if not embedders:
        # X-Frame-Options cannot name another site (ALLOW-FROM is gone from browsers); where other
        # sites may embed, it is left out rather than contradict the CSP (which browsers prefer anyway).
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure or config.get("HSTS_ENABLED"):
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={int(config.get('HSTS_MAX_AGE', 31536000))}; includeSubDomains")
    if current_user and getattr(current_user, "is_authenticated", False) and "Cache-Control" not in headers:
        # Pages with personal data must not stay in shared or back-button caches.
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
    return response


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if the request carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def api_token_request() -> bool:
    """An API request carrying a bearer token: it acts as the token's user and ignores the session."""
    return request.blueprint == "api" and bearer_token() is not None


def stamp_session(user) -> None:
    """Bind this session to the account's current epoch (at login, and after one's own new password)."""
    session[EPOCH] = int(user.session_epoch or 0)


def forget_session() -> None:
    """Drop the login from this session (logged out, expired, or refused for an old epoch)."""
    for key in ("_user_id", "_fresh", "_id", LOGIN_AT, SEEN_AT, EPOCH):
        session.pop(key, None)


def _end_session(message: str):
    logout_user()
    forget_session()
    from crm.errors import problem, wants_json

    if wants_json():
        return problem(401, message)
    flash(message, "info")
    return redirect(url_for("auth.login", next=request.path))


def _check_session():
    """Absolute and idle limits for users logged in through the session cookie (not API tokens)."""
    if request.endpoint == "static" or api_token_request():
        return None
    if "_user_id" not in session:
        return None
    now = time.time()
    config = current_app.config
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT, login_at)
    lifetime = int(config.get("PERMANENT_SESSION_LIFETIME_SECONDS") or 0)
    idle = int(config.get("SESSION_IDLE_TIMEOUT") or 0)
    if login_at is None or (lifetime and now - float(login_at) > lifetime):
        return _end_session("Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.")
    if idle and seen_at is not None and now - float(seen_at) > idle:
        return _end_session("Sie wurden nach längerer Inaktivität abgemeldet. Bitte melden Sie sich erneut an.")
    # Write at most once a minute: fewer Set-Cookie headers, same protection.
    if seen_at is None or now - float(seen_at) > 60:
        session[SEEN_AT] = now
    return None


def _on_login(sender: Flask, user, **extra) -> None:
    now = time.time()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    stamp_session(user)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``Secure`` also set per request when it came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    lifetime = app.config.get("PERMANENT_SESSION_LIFETIME", 8 * 3600)
    if isinstance(lifetime, timedelta):
        seconds = int(lifetime.total_seconds())
    else:
        seconds = int(lifetime)
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=seconds)
    app.config["PERMANENT_SESSION_LIFETIME_SECONDS"] = seconds
    # Cookies are per host, not per port: a distinct name keeps other apps on the same intranet host out.
    if app.config.get("SESSION_COOKIE_NAME") in (None, "session"):
        app.config["SESSION_COOKIE_NAME"] = "bildungsnetz_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # The remember-me cookie of Flask-Login has no server-side expiry; "Angemeldet bleiben" is a
    # persistent session cookie instead (crm.auth), bounded by the limits above.
    if app.config.get("PROXY_FIX") or app.config.get("HSTS_ENABLED"):
        app.config["SESSION_COOKIE_SECURE"] = True  # TLS ends in front of us: never send the cookie in clear
    app.session_interface = SessionInterface()
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=seconds)
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    # First in line: an expired session is ended before any permission check looks at it.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_session)
    app.after_request(_set_headers)
    user_logged_in.connect(_on_login, app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["safe_url"] = safe_url
