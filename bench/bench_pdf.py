"""The printed home-exercise program (issue #7, Performance): render time, cached download, batch memory.

Run from the project root: ``python bench/bench_pdf.py``. Uses a throwaway SQLite file and media folder
unless BENCH_DATABASE_URL is set. Builds a phase of the ten shipped exercises with the longest instructions,
each with a picture, then measures:

- a warm render (fonts, stylesheet and pictures already loaded) of that phase: median of 15, target ≤ 300 ms
  (the process's CPU time is printed too: on a busy machine the wall-clock time mostly measures the wait);
- a cached download through the view with the test client, logged in as the athlete: median of 50,
  target ≤ 10 ms;
- 100 programs (100 athletes, nothing cached) rendered and joined into one PDF by `hep_batch`, the admin's
  batch print: growth of the peak resident memory, target ≤ 50 MB.

BENCH_BATCH sets the batch size (100). Exit status 1 when a target is missed.
"""

import io
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

RENDER_TARGET_MS = 300
DOWNLOAD_TARGET_MS = 10
BATCH_MEMORY_TARGET_MB = 50


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler(threading.Thread):
    """The highest resident memory seen while it runs (sampled every 5 ms): the process's own peak may
    come from earlier work, such as loading the library."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = current_rss_mb()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, current_rss_mb())
            time.sleep(0.005)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.peak, current_rss_mb())


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): 19 of 20 measurements were at most this."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def picture(number: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (236, 253, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((520, 80, 680, 240), outline=(15, 118, 110), width=20)
    draw.line((600, 240, 560 + 20 * number, 620), fill=(15, 118, 110), width=24)
    draw.line((560 + 20 * number, 620, 420, 860), fill=(15, 118, 110), width=24)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build(batch: int):
    """A clinic, `batch` athletes, and a one-phase plan of ten pictured exercises for each of them."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from library.models import Exercise
    from portal.models import Athlete, CareTeamMember, Clinic, Clinician, User
    from portal.services import clinician_grant_access
    from rehab import services
    from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanTemplate

    call_command("load_library", stdout=io.StringIO())
    exercises = sorted(Exercise.objects.shipped(), key=lambda e: -sum(len(step) for step in e.steps))[:10]
    for number, exercise in enumerate(exercises):
        exercise.image.save(f"{number}.png", ContentFile(picture(number)), save=True)
    clinic = Clinic.objects.create(name="Riverside Running Physio", slug="riverside")
    physio = User.objects.create_user(email="physio@bench.example", first_name="Maya", last_name="Okafor")
    clinician_grant_access(physio)
    clinician = Clinician.objects.create(user=physio, clinic=clinic)
    template = PlanTemplate.objects.create(slug="bench", name="Outer hip: gluteal tendon pain")
    phase = PhaseTemplate.objects.create(
        template=template, order=1, name="Build side-hip strength", min_days=21,
        goal="Make the side-hip and buttock muscles strong enough to hold the pelvis level on one leg.",
        run_activity="walk_jog", run_minutes=24, sessions_per_week=3, walk_minutes=3, jog_minutes=1,
        max_pain_during=3, max_pain_after=3, next_day_pain_allowed=True,
        pain_note="Loading a tendon can bring some discomfort; up to 3/10 is fine if it has gone by the morning.",
        exit_criteria="Three walk/jog sessions in a row within the allowance and no pain the next morning.",
    )  # fmt: skip
    PhaseExerciseTemplate.objects.bulk_create(
        PhaseExerciseTemplate(
            phase=phase, exercise=exercise, order=order, sets=3, reps=10, per_side=True, days_per_week=3
        )  # fmt: skip
        for order, exercise in enumerate(exercises, start=1)
    )
    plans = []
    for n in range(batch):
        user = User.objects.create_user(email=f"runner{n}@bench.example", password="bench-password")
        athlete = Athlete.objects.create(
            clinic=clinic, user=user, first_name="Runner", last_name=f"Number {n}"
        )
        CareTeamMember.objects.create(athlete=athlete, clinician=clinician, is_primary=True)
        plans.append(services.plan_assign(athlete=athlete, template=template, by=physio, start=date.today()))
    return plans


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    batch = int(os.environ.get("BENCH_BATCH") or 100)
    with tempfile.TemporaryDirectory() as scratch:
        # Must be set before Django reads its settings.
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3"
        )
        os.environ["MEDIA_ROOT"] = f"{scratch}/media"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django.urls import reverse
        from pypdf import PdfReader

        from rehab import pdf
        from rehab.models import Plan

        setup_test_environment()  # the test client's host name
        call_command("migrate", verbosity=0, interactive=False)
        plans = build(batch)
        plan = Plan.objects.select_related("athlete__clinic", "current_phase", "assigned_by").get(
            pk=plans[0].pk
        )

        # Warm render.
        for _ in range(2):
            pdf.render_hep(plan)
        renders, cpu = [], []
        for _ in range(15):
            start, start_cpu = time.perf_counter(), time.process_time()
            data = pdf.render_hep(plan)
            renders.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        pages = len(PdfReader(io.BytesIO(data)).pages)

        # Cached download through the view.
        client = Client()
        client.force_login(plan.athlete.user)
        url = reverse("rehab:plan_print", args=[plan.pk])
        assert client.get(url).status_code == 200
        downloads = []
        for _ in range(50):
            start = time.perf_counter()
            response = client.get(url)
            downloads.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

        # The admin's batch print: nothing cached, every program rendered, one PDF.
        cache.clear()
        batch_plans = list(Plan.objects.select_related("athlete__clinic", "current_phase", "assigned_by"))
        pdf.render_hep(batch_plans[0])  # the per-process setup is not what we measure
        rss_before = current_rss_mb()
        sampler = RssSampler()
        sampler.start()
        start = time.perf_counter()
        with tempfile.TemporaryFile() as out:  # as the admin action does
            pdf.hep_batch(batch_plans, out)
            batch_seconds = time.perf_counter() - start
            peak_growth = sampler.stop() - rss_before
            retained = current_rss_mb() - rss_before
            out.seek(0)
            combined = out.read()
        combined_pages = len(PdfReader(io.BytesIO(combined)).pages)

    render_ms = statistics.median(renders)
    download_ms = statistics.median(downloads)
    results = [
        (
            f"warm render, 10 exercises with pictures ({pages} pages, {len(data) // 1024} KB): median "
            f"{render_ms:.0f} ms, p95 {p95(renders):.0f} ms (min {min(renders):.0f}; CPU time median "
            f"{statistics.median(cpu):.0f} ms, p95 {p95(cpu):.0f} ms); target ≤ {RENDER_TARGET_MS} ms median",
            render_ms <= RENDER_TARGET_MS,
        ),
        (
            f"cached download through the view: median {download_ms:.1f} ms, p95 {p95(downloads):.1f} ms "
            f"(max {max(downloads):.1f}); target ≤ {DOWNLOAD_TARGET_MS} ms median",
            download_ms <= DOWNLOAD_TARGET_MS,
        ),
        (
            f"batch of {len(batch_plans)} programs: {batch_seconds:.1f} s "
            f"({batch_seconds / len(batch_plans) * 1000:.0f} ms each), {combined_pages} pages, "
            f"{len(combined) // 1024} KB; peak memory "
            f"+{peak_growth:.1f} MB, retained +{retained:.1f} MB; target ≤ {BATCH_MEMORY_TARGET_MB} MB",
            peak_growth <= BATCH_MEMORY_TARGET_MB,
        ),
    ]
    subset = "HarfBuzz subsetter present" if _has_harfbuzz_subset() else "no HarfBuzz subsetter (slower)"
    print(f"({subset})")
    for line, ok in results:
        print(f"{line}: {'ok' if ok else 'MISSED'}")
    return 0 if all(ok for _, ok in results) else 1


def _has_harfbuzz_subset() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return bool(harfbuzz_subset)


if __name__ == "__main__":
    sys.exit(main())
