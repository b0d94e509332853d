"""``graph`` stays a plain library: no Flask, no SQLAlchemy, no ``crm``, no prints."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import graph

PACKAGE = Path(graph.__file__).resolve().parent
FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "crm", "flask_admin", "flask_login"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def test_no_module_imports_the_web_application_or_the_database() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_every_module_loads_none_of_them() -> None:
    modules = ", ".join(f"graph.{p.stem}" for p in _modules() if p.stem != "__init__")
    code = (f"import sys, {modules}\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)


def test_library_code_does_not_print() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not calls, f"{path.name} prints"
