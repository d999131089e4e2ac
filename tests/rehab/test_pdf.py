"""The printed home-exercise program: content, size, who may download it, caching and the admin batch.

WeasyPrint renders cost a few hundred milliseconds each, so the tests that only need to know whether a
render happened replace the renderer with a stub.
"""

import io
import re
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image, ImageFile
from pypdf import PdfReader

from library.models import Exercise
from rehab import pdf, services
from rehab.models import PhaseExerciseTemplate, Plan, PlanTemplate, RedFlag
from tests.access import LOGIN, assert_outcome, matrix_cases
from tests.factories import ExerciseFactory, PlanTemplateFactory
from tests.images import png_of_size


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # rendered PDFs must not leak from one test into the next
    yield
    cache.clear()


def png(color=(15, 118, 110)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 180), color).save(out, "PNG")
    return out.getvalue()


def text_of(data: bytes) -> str:
    """The PDF's text with runs of whitespace (line and page breaks) made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def squashed(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def pages_of(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


@pytest.fixture
def demo_plan(people):
    """Ten shipped exercises with the longest instructions, each with a picture, in one phase whose
    running and pain advice are as long as the demo protocols' longest: the program must still fit."""
    from django.core.management import call_command

    call_command("load_library", stdout=io.StringIO())
    exercises = sorted(Exercise.objects.shipped(), key=lambda e: -sum(len(step) for step in e.steps))[:10]
    for number, exercise in enumerate(exercises):
        exercise.image.save(f"{number}.png", ContentFile(png()), save=True)
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=0)
    template.phases.filter(order=1).update(
        name="Build side-hip strength",
        goal="Make the side-hip and buttock muscles strong enough to hold the pelvis level on one leg.",
        run_activity="walk_jog", run_minutes=24, sessions_per_week=3, walk_minutes=3, jog_minutes=1,
        run_note="Flat routes first; hills and faster strides come back last, once continuous running feels fine.",
        max_pain_during=3, max_pain_after=3, next_day_pain_allowed=True,
        pain_note="Loading a tendon can bring some discomfort; up to 3/10 is fine if it has gone by the next morning.",
        exit_criteria="Three walk/jog sessions in a row within the allowance and no pain the next morning.",
    )  # fmt: skip
    phase = template.phases.get(order=1)
    PhaseExerciseTemplate.objects.bulk_create(
        PhaseExerciseTemplate(
            phase=phase,
            exercise=exercise,
            order=order,
            sets=3,
            reps=10,
            per_side=True,
            days_per_week=3,
            note="Slowly, and stop at 3/10.",
        )  # fmt: skip
        for order, exercise in enumerate(exercises, start=1)
    )
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2),
        goal="Back to training for the Copenhagen Marathon",
    )  # fmt: skip


# What is printed


