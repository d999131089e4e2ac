"""The printed home-exercise program (HEP): one phase of a plan on one or two pages, made with WeasyPrint.

`render_hep` always renders; `hep_pdf` reuses a cached copy until the plan's version, the phase, the paper,
the day or one of the phase's exercises (text or image) changes. `hep_prerender` fills that cache ahead of the
download (a job after every change: rehab/tasks/prints.py). `hep_batch` writes several plans to one file.

A printout never reaches the network: the URL fetcher serves only the shipped fonts, exercise images from
the storage backend, the drawn exercise figures (library.figures) and data: URLs (the QR code), so a stored
image name can never make the server fetch an address of its choosing.
"""

import atexit
import base64
import contextlib
import functools
import gc
import hashlib
import io
import logging
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, ngettext
from PIL import Image

from library import figures
from portal.languages import language_of_person
from portal.models import CareTeamMember, Clinic
from portal.uploads import within_pixel_limits
from rehab import wording
from rehab.models import Plan, PlanExercise, PlanPhase

logger = logging.getLogger(__name__)

PAPERS = {"a4": "A4", "letter": "Letter"}
ASSETS = Path(__file__).resolve().parent / "static" / "rehab"
ASSETS_URL = ASSETS.as_uri() + "/"
STYLESHEET = ASSETS / "hep.css"
PRINT_IMAGE_PIXELS = 320
TEMPLATE = "rehab/hep.html"
PARTIALS = ["rehab/_pain_free_rule.html"]  # included by TEMPLATE
CACHE_SECONDS = 24 * 60 * 60  # the printed date is in the stamp, so an entry is useless after a day anyway
IMAGE_CACHE_SECONDS = 30 * 24 * 60 * 60
MEDIA_SCHEME = "stride-media:"
FIGURE_SCHEME = "stride-figure:"
# The tick grid covers four weeks (most phases are reviewed after two to six), one column a week; each row
# has as many boxes a week as its prescription asks for: 2 for "2 days a week", 7 for every day.
TICK_WEEKS = range(1, 5)
# Done before or after each run rather than on days of their own, unless the plan gives their days.
RUN_TIED_KINDS = {"warm_up", "cool_down"}
# The tick-grid row of a phase's run prescription ("Running session" for the running activities).
RUN_ROWS = {"walk": gettext_lazy("Walk"), "cross_train": gettext_lazy("Cycling, swimming or rowing session")}
RUN_ROW = gettext_lazy("Running session")

# The clinic's details the printout shows (header and stop box): a change to any of them renders again.
CLINIC_PRINTED = ["name", "phone", "email", "address", "opening_hours", "out_of_hours", "logo"]

# The stop-and-contact list lives in rehab.wording (the pages show the same one).
STOP_WORDS, HIGH_PAIN, EMERGENCY_FLAG = wording.STOP_WORDS, wording.HIGH_PAIN, wording.EMERGENCY_FLAG
RED_FLAGS = wording.stop_list(pain_free=False)
EMERGENCY_ADVICE = gettext_lazy(
    "If you cannot put any weight on the leg, or you have a fever with a hot, red or swollen hip, "
    "get medical help the same day."
)


def paper_from(value: str | None) -> str:
    """The paper size for a query parameter ("a4" or "letter"); anything unknown is A4."""
    return PAPERS.get((value or "").strip().lower(), "A4")


def phase_for(plan: Plan, phase: PlanPhase | None = None) -> PlanPhase | None:
    """The phase to print: the one given, else the plan's current phase, else its first."""
    if phase is not None:
        return phase
    return plan.current_phase or plan.phases.order_by("order", "pk").first()


def hep_filename(plan: Plan, phase: PlanPhase) -> str:
    return f"hep-{slugify(plan.athlete.full_name) or 'athlete'}-{slugify(phase.name) or 'phase'}.pdf"


def log_url() -> str:
    return settings.SITE_URL + reverse("rehab:log_today")


