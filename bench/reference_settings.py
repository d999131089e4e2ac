"""Settings for bench_caseload.py's gunicorn: portal.settings plus the reference page (bench/reference_urls.py)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference_urls"
