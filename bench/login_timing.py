"""How long a failed login takes for a known and an unknown e-mail address (should be the same).

Before the fix an unknown address answered in 3–4 ms and a known one in 126–143 ms (the password
hash was checked only for known accounts), so the answer time told which accounts exist.

    SECRET_KEY=dev-only .venv/bin/python bench/login_timing.py
"""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path


def main(rounds: int = 15) -> None:
    from flask_migrate import upgrade

    from crm import create_app
    from crm.extensions import db
    from crm.models import Role
    from crm.services.accounts.users import create_user

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                          "LOGIN_RATE_LIMIT": 0, "LOGIN_MAX_FAILURES": 10_000})
        with app.app_context():
            upgrade()
            create_user(db.session, "bekannt@stadt.example", "ein langes Passwort", Role.VIEWER)
            db.session.commit()
        client = app.test_client()
        page = client.get("/anmelden").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        results = {}
        for email in ("bekannt@stadt.example", "unbekannt@stadt.example"):
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                client.post("/anmelden", data={"csrf_token": token, "email": email, "password": "falsch-falsch"})
                times.append((time.perf_counter() - start) * 1000)
            results[email] = times
        for email, times in results.items():
            print(f"{email:28} median {statistics.median(times):6.1f} ms  min {min(times):6.1f}  max {max(times):6.1f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