def test_demo_plan_prints_everything_an_athlete_needs_on_two_pages(demo_plan):
    data = pdf.render_hep(demo_plan)
    assert data.startswith(b"%PDF")
    assert pages_of(data) <= 2
    text = text_of(data)
    phase = demo_plan.current_phase
    rows = list(phase.exercises.select_related("exercise"))
    assert len(rows) == 10
    assert "Anna Aalto" in text
    assert "Riverside" in text
    assert "Maya Okafor" in text
    assert demo_plan.name in text and "Build side-hip strength" in text
    assert phase.goal in text
    assert phase.run_text() in text
    assert "how much pain is ok" in text.lower() and phase.pain_text() in text
    for row in rows:
        assert row.exercise.name in text
        assert row.dosage_text() in text
        assert row.exercise.steps[0] in text
        assert row.exercise.cues[0] in text
        assert squashed(row.exercise.avoid_when[0]) in squashed(text)  # "outer-hip" may break at its hyphen
    assert "Stop and contact us if" in text
    for flag in pdf.RED_FLAGS:
        assert flag in text
    assert pdf.EMERGENCY_FLAG in text.lower()
    assert "Pain each day (0–10)" in text
    assert "127.0.0.1:8000/log/" in text
    assert "Page 1 of 2" in text
    # Pictures are embedded small, and every glyph comes from the shipped font (none from the host).
    reader = PdfReader(io.BytesIO(data))
    images = {image.name: image for page in reader.pages for image in page.images}.values()
    assert len(images) == 10
    assert all(max(image.image.size) <= pdf.PRINT_IMAGE_PIXELS for image in images)
    fonts = {
        font["/BaseFont"].split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(font.startswith("Source-Sans-3") for font in fonts)


def shipped_fonts() -> list[Path]:
    """The font files the print stylesheet declares."""
    return [pdf.ASSETS / url for url in re.findall(r'src: url\("([^"]+)"\)', pdf.STYLESHEET.read_text())]


def test_zeros_are_printed_open_not_slashed(plan):
    """A slashed zero reads as Ø ("1Ø reps"): every shipped font draws 0 as one ring, two contours (outside
    and counter); a slash would add a third. And the printout uses those fonts only."""
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    with_digits = [TTFont(path) for path in shipped_fonts()]
    with_digits = [font for font in with_digits if ord("0") in font.getBestCmap()]  # not the latin-ext files
    assert len(with_digits) >= 3
    for font in with_digits:
        pen = RecordingPen()
        font.getGlyphSet()[font.getBestCmap()[ord("0")]].draw(pen)
        assert [op for op, _ in pen.value].count("closePath") == 2, font.reader.file.name
    rows = list(plan.current_phase.exercises.all())
    rows[0].sets, rows[0].reps = 2, 10
    rows[0].save()
    data = pdf.render_hep(plan)
    assert "2 sets × 10 reps" in text_of(data)
    reader = PdfReader(io.BytesIO(data))
    fonts = {font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(font.split("+")[-1].startswith("Source-Sans-3") for font in fonts)


def test_tick_grid_has_as_many_boxes_a_week_as_the_prescription(people, plan):
    phase = plan.current_phase
    first, second = phase.exercises.order_by("order", "pk")
    first.days_per_week, second.days_per_week = 2, None
    first.save()
    second.save()
    phase.run_activity, phase.sessions_per_week = "walk", 4
    phase.save()
    first.exercise.kind = second.exercise.kind = "strength"
    rows = pdf.tick_rows(phase, [first, second])
    assert [(row["boxes"], row["often"]) for row in rows] == [
        (2, "2 days a week"),
        (7, "every day"),
        (4, "4 days a week"),
    ]
    assert rows[2]["label"] == "Walk"
    # A warm-up without days of its own goes with each run; given days, it keeps them.
    second.exercise.kind = "warm_up"
    assert pdf.tick_rows(phase, [second])[0] | {"label": ""} == {
        "label": "",
        "boxes": 4,
        "often": "each session",
    }
    second.days_per_week = 1
    assert pdf.tick_rows(phase, [second])[0]["boxes"] == 1
    second.days_per_week = None
    second.exercise.kind = "strength"
    html = render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, phase))
    assert html.count('class="row n2"') == 1 and html.count('class="row n4"') == 1
    # every day: the second exercise, and the pain score written in each day
    assert html.count('class="row n7"') == 1 and html.count('class="row pain n7"') == 1
    # A row's boxes are one picture: N boxes in each of the four weeks.
    for boxes in range(1, 8):
        assert f'.n{boxes} {{ background-image: url("ticks-{boxes}.svg"); }}' in pdf.STYLESHEET.read_text()
        picture = (pdf.ASSETS / f"ticks-{boxes}.svg").read_text()
        assert picture.count("<rect") == boxes * len(pdf.TICK_WEEKS)
    text = text_of(pdf.render_hep(plan))
    assert "2 days a week" in text and "Week 4" in text