def hep_context(plan: Plan, phase: PlanPhase, *, paper: str = "A4") -> dict:
    athlete = plan.athlete
    rows = list(PlanExercise.objects.filter(phase=phase).select_related("exercise").order_by("order", "pk"))
    phase_count = plan.phases.count()
    primary = (
        CareTeamMember.objects.filter(athlete=athlete, is_primary=True)
        .select_related("clinician__user")
        .first()
    )
    if primary is not None:
        clinician = primary.clinician.user.get_full_name() or primary.clinician.user.email
        profession = primary.clinician.get_profession_display()
    elif plan.assigned_by is not None:
        clinician, profession = plan.assigned_by.get_full_name() or plan.assigned_by.email, ""
    else:
        clinician, profession = "", ""
    url = log_url()
    started = phase.started_on
    exercises = [_exercise(number, row) for number, row in enumerate(rows, start=1)]
    return {
        "paper": paper,
        "clinic": athlete.clinic,
        "athlete": athlete,
        "clinician": clinician,
        "profession": profession,
        "today": timezone.localdate(),
        "plan": plan,
        "phase": phase,
        "phase_title": phase_title(phase, phase_count),
        "started": started,
        "review_from": started + timedelta(days=phase.min_days) if started and phase.min_days else None,
        "exercises": exercises,
        "exercise_rows": [exercises[i : i + 2] for i in range(0, len(exercises), 2)],
        "run_main": wording.run_main_text(phase),
        "run_steps": wording.run_steps_lines(phase),
        "runs": phase.run_activity != "none",
        "run_row": RUN_ROWS.get(phase.run_activity, RUN_ROW),
        "weeks": TICK_WEEKS,
        "tick_rows": tick_rows(phase, rows),
        "note_lines": range(note_lines(len(rows))),
        "red_flag_columns": _columns(wording.stop_list(pain_free=plan.pain_free)),
        "emergency_flag": EMERGENCY_FLAG,
        "emergency": EMERGENCY_ADVICE,
        "contact": clinic_contact(athlete.clinic),
        "clinic_logo": _clinic_logo(athlete.clinic),
        "log_url": url,
        "log_url_short": url.split("://", 1)[-1],
        "qr": _qr_data_uri(url),
    }


def note_lines(exercises: int) -> int:
    """Ruled lines for notes, last on page 2: fewer the more exercises take the room (11 for four or fewer, 7 for
    eight, the most a shipped protocol's phase has) and none beyond eight, so the program stays on two pages."""
    return 0 if exercises > 8 else min(11, 15 - exercises)


def tick_rows(phase: PlanPhase, rows: list[PlanExercise]) -> list[dict]:
    """One row of the tick grid per exercise and one for the running, each with its boxes a week: the
    exercise's days a week, else the run's sessions for a warm-up or cool-down in a phase with running (done
    with each run), else every day; the phase's sessions a week for the run."""
    runs = phase.run_activity != "none"
    run_row = str(RUN_ROWS.get(phase.run_activity, RUN_ROW))
    ticks = []
    for number, row in enumerate(rows, start=1):
        label = f"{number}. {row.exercise.name}"
        if not row.days_per_week and runs and row.exercise.kind in RUN_TIED_KINDS:
            ticks.append(_ticks(label, phase.sessions_per_week, with_run=True))
        else:
            ticks.append(_ticks(label, row.days_per_week))
    if runs:
        ticks.append(_ticks(run_row, phase.sessions_per_week))
    return ticks


def _ticks(label: str, per_week: int | None, *, with_run: bool = False) -> dict:
    boxes = min(per_week or 7, 7)
    if with_run:
        often = gettext("each session")
    elif boxes == 7:
        often = gettext("every day")
    else:
        often = ngettext("%(count)d day a week", "%(count)d days a week", boxes) % {"count": boxes}
    return {"label": label, "boxes": boxes, "often": often}


