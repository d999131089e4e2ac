"""No stored script runs anywhere (issue #9, Quality): hostile text saved through the real forms and API into
every free-text field that other pages show, then every page that shows it is read back. The raw tags never
appear; their escaped form does (so the page really showed the field). API JSON returns the text as typed,
as JSON, and the PDF's HTML (what WeasyPrint is given) is escaped too.
"""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert, Athlete, Clinic, Shoe
from rehab import pdf
from rehab import services as rehab_services
from rehab.models import DailyLog, PhaseChange, Plan, PlanPhase
from tests import factories
from tests.hostile import initial_post_data

# 58 characters: fits every field below (the shortest holds 80).
PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
RAW = ["<script>alert(1)</script>", "<img src=x onerror"]
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _post_form(client, url, changes):
    """Post a page's form back with `changes`, as a browser would; the save must succeed."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = {**initial_post_data(page), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, (url, getattr(response, "context", None) and _errors(response))
    return response


def _errors(response):
    from tests.hostile import form_errors

    return form_errors(response)


@pytest.fixture
def stored(client, people):
    """Hostile text in every free-text field another page shows, each saved the way people save it."""
    today = timezone.localdate()
    athlete = people.athlete_a
    template = factories.PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=athlete, template=template, by=people.clinician.user, start=today - timedelta(days=9)
    )
    intake = factories.IntakeFactory(athlete=athlete, answers={"locations": ["side"], "night_pain": True})
    alert = factories.AlertFactory(athlete=athlete, kind="pain_spike")
    open_alert = factories.AlertFactory(athlete=athlete, kind="triage")

    client.force_login(people.superuser)  # the admin: clinic, the athlete's name and goal, the physio's name
    _post_form(client, reverse("admin:portal_clinic_change", args=[people.clinic.pk]), {"name": PAYLOAD})
    _post_form(client, reverse("admin:portal_athlete_change", args=[athlete.pk]),
               {"first_name": PAYLOAD, "goal_event": PAYLOAD})  # fmt: skip
    _post_form(client, reverse("admin:portal_user_change", args=[people.clinician.user.pk]),
               {"first_name": PAYLOAD})  # fmt: skip

    client.force_login(athlete.user)  # the athlete: a shoe, today's log notes (API)
    _post_form(client, reverse("my_profile"), {"shoes-1-name": PAYLOAD, "shoes-1-km": "10"})
    response = client.put(
        reverse("dailylog-detail", args=[today.isoformat()]),
        {"pain_during": 3, "notes": PAYLOAD, "run_minutes": 20, "distance_km": "4"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content

    client.force_login(people.clinician.user)  # the physio: review, alert note, exercise, phase, plan, move
    _post_form(client, reverse("triage:intake_review", args=[intake.pk]), {"notes": PAYLOAD})
    response = client.post(reverse("alert_resolve", args=[alert.pk]), {"note": PAYLOAD})
    assert response.status_code == 302
    _post_form(client, reverse("library:exercise_add"), {
        "name": PAYLOAD, "kind": "strength", "regions": ["glutes"], "difficulty": "1", "steps": PAYLOAD,
        "cues": PAYLOAD, "mistakes": PAYLOAD, "avoid_when": PAYLOAD, "aliases": PAYLOAD, "dosage_note": PAYLOAD,
    })  # fmt: skip
    from library.models import Exercise

    exercise = Exercise.objects.get(name=PAYLOAD)
    phase = plan.current_phase
    _post_form(client, reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), {
        **{f"phase-{name}": PAYLOAD for name in ("name", "goal", "pain_note", "run_note", "exit_criteria")},
        "ex-2-exercise": str(exercise.pk), "ex-2-order": "3", "ex-2-sets": "2", "ex-2-reps": "8", "ex-2-note": PAYLOAD,
    })  # fmt: skip
    response = client.patch(reverse("plan-detail", args=[plan.pk]), {"name": PAYLOAD, "goal": PAYLOAD},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    response = client.post(reverse("rehab:plan_move", args=[plan.pk]),
                           {"action": "jump", "to_phase": str(phase.pk + 1), "reason": PAYLOAD,
                            "version": str(Plan.objects.get(pk=plan.pk).version)})  # fmt: skip
    assert response.status_code == 302

    # Every field really holds the payload (a silently refused save would make the page checks pointless).
    plan.refresh_from_db()
    assert Clinic.objects.get(pk=people.clinic.pk).name == PAYLOAD
    assert Athlete.objects.get(pk=athlete.pk).first_name == PAYLOAD
    assert Shoe.objects.filter(athlete=athlete, name=PAYLOAD).exists()
    assert DailyLog.objects.get(athlete=athlete, date=today).notes == PAYLOAD
    assert Alert.objects.get(pk=alert.pk).resolved_note == PAYLOAD
    assert PlanPhase.objects.get(pk=phase.pk).name == PAYLOAD
    assert (plan.name, plan.goal) == (PAYLOAD, PAYLOAD)
    assert PhaseChange.objects.filter(plan=plan, reason=PAYLOAD).exists()
    intake.refresh_from_db()
    assert intake.review_notes == PAYLOAD
    return {"plan": plan, "phase": phase, "intake": intake, "exercise": exercise, "alert": alert,
            "open_alert": open_alert, "athlete": athlete, "today": today}  # fmt: skip


def _pages(people, s):
    athlete, plan = s["athlete"], s["plan"]
    admin = [
        "admin:portal_athlete_changelist", ("admin:portal_athlete_change", athlete.pk),
        "admin:portal_clinic_changelist", ("admin:portal_clinic_change", people.clinic.pk),
        "admin:portal_alert_changelist", ("admin:portal_alert_change", s["alert"].pk),
        "admin:rehab_plan_changelist", ("admin:rehab_plan_change", plan.pk),
        ("admin:rehab_planphase_change", s["phase"].pk),
        "admin:rehab_dailylog_changelist", ("admin:rehab_dailylog_change", plan.athlete.daily_logs.get().pk),
        "admin:triage_intake_changelist", ("admin:triage_intake_change", s["intake"].pk),
        "admin:library_exercise_changelist", ("admin:library_exercise_change", s["exercise"].pk),
        "admin:portal_user_changelist", ("admin:portal_user_change", people.clinician.user.pk),
        "admin:portal_auditentry_changelist" if _has_url("admin:portal_auditentry_changelist") else None,
    ]  # fmt: skip
    return {
        "clinician": [
            reverse("athlete_list"),
            reverse("athlete_detail", args=[athlete.pk]),
            reverse("rehab:timeline", args=[athlete.pk]),
            reverse("rehab:plan_detail", args=[plan.pk]),
            reverse("rehab:phase_edit", args=[plan.pk, s["phase"].pk]),
            reverse("triage:intake_review", args=[s["intake"].pk]),
            reverse("triage:intake_detail", args=[s["intake"].pk]),
            reverse("library:exercise_list"),
            reverse("library:exercise_detail", args=[s["exercise"].pk]),
            reverse("library:exercise_edit", args=[s["exercise"].pk]),
            reverse("rehab:plan_assign", args=[people.athlete_b.pk]),
            *(
                [reverse("athlete_anonymise", args=[athlete.pk])]
                if _has_url("athlete_anonymise", athlete.pk)
                else []
            ),
        ],
        "athlete_a": [
            reverse("rehab:athlete_today"),
            reverse("rehab:my_plan"),
            reverse("rehab:log_today"),
            reverse("my_profile"),
            reverse("library:exercise_list"),
        ],
        "superuser": [
            reverse(entry) if isinstance(entry, str) else reverse(entry[0], args=[entry[1]])
            for entry in admin
            if entry
        ],
    }


def _has_url(name, *args):
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def _raw_in(html: str) -> list[str]:
    return [raw for raw in RAW if raw in html]


@pytest.mark.parametrize("persona", ["clinician", "athlete_a", "superuser"])
def test_stored_script_is_escaped_on_every_page(client, people, stored, persona):
    client.force_login(people.user(persona))
    problems = []
    pages = _pages(people, stored)[persona]
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        html = response.content.decode()
        if raw := _raw_in(html):
            problems.append(f"{url}: unescaped {raw}")
        if ESCAPED not in html:
            problems.append(f"{url}: the stored text is not shown (so its escaping was not tested)")
    assert not problems, "\n".join(problems)


def test_the_pdf_html_given_to_weasyprint_is_escaped(people, stored):
    plan = Plan.objects.get(pk=stored["plan"].pk)
    html = render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, plan.current_phase))
    assert not _raw_in(html)
    assert ESCAPED in html
    assert html.count(ESCAPED) >= 4  # athlete, clinic, clinician, exercise name and steps, phase name


def test_the_printed_program_renders_with_hostile_text(client, people, stored):
    client.force_login(people.clinician.user)
    response = client.get(reverse("rehab:plan_print", args=[stored["plan"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]  # the file name is slugified from the athlete's name
    assert disposition.startswith('inline; filename="hep-scriptalert1scriptimg-srcx-onerroralert1-aalto-')
    assert "<" not in disposition and disposition.count('"') == 2


@pytest.mark.parametrize(
    ("persona", "url_name", "pick"),
    [
        ("clinician", "athlete-list", lambda body, s: body["results"][0]["first_name"]),
        ("clinician", "plan-detail", lambda body, s: body["phases"][0]["name"]),
        ("clinician", "intake-detail", lambda body, s: body["review_notes"]),
        ("clinician", "alert-list", lambda body, s: next(a for a in body["results"] if a["id"] == s["alert"].pk)[
            "resolved_note"]),
        ("clinician", "exercise-detail", lambda body, s: body["steps"][0]),
        ("athlete_a", "dailylog-list", lambda body, s: body["results"][0]["notes"]),
        ("athlete_a", "api-me", lambda body, s: body["athlete"]["clinic"]["name"]),
    ],
)  # fmt: skip
def test_the_api_returns_stored_text_as_json_exactly_as_typed(
    client, people, stored, persona, url_name, pick
):
    client.force_login(people.user(persona))
    args = {"plan-detail": [stored["plan"].pk], "intake-detail": [stored["intake"].pk],
            "exercise-detail": [stored["exercise"].pk]}.get(url_name, [])  # fmt: skip
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert pick(response.json(), stored) == PAYLOAD
    browsable = client.get(reverse(url_name, args=args), HTTP_ACCEPT="text/html")
    assert not _raw_in(browsable.content.decode())


def test_svg_charts_hold_only_numbers_and_escaped_labels(people, stored):
    from rehab import charts

    marker = charts.Marker(stored["today"], PAYLOAD)
    log = DailyLog.objects.get(athlete=stored["athlete"])
    svg = charts.timeline([log], stored["today"] - timedelta(days=6), stored["today"], markers=[marker])
    assert not _raw_in(svg) and ESCAPED in svg
    assert charts.sparkline([1, None, 3]).count("<") == charts.sparkline([1, None, 3]).count(">")