def test_clinic_details_are_in_the_header_and_the_stop_box(people, plan):
    clinic = plan.athlete.clinic
    clinic.phone, clinic.email = "020 7946 0321", "desk@riverside.example"
    clinic.address = "12 River Lane\nLondon SE1 2AB"
    clinic.opening_hours = "Mon–Fri 8:00–18:00"
    clinic.out_of_hours = "Call NHS 111, or 999 in an emergency."
    html = render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, plan.current_phase))
    header = html[html.index('class="masthead"') : html.index('class="phase"')]
    assert "020 7946 0321" in header and "desk@riverside.example" in header
    stop = html[html.index('class="flags"') : html.index('class="log"')]
    for words in [
        "Mon–Fri 8:00–18:00",
        "Call NHS 111, or 999 in an emergency.",
        "12 River Lane<br>London SE1 2AB",
    ]:
        assert words in stop


def test_every_phase_of_every_shipped_protocol_fits_on_two_pages(people):
    """The rule for "a typical phase": every phase the shipped protocols have (3 to 8 exercises) prints on
    at most two pages."""
    from django.core.management import call_command

    call_command("load_library", stdout=io.StringIO())
    call_command("load_protocols", stdout=io.StringIO())
    templates = list(PlanTemplate.objects.filter(clinic=None))
    assert len(templates) >= 10
    for template in templates:
        Plan.objects.filter(athlete=people.athlete_a).delete()
        plan = services.plan_assign(
            athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
        )
        for phase in plan.phases.all():
            assert pages_of(pdf.render_hep(plan, phase=phase)) <= 2, (template.name, phase.name)


def test_letter_paper_also_fits_on_two_pages(demo_plan):
    reader = PdfReader(io.BytesIO(pdf.render_hep(demo_plan, paper="Letter")))
    assert len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_stop_list_has_every_red_flag_a_log_can_report():
    assert set(pdf.STOP_WORDS) == set(RedFlag)
    assert pdf.HIGH_PAIN in pdf.RED_FLAGS and pdf.EMERGENCY_FLAG not in pdf.RED_FLAGS


def test_stop_box_lists_the_whole_stop_list_and_how_to_reach_the_clinic(people, plan):
    people.clinic.phone, people.clinic.email = "020 7946 0321", "desk@riverside.example"
    people.clinic.save()
    text = text_of(pdf.render_hep(plan))
    for words in [
        "pain wakes you at night or aches at rest",
        "you cannot put your full weight on the leg, or the groin hurts when you stand or walk on it",
        "you can see swelling or bruising",
        "the hip locks, catches or gives way",
        "you feel numbness or tingling in the leg",
        "you have a fever or feel unwell",
        "pain reaches 7/10 or more",
        "Numbness between your legs or around your bottom, or a new change in bladder or bowel control: go to an "
        "emergency department now.",
    ]:
        assert words in text
    assert "Call Riverside on 020 7946 0321 or email desk@riverside.example." in text


@pytest.mark.parametrize(
    "phone,email,expected",
    [
        ("020 7946 0321", "", "Call Riverside on 020 7946 0321."),
        ("", "desk@riverside.example", "Email Riverside at desk@riverside.example."),
        ("", "", ""),
    ],
    ids=["phone-only", "email-only", "neither"],
)
def test_clinic_contact_prints_what_the_clinic_has(people, phone, email, expected):
    people.clinic.phone, people.clinic.email = phone, email
    assert pdf.clinic_contact(people.clinic) == expected