def _columns(lines: list[str]) -> list[list[str]]:
    half = (len(lines) + 1) // 2
    return [lines[:half], lines[half:]]


def _clinic_logo(clinic) -> str:
    logo = getattr(clinic, "logo", None)
    return MEDIA_SCHEME + logo.name if logo else ""


def clinic_contact(clinic) -> str:
    """How to reach the clinic, e.g. "Call Riverside on 020 7946 0000 or email desk@riverside.example."."""
    phone, email = clinic.phone.strip(), clinic.email.strip()
    if phone and email:
        return gettext("Call %(clinic)s on %(phone)s or email %(email)s.") % {
            "clinic": clinic.name,
            "phone": phone,
            "email": email,
        }
    if phone:
        return gettext("Call %(clinic)s on %(phone)s.") % {"clinic": clinic.name, "phone": phone}
    if email:
        return gettext("Email %(clinic)s at %(email)s.") % {"clinic": clinic.name, "email": email}
    return ""


def phase_title(phase: PlanPhase, count: int) -> str:
    """The phase heading, e.g. "Phase 2 of 4: walk/jog intervals" (without repeating a leading "Phase 2:")."""
    if count <= 1:
        return phase.name
    rest = phase.bare_name
    numbers = {"number": phase.order, "count": count, "name": rest}
    return (
        gettext("Phase %(number)s of %(count)s: %(name)s") % numbers
        if rest
        else gettext("Phase %(number)s of %(count)s") % numbers
    )


def _exercise(number: int, row: PlanExercise) -> dict:
    exercise = row.exercise
    return {
        "number": number,
        "name": exercise.name,
        "dosage": row.dosage_text(),
        "steps": exercise.steps,
        "cue": exercise.cues[0] if exercise.cues else "",
        # Printed as one run of sentences after the key point: "Take care: If …. With …."
        "avoid_when": [line.strip().rstrip(".") for line in exercise.avoid_when if line.strip().rstrip(".")],
        # The clinic's own picture, else the drawn start and end positions (library.figures).
        "image": MEDIA_SCHEME + exercise.image.name if exercise.image else figure_uri(exercise.slug),
        "drawn": not exercise.image and figures.has_figure(exercise.slug),
        # The clinic's video of the exercise: paper cannot link, so a code the phone's camera opens.
        "video_qr": _qr_data_uri(exercise.video_url) if exercise.video_url else "",
    }


def figure_uri(slug: str) -> str:
    """Where the printout finds the drawn start → end figure of an exercise (served by the URL fetcher from
    figure_svg), or "" when none is drawn. A short address, not the drawing itself as a data: URL: ten of those
    made the page three times as long for the HTML parser to read on every render."""
    return FIGURE_SCHEME + slug if slug and figures.has_figure(slug) else ""


@functools.cache
def figure_svg(slug: str) -> bytes:
    """The drawn start → end figure as SVG, made once per process: the drawings change only with a deploy."""
    return figures.exercise_svg(slug).encode()


@functools.lru_cache(maxsize=512)
def _qr_data_uri(url: str) -> str:
    """The QR code of `url` as a data: URL, made once per process and address (the log page's address is on
    every program)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(border=0, dark="#1f2937", omitsize=True)


def render_hep(plan: Plan, *, phase: PlanPhase | None = None, paper: str = "A4") -> bytes:
    """The program for `phase` (default: the current one) as PDF bytes. Always renders; see hep_pdf."""
    phase = phase_for(plan, phase)
    if phase is None:
        raise ValueError("This plan has no phases to print.")
    # In the athlete's language, whoever prints it (portal.languages).
    with translation.override(language_of_person(plan.athlete)):
        html = render_to_string(TEMPLATE, hep_context(plan, phase, paper=paper))
    with collector_paused():
        return _document(html).write_pdf()


_pauses = {"renders": 0, "enable_after": False}
_pauses_lock = threading.Lock()


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector is off while WeasyPrint lays out and writes a program, and back on (as
    it was) when the last render running in this process ends, even after an error. A render makes some
    hundred thousand objects that live until it ends: the collector walked them forty times a render, about
    a tenth of its time, and found little to free before the end; what a render leaves behind is collected
    once after it. Counted, so one thread finishing does not switch it back on under another's render."""
    with _pauses_lock:
        if _pauses["renders"] == 0:
            _pauses["enable_after"] = gc.isenabled()
            gc.disable()
        _pauses["renders"] += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses["renders"] -= 1
            if _pauses["renders"] == 0 and _pauses["enable_after"]:
                gc.enable()


