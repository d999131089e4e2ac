"""Time `manage.py load_library` twice in a row on a fresh database (first load, then an idempotent re-run).

Run from the project root: ``python bench/bench_library.py``. Uses a throwaway SQLite file unless
BENCH_DATABASE_URL is set (e.g. to a scratch PostgreSQL database). Target: both loads together < 2 s.
"""

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

TARGET_SECONDS = 2.0


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    with tempfile.TemporaryDirectory() as scratch:
        # Must be set before Django reads its settings.
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3"
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
        import django

        django.setup()
        from django.core.management import call_command

        from library.models import Exercise

        call_command("migrate", verbosity=0, interactive=False)
        timings, outputs = [], []
        for _ in range(2):
            out = StringIO()
            start = time.perf_counter()
            call_command("load_library", stdout=out)
            timings.append(time.perf_counter() - start)
            outputs.append(out.getvalue().strip())
        shipped = Exercise.objects.filter(clinic__isnull=True).count()

    for label, seconds, output in zip(["first load", "second load"], timings, outputs, strict=True):
        print(f"{label}: {seconds * 1000:.0f} ms — {output}")
    total = sum(timings)
    print(f"shipped exercises: {shipped}")
    ok = total < TARGET_SECONDS
    print(f"both loads: {total * 1000:.0f} ms; target < {TARGET_SECONDS:.0f} s: {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