def test_each_exercise_prints_when_to_take_care(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    exercise = ExerciseFactory(
        clinic=None,
        name="Side-lying stretch",
        avoid_when=["With outer-hip tendon pain — skip it", "If the knee hurts — pad it."],
    )
    PhaseExerciseTemplate.objects.create(phase=template.phases.get(), exercise=exercise, order=1, sets=2)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    text = text_of(pdf.render_hep(plan))
    assert "Take care: With outer-hip tendon pain — skip it. If the knee hurts — pad it." in text


def test_a_clinic_video_prints_as_a_code_the_phone_opens(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    filmed = ExerciseFactory(clinic=None, name="Filmed bridge", video_url="https://video.example/bridge")
    plain = ExerciseFactory(clinic=None, name="Plain bridge")
    for order, exercise in enumerate([filmed, plain], start=1):
        PhaseExerciseTemplate.objects.create(
            phase=template.phases.get(), exercise=exercise, order=order, sets=2
        )
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    rows = {row["name"]: row for row in pdf.hep_context(plan, plan.current_phase)["exercises"]}
    assert rows["Filmed bridge"]["video_qr"].startswith("data:image/svg+xml")
    assert rows["Plain bridge"]["video_qr"] == ""
    assert text_of(pdf.render_hep(plan)).count("Watch how it is done") == 1


@pytest.fixture
def bone_stress_plan(people):
    from django.core.management import call_command

    call_command("load_library", stdout=io.StringIO())
    call_command("load_protocols", stdout=io.StringIO())
    template = PlanTemplate.objects.get(clinic=None, slug="bone-stress-injury")
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_a_bone_stress_program_keeps_its_own_safety_note_beside_the_pain_free_rule(bone_stress_plan, order):
    phase = bone_stress_plan.phases.get(order=order)
    data = pdf.render_hep(bone_stress_plan, phase=phase)
    text = text_of(data)
    assert bone_stress_plan.pain_free
    assert "No pain at all (0/10). With a bone stress injury" in text
    assert squashed(phase.pain_note) in squashed(text) and "contact the clinic" in text and "crutches" in text
    assert "Above this: do less next time" not in text  # above 0/10 is not "do less": it is stop
    assert pages_of(data) <= 2


def test_a_walk_jog_ladder_is_printed_step_by_step(bone_stress_plan):
    phase = bone_stress_plan.phases.get(name="After clearance: walk/jog")
    text = text_of(pdf.render_hep(bone_stress_plan, phase=phase))
    for step in [
        "Step 1: jog 1 min, walk 3 min",
        "Step 2: jog 2 min, walk 2 min",
        "Step 3: jog 3 min, walk 1 min",
        "Step 4: jog 5 min, walk 1 min",
    ]:
        assert step in text
    assert "Walk and jog in turns for 20 min, three times a week, one step at a time." in text
    assert squashed(phase.run_note) in squashed(text)


def test_every_included_partial_is_part_of_the_layout_digest():
    """A cached program must not outlive a change to a template it includes."""
    from django.template.loader import get_template

    source = Path(get_template(pdf.TEMPLATE).origin.name).read_text()
    assert set(re.findall(r'{% include "([^"]+)"', source)) == set(pdf.PARTIALS)


def test_user_text_is_printed_as_text_not_markup(plan):
    Plan.objects.filter(pk=plan.pk).update(name="<b>Hip</b> & co")
    plan.refresh_from_db()
    assert "<b>Hip</b> & co" in text_of(pdf.render_hep(plan))


def test_another_phase_can_be_printed(plan):
    last = plan.phases.get(order=3)
    text = text_of(pdf.render_hep(plan, phase=last))
    assert "Phase 3 of 3" in text


@pytest.mark.parametrize(
    "name,order,count,expected",
    [
        ("Phase 2: walk/jog intervals", 2, 4, "Phase 2 of 4: walk/jog intervals"),
        ("Build side-hip strength", 2, 3, "Phase 2 of 3: Build side-hip strength"),
        ("Days 1–3: calm it down", 1, 1, "Days 1–3: calm it down"),
        ("Phase 1", 1, 2, "Phase 1 of 2"),
    ],
    ids=["repeats-number", "plain-name", "single-phase", "name-is-only-number"],
)
def test_phase_title(name, order, count, expected):
    from rehab.models import PlanPhase

    assert pdf.phase_title(PlanPhase(name=name, order=order), count) == expected


def test_the_fetcher_never_leaves_the_machine():
    fetcher = pdf._fetcher()
    for url in ["http://169.254.169.254/latest/meta-data/", "https://example.com/x.png", "file:///etc/passwd",
                pdf.ASSETS_URL + "../../settings.py"]:  # fmt: skip
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_fetcher_serves_drawn_figures_by_name_and_nothing_else():
    """The page names a drawing (a short address) instead of carrying it as a data: URL three times the size of
    the rest of the page; the fetcher serves the shipped drawing and refuses any other name."""
    from library import figures

    response = pdf._fetcher().fetch(pdf.figure_uri("glute-bridge"))
    assert response.read() == figures.exercise_svg("glute-bridge").encode()
    assert response.content_type == "image/svg+xml"
    assert pdf.figure_uri("no-such-exercise") == "" and pdf.figure_uri("") == ""
    for url in [pdf.FIGURE_SCHEME + "no-such-exercise", pdf.FIGURE_SCHEME + "../../settings.py"]:
        with pytest.raises(ValueError):
            pdf._fetcher().fetch(url)


def test_the_garbage_collector_rests_during_a_render_and_is_back_on_after(plan):
    import gc

    seen = []
    real_document = pdf._document

    def document(html):
        seen.append(gc.isenabled())
        return real_document(html)

    with mock.patch.object(pdf, "_document", side_effect=document):
        assert pages_of(pdf.render_hep(plan)) == 1
    assert seen == [False] and gc.isenabled()
    with mock.patch.object(pdf, "_document", side_effect=RuntimeError("layout failed")):
        with pytest.raises(RuntimeError):
            pdf.render_hep(plan)
    assert gc.isenabled()
    # Two renders at once (threads): back on only when the last one ends.
    with pdf.collector_paused():
        with pdf.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    # A process that runs without the collector keeps it off.
    gc.disable()
    try:
        with pdf.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_qr_codes_are_made_once_per_address(monkeypatch):
    import segno

    made = []
    real_make = segno.make
    monkeypatch.setattr(
        segno, "make", lambda *args, **kwargs: made.append(args[0]) or real_make(*args, **kwargs)
    )
    pdf._qr_data_uri.cache_clear()
    first = pdf._qr_data_uri("https://clinic.example/log/")
    assert pdf._qr_data_uri("https://clinic.example/log/") == first
    assert pdf._qr_data_uri("https://clinic.example/video/") != first
    assert made == ["https://clinic.example/log/", "https://clinic.example/video/"]


def test_a_long_exercise_name_is_cut_short_inside_the_name_column_of_the_tick_grid(people):
    """Its "· 3 days a week" was printed over the first week's boxes: the clip reached under the boxes."""
    long_name = "Standing hip flexor stretch with posterior pelvic tilt against the wall, both sides"
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    PhaseExerciseTemplate.objects.create(
        phase=template.phases.get(), exercise=ExerciseFactory(clinic=None, name=long_name), order=1, sets=2,
        days_per_week=3,
    )  # fmt: skip
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    from weasyprint.formatting_structure.boxes import BlockBox

    html = render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, plan.current_phase))
    document = pdf._document(html)

    def descendants(box):
        yield box
        for child in getattr(box, "children", []):
            yield from descendants(child)

    def block(box, css_class):
        return isinstance(box, BlockBox) and box.element is not None and box.element.get("class") == css_class

    everything = [box for page in document.pages for box in descendants(page._page_box)]
    row = next(box for box in everything if block(box, "row n3"))
    name = next(box for box in descendants(row) if block(box, "what"))
    assert name.style["overflow"] == "hidden" and name.style["text_overflow"] == "ellipsis"
    # The clipped box ends where the boxes begin: the row's padding (the boxes) is outside it.
    boxes_start = row.content_box_x() + row.width
    assert name.padding_box_x() + name.padding_width() <= boxes_start + 0.01
    assert row.padding_right > 0.6 * row.width
    assert long_name[:20] in text_of(document.write_pdf())