def _document(html: str):
    import weasyprint

    fonts, stylesheet = _print_setup()
    document = weasyprint.HTML(string=html, base_url=ASSETS_URL, url_fetcher=_fetcher())
    return document.render(font_config=fonts, stylesheets=[stylesheet], cache=_image_cache())


IMAGE_CACHE_ENTRIES = 500


def _image_cache() -> dict:
    """WeasyPrint's parsed pictures (the drawings, the tick boxes, exercise pictures, QR codes), kept between
    renders in this thread: parsing the ten drawings of a program again each time took a fifth of a render.
    Emptied once it holds more than IMAGE_CACHE_ENTRIES entries, so a worker's memory stays bounded."""
    cache = getattr(_local, "images", None)
    if cache is None or len(cache) > IMAGE_CACHE_ENTRIES:
        cache = _local.images = {}
    return cache


def warm_up() -> None:
    """Load WeasyPrint, the fonts, the stylesheet and the template, make the drawings and the log page's QR code,
    and lay out a program of one made-up exercise with a drawing, in this thread: the first program a fresh web
    worker rendered took 800 ms instead of 300, nearly all of it this (and then 40 ms more than the second for
    the URL lookups, the drawings and the QR code). portal/wsgi.py calls it once as a worker starts
    (PDF_WARM_UP), so management commands and tests never pay for it."""
    url = log_url()  # Django builds its table of URL names on the first lookup
    drawn = ""
    for slug in figures.figure_slugs():
        try:
            figure_svg(slug)
        except Exception:  # left out of its program, as it would be then; it must not stop a worker starting
            logger.exception("The drawing of %s could not be made.", slug)
        else:
            drawn = drawn or slug
    exercise = {
        "number": 1,
        "name": "Glute bridge",
        "dosage": "3 sets × 10 reps · 2 days a week",
        "steps": ["Lie on your back.", "Lift your hips."],
        "cue": "Squeeze your glutes before you lift",
        "avoid_when": ["If lifting the hips causes sharp back pain — lower the height"],
        "image": figure_uri(drawn) if drawn else "",
        "drawn": bool(drawn),
    }
    context = {
        "paper": "A4",
        "phase_title": "Phase 1 of 2: Łódź 0123456789",
        "exercises": [exercise],
        "exercise_rows": [[exercise]],
        "run_main": "Walk 30 min, three times a week.",
        "runs": True,
        "run_row": "Walk",
        "weeks": TICK_WEEKS,
        "tick_rows": [_ticks("1. Glute bridge", 2), _ticks("Walk", 3)],
        "note_lines": range(2),
        "red_flag_columns": _columns(RED_FLAGS),
        "emergency_flag": EMERGENCY_FLAG,
        "emergency": EMERGENCY_ADVICE,
        "log_url_short": url.split("://", 1)[-1],
        "qr": _qr_data_uri(url),
    }
    _document(render_to_string(TEMPLATE, context)).write_pdf()


_local = threading.local()


