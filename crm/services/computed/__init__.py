"""Computed results: what the background worker computes and pages read (DESIGN.md rule 8)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The app's cache (``cache``) and the listeners that keep the data version (``versions``)."""
    from crm.services.computed import cache, kinds, versions  # noqa: F401 - kinds registers the computations

    cache.init_app(app)
    versions.install()
