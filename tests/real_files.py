"""Where the real third-party files for import and export tests live.

They ship with the tests (``tests/fixtures/real``, origins and licences in its SOURCES.txt),
so a clone runs its tests wherever it is checked out.
"""
from pathlib import Path

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