def _print_setup():
    """The fonts and the parsed stylesheet, once per thread: loading and parsing them on every render
    took a quarter of the time. (A FontConfiguration is not meant to be shared between threads.)"""
    if getattr(_local, "setup", None) is None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        stylesheet = weasyprint.CSS(
            filename=str(STYLESHEET), base_url=ASSETS_URL, url_fetcher=_fetcher(), font_config=fonts
        )
        _local.setup = fonts, stylesheet
        if threading.current_thread() is threading.main_thread():
            # Let it go before interpreter shutdown: its __del__ needs the libraries still loaded.
            atexit.register(_local.__dict__.clear)
    return _local.setup


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    # A drawing is parsed as SVG straight away instead of being tried as a raster picture first.
    svg_headers = {"Content-Type": "image/svg+xml"}

    class Fetcher(URLFetcher):
        # Responses carry no headers: parsing them (email.message) took longer than the rest of a fetch.
        def fetch(self, url, headers=None):
            if url.startswith(MEDIA_SCHEME):
                data = print_image(url.removeprefix(MEDIA_SCHEME))
                if data is None:
                    raise ValueError(f"The image {url!r} is left out of the printout.")
                return URLFetcherResponse(url, data)
            if url.startswith(FIGURE_SCHEME):
                slug = url.removeprefix(FIGURE_SCHEME)
                if not figures.has_figure(slug):
                    raise ValueError(f"No drawing for {slug!r}.")
                return URLFetcherResponse(url, figure_svg(slug), headers=svg_headers)
            if url.startswith(ASSETS_URL):
                path = (ASSETS / unquote(url.removeprefix(ASSETS_URL))).resolve()
                if path.is_relative_to(ASSETS):
                    return URLFetcherResponse(url, path.read_bytes())
            if url.startswith("data:"):
                meta, _, data = url.removeprefix("data:").partition(",")
                body = base64.b64decode(data) if meta.endswith(";base64") else unquote_to_bytes(data)
                return URLFetcherResponse(url, body)
            raise ValueError(f"A printout fetches nothing from {url!r}.")

    return Fetcher


def _fetcher():
    return _fetcher_class()(fail_on_errors=False)


def print_image(name: str) -> bytes | None:
    """An exercise image as a small JPEG for print (cached by name: a new upload gets a new name), or None for
    one the printout leaves out: unreadable, or more pixels than an upload may have (portal.uploads; one
    stored before that limit existed). Its size is read from the header, so such a file is never decoded.

    Uploads are stored at most 1,600 pixels wide (portal.images); at 22 mm wide, 320 pixels is plenty, and
    WeasyPrint embeds JPEG data as it is instead of decoding and compressing it again on every render.
    """
    key = f"hep-image:{hashlib.sha256(name.encode()).hexdigest()[:32]}"
    data = cache.get(key)
    if data is None:
        data = _print_jpeg(name) or b""  # b"": refused, and remembered as such
        cache.set(key, data, IMAGE_CACHE_SECONDS)
    return data or None