# Who may download it


def print_url(plan, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("rehab:plan_print", args=[plan.pk]) + (f"?{query}" if query else "")


MATRIX = {"print": [LOGIN, 200, 404, 200, 404, 200]}


@pytest.mark.parametrize("page,persona,expected", matrix_cases(MATRIX))
def test_access_matrix(client_for, plan, page, persona, expected):
    response = client_for(persona).get(print_url(plan))
    assert_outcome(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"


def test_response_names_the_file_and_opens_inline_unless_downloaded(client_for, plan):
    client = client_for("athlete_a")
    inline = client.get(print_url(plan))
    assert inline["Content-Disposition"] == 'inline; filename="hep-anna-aalto-phase-1.pdf"'
    assert "no-store" in inline["Cache-Control"]
    assert inline.content.startswith(b"%PDF")
    download = client.get(print_url(plan, download=1))
    assert download["Content-Disposition"] == 'attachment; filename="hep-anna-aalto-phase-1.pdf"'
    assert download.content == inline.content


def test_letter_paper_by_query_parameter(client_for, plan):
    response = client_for("clinician").get(print_url(plan, paper="letter"))
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert round(float(box.height)) == 792


def test_phase_parameter_must_belong_to_the_plan(client_for, people, plan):
    other_plan = services.plan_assign(
        athlete=people.athlete_b, template=plan.template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    client = client_for("clinician")
    with mock.patch.object(pdf, "render_hep", return_value=b"%PDF-stub"):
        assert client.get(print_url(plan, phase=plan.phases.get(order=2).pk)).status_code == 200
        assert client.get(print_url(plan, phase=other_plan.phases.first().pk)).status_code == 404
        assert client.get(print_url(plan, phase="x")).status_code == 404


def test_pages_link_to_the_program(client_for, people, plan):
    url = reverse("rehab:plan_print", args=[plan.pk])
    assert url in client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    clinician = client_for("clinician")
    assert url in clinician.get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    assert url in clinician.get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()


# Caching


@pytest.fixture
def renders():
    """Counts renders; the stub PDF carries the plan version so a stale copy would show."""
    with mock.patch.object(
        pdf, "render_hep", side_effect=lambda plan, **kw: f"%PDF v{plan.version}".encode()
    ) as m:
        yield m


def download(client, plan) -> bytes:
    response = client.get(print_url(plan))
    assert response.status_code == 200
    return response.content


def test_unchanged_plan_is_rendered_once(client_for, plan, renders):
    client = client_for("athlete_a")
    first = download(client, plan)
    assert download(client, plan) == first
    assert client_for("clinician").get(print_url(plan)).content == first
    assert renders.call_count == 1


def test_editing_the_plan_through_the_services_renders_again(client_for, people, plan, renders):
    client = client_for("athlete_a")
    download(client, plan)
    row = plan.current_phase.exercises.first()
    row.reps = 15
    row.save()
    services.plan_touch(plan)  # what the tailoring page and the admin do after saving
    assert download(client, plan) == b"%PDF v2"
    services.plan_advance(plan=plan, by=people.clinician.user)
    assert download(client, plan) == b"%PDF v3"
    assert renders.call_count == 3


def test_tailoring_page_renders_again(client_for, people, plan, renders):
    from tests.rehab.test_views import tailor_data

    download(client_for("athlete_a"), plan)
    phase = plan.current_phase
    response = client_for("clinician").post(
        reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), tailor_data(plan, phase, **{"2-DELETE": "on"})
    )
    assert response.status_code == 302, response.context["formset"].errors
    assert download(client_for("athlete_a"), plan) == b"%PDF v2"
    assert renders.call_count == 2


def test_a_new_exercise_picture_renders_again(client_for, plan, renders):
    client = client_for("athlete_a")
    download(client, plan)
    exercise = plan.current_phase.exercises.first().exercise
    exercise.image.save("new.png", ContentFile(png((200, 30, 30))), save=True)
    download(client, plan)
    download(client, plan)
    assert renders.call_count == 2


def test_a_changed_exercise_text_renders_again(client_for, plan, renders):
    client = client_for("athlete_a")
    download(client, plan)
    exercise = plan.current_phase.exercises.first().exercise
    exercise.steps = ["Lie down.", "Lift slowly."]
    exercise.save()
    download(client, plan)
    assert renders.call_count == 2


def test_new_clinic_contact_details_render_again(client_for, people, plan, renders):
    client = client_for("athlete_a")
    download(client, plan)
    people.clinic.phone = "020 7946 0321"
    people.clinic.save()
    download(client, plan)
    download(client, plan)
    assert renders.call_count == 2


def test_paper_sizes_are_cached_apart(client_for, plan, renders):
    client = client_for("athlete_a")
    download(client, plan)
    client.get(print_url(plan, paper="letter"))
    client.get(print_url(plan, paper="letter"))
    assert renders.call_count == 2


def test_cached_download_costs_a_handful_of_queries(client_for, plan, renders, django_assert_max_num_queries):
    client = client_for("athlete_a")
    download(client, plan)
    with django_assert_max_num_queries(6):
        download(client, plan)


# Admin batch


def test_admin_prints_selected_plans_into_one_pdf(client_for, people, plan):
    second = services.plan_assign(
        athlete=people.athlete_b, template=plan.template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    foreign_template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    foreign = services.plan_assign(athlete=people.other_athlete, template=foreign_template,
                                   by=people.other_clinician.user, start=date(2026, 11, 2))  # fmt: skip
    client = client_for("clinician")
    asked = client.post(
        reverse("admin:rehab_plan_changelist"),
        {"action": "print_programs", "_selected_action": [plan.pk, second.pk, foreign.pk]},
    )
    assert asked.status_code == 302  # to the download page: the batch is a job (run at once in the tests)
    response = client.get(asked["Location"] + "file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="printed-programs-2.pdf"'
    content = response.content
    assert pages_of(content) == pages_of(pdf.hep_pdf(plan)) + pages_of(pdf.hep_pdf(second))
    text = text_of(content)
    assert "Anna Aalto" in text and "Bruno Bianchi" in text
    assert "Olga Otto" not in text  # another clinic's plan is not even selectable


def test_batch_reuses_cached_programs_and_leaves_out_plans_without_phases(plan, people):
    second = services.plan_assign(
        athlete=people.athlete_b, template=plan.template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    empty = Plan.objects.create(athlete=people.other_athlete, name="Empty", start_date=date(2026, 11, 2))
    pdf.hep_pdf(plan)
    out = io.BytesIO()
    with mock.patch.object(pdf, "render_hep", wraps=pdf.render_hep) as renders:
        assert pdf.hep_batch([plan, empty, second], out) == 2
    assert renders.call_count == 1
    assert pages_of(out.getvalue()) == 2


def test_shipped_exercise_without_picture_prints_without_one(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    PhaseExerciseTemplate.objects.create(
        phase=template.phases.get(), exercise=ExerciseFactory(clinic=None, name="Wall sit"), order=1, sets=2
    )
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    data = pdf.render_hep(plan)
    assert not [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert "Wall sit" in text_of(data)


def test_a_drawn_exercise_prints_its_start_and_end_figure_unless_the_clinic_has_a_picture(people):
    from library import figures

    drawn = ExerciseFactory(clinic=None, slug="clamshell-with-band", name="Clamshell with band")
    pictured = ExerciseFactory(clinic=None, slug="glute-bridge", name="Glute bridge")
    pictured.image.save("bridge.png", ContentFile(png()), save=True)
    assert figures.has_figure(drawn.slug) and figures.has_figure(pictured.slug)
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    for order, exercise in enumerate([drawn, pictured], start=1):
        PhaseExerciseTemplate.objects.create(
            phase=template.phases.get(), exercise=exercise, order=order, sets=2
        )
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    html = render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, plan.current_phase))
    assert html.count('<img class="drawn" src="stride-figure:clamshell-with-band"') == 1
    assert html.count(f'src="{pdf.MEDIA_SCHEME}') == 1  # the clinic's picture, not the drawing
    data = pdf.render_hep(plan)
    assert pages_of(data) == 1
    # The drawing is vector graphics: the one raster image is the clinic's picture.
    assert len([image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]) == 1


def test_admin_batch_is_a_job_so_any_number_of_plans_fits(client_for, people, plan, jobs):
    """It was capped at 40 plans, what a request could render: the action now only starts the job."""
    second = services.plan_assign(
        athlete=people.athlete_b, template=plan.template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    jobs.sent.clear()  # the plans' own renders
    with mock.patch.object(pdf, "render_hep", side_effect=AssertionError("rendered in the request")):
        response = client_for("clinician").post(
            reverse("admin:rehab_plan_changelist"),
            {"action": "print_programs", "_selected_action": [plan.pk, second.pk]},
            follow=True,
        )
    assert "Preparing your file" in response.content.decode()
    assert jobs.names() == ["rehab.batch_print"]


def test_a_stored_image_with_too_many_pixels_is_left_out_without_being_decoded(people, monkeypatch):
    """An image stored before uploads were limited (4,096 × 4,096 pixels, portal.uploads): the program
    prints without it, and the picture is never decoded (a 13,000 × 13,000 PNG took 1.4 GB to print)."""
    bomb = ExerciseFactory(clinic=None, name="Wall sit")
    bomb.image.save("old.png", ContentFile(png_of_size(13_000, 13_000)), save=True)
    fine = ExerciseFactory(clinic=None, name="Side plank")
    fine.image.save("fine.png", ContentFile(png()), save=True)
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0)
    for order, exercise in enumerate([bomb, fine], start=1):
        PhaseExerciseTemplate.objects.create(
            phase=template.phases.get(), exercise=exercise, order=order, sets=2
        )
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    assert pdf.print_image(fine.image.name)  # the other image prints (and is cached before the guard below)
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or real_load(image)
    )

    data = pdf.render_hep(plan)

    assert (13_000, 13_000) not in decoded
    assert pdf.print_image(bomb.image.name) is None
    images = [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert len(images) == 1 and "Wall sit" in text_of(data) and "Side plank" in text_of(data)


def test_warm_up_loads_fonts_and_stylesheet_that_the_first_program_then_reuses():
    """portal/wsgi.py warms a web worker up as it starts; the first program must not load them again."""
    import threading

    seen = {}

    def worker():  # a thread of its own: the setup is kept per thread (and no database here)
        seen["before"] = getattr(pdf._local, "setup", None)
        pdf.warm_up()
        seen["warmed"] = pdf._local.setup
        seen["pdf"] = pdf._document("<p>Program 10</p>").write_pdf()
        seen["after"] = pdf._local.setup

    from library import figures

    pdf.figure_svg.cache_clear()
    pdf._qr_data_uri.cache_clear()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["before"] is None
    assert seen["warmed"] is seen["after"]
    assert "Program 10" in text_of(seen["pdf"])
    # The drawings and the log page's QR code are made too: the first program only looks them up.
    assert pdf.figure_svg.cache_info().currsize == len(figures.figure_slugs())
    assert pdf._qr_data_uri.cache_info().currsize == 1
    pdf._qr_data_uri(pdf.log_url())
    assert pdf._qr_data_uri.cache_info().hits == 1


def test_the_web_worker_warms_the_printout_up_unless_told_not_to():
    source = (Path(pdf.__file__).resolve().parents[1] / "portal" / "wsgi.py").read_text()
    assert "warm_up()" in source and 'PDF_WARM_UP", "1") != "0"' in source


def test_parsed_pictures_are_kept_between_renders_but_bounded(plan):
    cache = pdf._image_cache()
    pdf.render_hep(plan)
    assert cache and pdf._image_cache() is cache  # the QR code and the tick boxes, parsed once
    cache.update({f"data:{n}": None for n in range(pdf.IMAGE_CACHE_ENTRIES + 1)})
    assert pdf._image_cache() == {}


def test_job_worker_processes_warm_up_the_printout_as_they_start(monkeypatch):
    """A Celery worker process prints programs ahead of their download: it loads the printout as it starts, as
    web workers do, unless PDF_WARM_UP=0."""
    from celery.signals import worker_process_init

    from portal import celery as celery_app

    calls = []
    monkeypatch.setattr("rehab.pdf.warm_up", lambda: calls.append("warm"))
    monkeypatch.setattr(celery_app.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.delenv("PDF_WARM_UP", raising=False)
    worker_process_init.send(sender=None)
    assert calls == ["warm", "freeze"]
    monkeypatch.setenv("PDF_WARM_UP", "0")
    worker_process_init.send(sender=None)
    assert calls == ["warm", "freeze"]