def _print_jpeg(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as file, Image.open(file) as image:
            if not within_pixel_limits(image.size):
                width, height = image.size
                logger.warning(
                    "Exercise image %s (%d × %d pixels) left out of a printout.", name, width, height
                )
                return None
            image.draft("RGB", (PRINT_IMAGE_PIXELS, PRINT_IMAGE_PIXELS))  # JPEG: decode at a reduced scale
            image.thumbnail((PRINT_IMAGE_PIXELS, PRINT_IMAGE_PIXELS))
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("Exercise image %s left out of a printout: %s", name, error)
        return None
    return out.getvalue()


# Caching


def _layout_digest() -> str:
    """Changes when the templates, the stylesheet or the printed wording do, so a deploy never serves an old
    layout or an old stop list."""
    global _LAYOUT
    if _LAYOUT is None:
        templates = [Path(get_template(name).origin.name).read_bytes() for name in (TEMPLATE, *PARTIALS)]
        sources = [Path(__file__).read_bytes(), Path(wording.__file__).read_bytes()]
        sources += [Path(figures.__file__).read_bytes(), figures.POSES_PATH.read_bytes()]  # the drawings
        _LAYOUT = hashlib.sha256(b"".join([*templates, STYLESHEET.read_bytes(), *sources])).hexdigest()[:12]
    return _LAYOUT


_LAYOUT: str | None = None


def hep_cache_key(plan: Plan, paper: str) -> str:
    """One cache entry per plan and paper, whatever the phase, day or version: deleting an athlete's data
    finds every copy of their programs (hep_cache_evict), and an outdated copy is replaced, never left beside."""
    return f"hep:{plan.pk}:{paper}"


def hep_cache_stamp(plan: Plan, phase: PlanPhase, paper: str) -> str:
    """Stored with the program: changes with the plan's version, the phase, the paper, the day, the layout, each
    exercise, the clinic's contact details and the athlete's language. A cached program with another stamp is
    outdated."""
    exercises = PlanExercise.objects.filter(phase=phase).order_by("order", "pk")
    stamps = exercises.values_list("exercise_id", "exercise__image", "exercise__updated")
    clinic = Clinic.objects.filter(pk=plan.athlete.clinic_id).first()
    clinic = [str(getattr(clinic, field, "")) for field in CLINIC_PRINTED]
    parts = [
        repr(list(stamps)),
        repr(clinic),
        plan.athlete.updated.isoformat(),
        settings.SITE_URL,
        _layout_digest(),
        language_of_person(plan.athlete),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
    today = timezone.localdate().isoformat()
    return f"{plan.version}:{phase.pk}:{paper}:{today}:{digest}"


def _cached(plan: Plan, phase: PlanPhase, paper: str) -> tuple[str, bytes | None]:
    """(the stamp the program would have now, the cached program if it has that stamp)."""
    stamp = hep_cache_stamp(plan, phase, paper)
    entry = cache.get(hep_cache_key(plan, paper))
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp:
        return stamp, entry[1]
    return stamp, None


def hep_cache_evict(plans) -> None:
    """Forget every cached program of `plans` (their athlete's personal data is being deleted)."""
    keys = [hep_cache_key(plan, paper) for plan in plans for paper in PAPERS.values()]
    if keys:
        cache.delete_many(keys)


def hep_pdf(plan: Plan, *, phase: PlanPhase | None = None, paper: str = "A4") -> bytes:
    """The program as PDF bytes, rendered once and then served from the cache until something changes."""
    phase = phase_for(plan, phase)
    if phase is None:
        raise ValueError("This plan has no phases to print.")
    stamp, pdf = _cached(plan, phase, paper)
    if pdf is None:
        pdf = render_hep(plan, phase=phase, paper=paper)
        cache.set(hep_cache_key(plan, paper), (stamp, pdf), CACHE_SECONDS)
    return pdf


def hep_prerender(plan: Plan, *, paper: str = "A4") -> bool:
    """Put the current phase's program in the cache as hep_pdf would, unless it is there already (then
    nothing is rendered). True when it rendered."""
    phase = phase_for(plan)
    if phase is None:
        return False
    stamp, pdf = _cached(plan, phase, paper)
    if pdf is not None:
        return False
    cache.set(hep_cache_key(plan, paper), (stamp, render_hep(plan, phase=phase, paper=paper)), CACHE_SECONDS)
    return True


def hep_batch(plans, out, *, paper: str = "A4") -> int:
    """Write each plan's current program, one after the other, as one PDF to the binary file `out`.

    Returns how many programs were written (plans without phases are left out). Cached programs are
    reused, but new renders are not cached: a batch of a hundred would crowd the cache for one download.
    Pictures and fonts that several programs share are written once.
    """
    from pypdf import PdfWriter

    writer = PdfWriter()
    count = 0
    for plan in plans:
        phase = phase_for(plan)
        if phase is None:
            continue
        data = _cached(plan, phase, paper)[1] or render_hep(plan, phase=phase, paper=paper)
        writer.append(io.BytesIO(data))
        count += 1
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.write(out)
    return count
