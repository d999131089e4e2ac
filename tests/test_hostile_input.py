"""The bad-input sweep (issue #9, Quality): every form and API endpoint given empty, oversized, wrong-type and
hostile values. Never a 5xx; refused input is reported next to its field (pages) or as a 400 with field
messages in the API's error shape; a refused request saves nothing. The vocabulary is in tests/hostile.py.

Each test sweeps one form or endpoint and lists every probe that went wrong, so one run shows them all.
Run it on PostgreSQL too (it refuses NUL bytes in text): DATABASE_URL=postgres://… pytest tests/test_hostile_input.py
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from portal import services as portal_services
from rehab import services as rehab_services
from tests import factories
from tests.hostile import (
    EMOJI,
    HOSTILE_TEXTS,
    HUGE_IDS,
    JS_URL,
    NUL,
    ONE_MB,
    SCRIPT,
    SQL_DROP,
    SQL_OR,
    TEN_K,
    TEN_MB,
    Probe,
    Raw,
    bool_probes,
    choice_probes,
    date_probes,
    decimal_probes,
    email_probes,
    error_messages,
    form_body,
    form_errors,
    id_probes,
    initial_post_data,
    int_probes,
    json_body,
    multi_probes,
    page_forms,
    probes_for_form_field,
    send,
    snapshot,
    text_probes,
    url_probes,
)

NEW_PASSWORD = "a-Fresh-passw0rd-42"


@pytest.fixture
def world(people):
    """One of everything a form or endpoint acts on."""
    today = timezone.localdate()
    template = factories.PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=today - timedelta(days=9)
    )
    shoe = people.athlete_a.shoes.get()
    rehab_services.log_save(
        athlete=people.athlete_a, day=today - timedelta(days=1), data={"pain_during": 2, "run_minutes": 20}
    )
    invitee = factories.AthleteFactory(clinic=people.clinic, email="new.runner@example.com")
    _, link = portal_services.invite_send(athlete=invitee, by=people.clinician.user)
    no_login = factories.AthleteFactory(clinic=people.clinic, email="no.login@example.com")
    return SimpleNamespace(
        people=people,
        today=today,
        template=template,
        plan=plan,
        phases=list(plan.phases.order_by("order")),
        shoe=shoe,
        intake=factories.IntakeFactory(athlete=people.athlete_a),
        alert=factories.AlertFactory(athlete=people.athlete_a, kind="pain_spike"),
        exercise=factories.ExerciseFactory(clinic=people.clinic, name="Side plank"),
        shipped=plan.current_phase.exercises.first().exercise,
        invite_token=link.rstrip("/").rsplit("/", 1)[-1],
        no_login=no_login,
        plain_user=factories.UserFactory(email="plain@example.com"),
    )


def login(client, world, persona: str):
    client.logout()
    if persona != "anonymous":
        client.force_login(world.people.user(persona))
    return client


# ============================================================================================== pages


@dataclass
class PageForm:
    """A form on the site or in the admin. `fields`: the posted names to probe (None: every field the page's
    forms have, first formset row only); `kind`: "form" (re-rendered with errors) or "redirect" (errors as
    messages); `same_as`: fields that must carry the same value (a password and its repeat)."""

    name: str
    persona: str
    url: object  # world -> str
    data: object = lambda w: {}  # world -> the valid values to post (merged over what the GET page holds)
    fields: list[str] | None = None
    kind: str = "form"
    same_as: dict = field(default_factory=dict)
    probes: dict = field(default_factory=dict)  # posted name -> probes, where the type alone does not tell
    compact: bool = False  # the admin: a few probes per type (the site gets the full table per field class)
    inlines: bool = True  # probe the first row of each formset too
    base_accepted: bool = True  # False where a valid post depends on the day's data (recommendations)


# One field of each type of the phase form and of its first exercise row (the page is slow to render).
PHASE_FIELDS = ["phase-name", "phase-exit_criteria", "phase-min_days", "phase-incline_pct", "phase-run_activity",
                "phase-must_settle_by_morning", "version", "ex-0-exercise", "ex-0-sets", "ex-0-note"]  # fmt: skip


REASON_PROBES = text_probes(required=False, max_length=500)

INTAKE_FIELDS = ["age", "sex", "locations", "duration_days", "pain_running", "mileage_change_pct", "night_pain",
                 "test_leg_swing"]  # fmt: skip
INTAKE_DATA = {"locations": ["front"], "pain_lifting_knee": "on"}


def _reset_confirm_url(world, client):
    user = world.people.athlete_a.user
    url = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                  default_token_generator.make_token(user)])  # fmt: skip
    return client.get(url).url  # the token moves into the session; the form lives at …/set-password/


def _admin(model: str, world_attr=None, *, data=None, fields=None, inlines=False):
    """The admin's add (world_attr None) or change form of a model, as the superuser."""

    def url(world):
        if world_attr is None:
            return reverse(f"admin:{model}_add")
        return reverse(f"admin:{model}_change", args=[world_attr(world).pk])

    return PageForm(
        f"admin-{model}-{'add' if world_attr is None else 'change'}",
        "superuser",
        url,
        data=data or (lambda w: {}),
        fields=fields,
        compact=True,
        inlines=inlines,
    )


PAGE_FORMS = [
    PageForm("login", "anonymous", lambda w: reverse("login"),
             lambda w: {"username": w.people.athlete_a.user.email, "password": factories.PASSWORD},
             probes={"password": text_probes(required=True, max_length=None)}),
    PageForm("password-change", "athlete_a", lambda w: reverse("password_change"),
             lambda w: {"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD,
                        "new_password2": NEW_PASSWORD},
             same_as={"new_password1": "new_password2"}),
    PageForm("password-reset", "anonymous", lambda w: reverse("password_reset"),
             lambda w: {"email": w.people.athlete_a.user.email}),
    PageForm("password-reset-confirm", "anonymous", "reset-confirm",
             lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
             same_as={"new_password1": "new_password2"}),
    PageForm("invite-accept", "anonymous", lambda w: reverse("invite_accept", args=[w.invite_token]),
             lambda w: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, same_as={"password1": "password2"}),
    PageForm("athlete-add", "clinician", lambda w: reverse("athlete_add"),
             lambda w: {"first_name": "Nina", "last_name": "Novak", "email": "nina@example.com",
                        "date_of_birth": "1990-05-01", "sex": "female", "weekly_km": "30", "years_running": "4",
                        "goal_event": "Berlin Marathon", "goal_date": "", "send_invite": ""}),
    PageForm("my-profile", "athlete_a", lambda w: reverse("my_profile"), lambda w: {"shoes-1-name": ""}),
    PageForm("intake-new", "athlete_a", lambda w: reverse("triage:intake_new"), lambda w: INTAKE_DATA,
             fields=INTAKE_FIELDS),
    PageForm("intake-new-for-athlete", "clinician",
             lambda w: reverse("triage:intake_new_for_athlete", args=[w.people.athlete_b.pk]),
             lambda w: INTAKE_DATA, fields=INTAKE_FIELDS),
    PageForm("intake-review", "clinician", lambda w: reverse("triage:intake_review", args=[w.intake.pk]),
             lambda w: {"notes": "Seen in clinic."}),
    PageForm("plan-assign", "clinician",
             lambda w: reverse("rehab:plan_assign", args=[w.people.athlete_b.pk]),
             lambda w: {"template": str(w.template.pk), "start_date": w.today.isoformat(), "goal": "Run again"}),
    PageForm("phase-edit", "clinician",
             lambda w: reverse("rehab:phase_edit", args=[w.plan.pk, w.phases[0].pk]),
             lambda w: {}, fields=PHASE_FIELDS),
    PageForm("plan-move", "clinician", lambda w: reverse("rehab:plan_move", args=[w.plan.pk]),
             lambda w: {"action": "advance", "reason": "Three calm days", "version": str(w.plan.version)},
             fields=["action", "reason", "version"], kind="redirect",
             probes={"action": choice_probes(), "version": int_probes(), "reason": REASON_PROBES}),
    PageForm("plan-move-jump", "clinician", lambda w: reverse("rehab:plan_move", args=[w.plan.pk]),
             lambda w: {"action": "jump", "to_phase": str(w.phases[2].pk), "reason": "",
                        "version": str(w.plan.version)},
             fields=["to_phase", "reason"], kind="redirect",
             probes={"to_phase": id_probes(), "reason": REASON_PROBES}),
    PageForm("plan-status", "clinician", lambda w: reverse("rehab:plan_status", args=[w.plan.pk]),
             lambda w: {"status": "paused", "version": str(w.plan.version)}, fields=["status", "version"],
             kind="redirect", probes={"status": choice_probes(), "version": int_probes()}),
    PageForm("recommendation-apply", "clinician",
             lambda w: reverse("rehab:recommendation_apply", args=[w.plan.pk]), lambda w: {"action": "advance"},
             fields=["action"], kind="redirect", probes={"action": choice_probes()}, base_accepted=False),
    PageForm("log-today", "athlete_a", lambda w: reverse("rehab:log_today"),
             lambda w: {"pain_during": "2", "notes": "Easy day", "date": w.today.isoformat()}),
    PageForm("alert-resolve", "clinician", lambda w: reverse("alert_resolve", args=[w.alert.pk]),
             lambda w: {"note": "Called her; rest two days.", "next": ""}, fields=["note", "next"],
             kind="redirect",
             probes={"note": text_probes(required=True, max_length=300),
                     "next": [Probe(v, v, False) for v in (JS_URL, "//evil.example/", "https://evil.example/",
                                                           NUL, SCRIPT)]}),
    PageForm("exercise-add", "clinician", lambda w: reverse("library:exercise_add"),
             lambda w: {"name": "Wall sit", "kind": "strength", "regions": ["glutes"], "difficulty": "1",
                        "steps": "Sit against a wall.\nHold."}),
    PageForm("exercise-edit", "clinician", lambda w: reverse("library:exercise_edit", args=[w.exercise.pk])),
    PageForm("athlete-anonymise", "clinician", lambda w: reverse("athlete_anonymise", args=[w.no_login.pk]),
             lambda w: {"confirm_name": w.no_login.full_name}),
    _admin("portal_athlete", lambda w: w.people.athlete_a, inlines=True),
    _admin("portal_clinician", data=lambda w: {"user": str(w.plain_user.pk), "clinic": str(w.people.clinic.pk),
                                                "profession": "coach"}),
    _admin("rehab_plantemplate", data=lambda w: {"slug": "own-protocol", "name": "Own protocol",
                                                  "clinic": str(w.people.clinic.pk)}),
    _admin("portal_athlete", data=lambda w: {"clinic": str(w.people.clinic.pk), "first_name": "Nina",
                                              "last_name": "Novak"}),
    _admin("portal_clinic", data=lambda w: {"name": "Lakeside", "slug": "lakeside"}),
    _admin("portal_clinic", lambda w: w.people.clinic),
    _admin("portal_user", lambda w: w.people.athlete_a.user),
    _admin("library_exercise", lambda w: w.exercise),
    _admin("rehab_plan", lambda w: w.plan),
    _admin("rehab_planphase", lambda w: w.phases[0], inlines=True),
    _admin("triage_intake", lambda w: w.intake),
]  # fmt: skip

COMPACT = {"empty", "10k", "1MB", "nul", "hostile0", "word", "huge", "huge0", "feb30", "year99999", "unknown", "not-email",
           "js"}  # fmt: skip


def _page_probes(target: PageForm, get_response) -> dict[str, list[Probe]]:
    """Posted name -> probes, from the GET page's forms (first formset row) unless the target lists them."""
    wanted = target.fields
    found: dict[str, list[Probe]] = {}
    for form in page_forms(get_response) if get_response is not None else []:
        if isinstance(form, forms.BaseFormSet) and not target.inlines:
            continue
        subforms = form.forms[:1] if isinstance(form, forms.BaseFormSet) else [form]
        for sub in subforms:
            for bf in sub:
                name = bf.html_name
                if bf.field.disabled or isinstance(bf.field.widget, forms.MultiWidget):
                    continue
                if name.endswith("-DELETE") or name.endswith("-id") or name.endswith("-ORDER"):
                    continue
                if isinstance(wanted, list) and name not in wanted:
                    continue
                found[name] = probes_for_form_field(bf.field)
    found |= target.probes
    if isinstance(wanted, list):
        missing = [name for name in wanted if not found.get(name)]
        assert not missing, f"{target.name}: no probes for {missing}"
    if target.compact:
        found = {name: [p for p in probes if p.label in COMPACT] for name, probes in found.items()}
    return {name: probes for name, probes in found.items() if probes}


def _page_refused(sent, kind: str) -> bool:
    if 400 <= sent.status < 500:
        return True
    if kind == "redirect":
        return bool(error_messages(sent.response))
    return sent.status == 200 and bool(form_errors(sent.response) or error_messages(sent.response))


def _check_page(
    target: PageForm, label: str, sent, probe: Probe | None, posted_name: str | None
) -> list[str]:
    problems = []
    where = f"{target.name} {posted_name or 'body'}={label}"
    if sent.status >= 500:
        return [f"{where}: {sent.status} {sent.error}"]
    location = sent.response.get("Location", "") if sent.response is not None else ""
    if location.lower().lstrip().startswith(("javascript:", "data:", "//", "https://evil", "http://evil")):
        problems.append(f"{where}: redirected to {location!r}")
    refused = _page_refused(sent, target.kind)
    if probe is not None and probe.must_refuse and not refused:
        problems.append(f"{where}: accepted ({sent.status})")
    if refused and sent.changed:
        problems.append(f"{where}: refused but changed {sent.changed}")
    if refused and sent.status == 200 and target.kind == "form":
        errors = form_errors(sent.response)
        near = {posted_name, target.same_as.get(posted_name), "__all__"}
        if probe is not None and probe.must_refuse and not near & set(errors):
            problems.append(f"{where}: no error on the field (errors: {sorted(errors)})")
        html = sent.response.content.decode()
        hidden = [m for messages in errors.values() for m in messages if escape(m) not in html]
        if hidden:
            problems.append(f"{where}: error not shown on the page: {hidden[:2]}")
    return problems


def _post(client, url, data, before=None):
    body, content_type = form_body(data)
    return send(client, "POST", url, body=body, content_type=content_type, before=before)


@pytest.mark.parametrize("target", PAGE_FORMS, ids=[t.name for t in PAGE_FORMS])
def test_page_form_refuses_bad_input_without_a_500(client, world, target):
    login(client, world, target.persona)
    url = _reset_confirm_url(world, client) if target.url == "reset-confirm" else target.url(world)
    page = None
    if target.kind == "form":  # the redirecting views answer POST only
        page = client.get(url)
        assert page.status_code == 200, f"{target.name}: GET {url} answered {page.status_code}"
    base = {**(initial_post_data(page) if page else {}), **target.data(world)}
    problems = []

    valid = _post(client, url, base)
    assert valid.status < 500, valid.error
    if target.base_accepted:
        assert not _page_refused(valid, target.kind), (
            f"{target.name}: the valid post was refused: {form_errors(valid.response) or error_messages(valid.response)}"
        )

    sweep = _page_probes(target, page)
    assert sweep, f"{target.name}: nothing to probe"
    before = snapshot()
    for name, probes in sweep.items():
        for probe in probes:
            data = {**base, name: probe.value}
            if name in target.same_as:
                data[target.same_as[name]] = probe.value
            sent = _post(client, url, data, before)
            problems += _check_page(target, probe.label, sent, probe, name)

    # Whole bodies: nothing at all, JSON where a form is expected, and 10 MB in a form post or an upload.
    bodies = [
        ("empty", b"", "application/x-www-form-urlencoded"),
        ("json", b'{"first_name": "Anna"}', "application/json"),
        ("10MB", b"notes=" + b"x" * TEN_MB, "application/x-www-form-urlencoded"),
        ("10MB-multipart", _multipart({"notes": "x" * TEN_MB}), MULTIPART),
        ("bad-multipart", b"--nope\r\n\r\n", MULTIPART),
    ]
    for label, body, content_type in bodies:
        sent = send(client, "POST", url, body=body, content_type=content_type, before=before)
        problems += _check_page(target, label, sent, None, None)
        if label.startswith("10MB") and sent.status not in (400, 413):
            problems.append(f"{target.name} body={label}: answered {sent.status}, not 400/413")
    assert not problems, "\n".join(problems)


BOUNDARY = "hostileboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _multipart(fields: dict, files: dict | None = None) -> bytes:
    out = b""
    for name, value in fields.items():
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += (value if isinstance(value, bytes) else str(value).encode()) + b"\r\n"
    for name, (filename, content, content_type) in (files or {}).items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode("utf-8", "surrogateescape")
        out += content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("name", ["library:exercise_copy", "athlete_invite"])
def test_bodyless_posts_ignore_any_body(client, world, name):
    login(client, world, "clinician")
    url = reverse(name, args=[world.shipped.pk if "copy" in name else world.no_login.pk])
    problems = []
    for label, body, content_type in [
        ("empty", b"", "application/x-www-form-urlencoded"),
        ("hostile", f"name={SCRIPT}&pk=99999999999999999999".encode(), "application/x-www-form-urlencoded"),
        ("json", b"[[[[[[", "application/json"),
        ("10MB", b"x=" + b"x" * TEN_MB, "application/x-www-form-urlencoded"),
    ]:
        sent = send(client, "POST", url, body=body, content_type=content_type)
        if sent.status >= 500:
            problems.append(f"{name} {label}: {sent.status} {sent.error}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------- uploads

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00"
    b"\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
UPLOADS = [
    ("svg-script", "x.png", f'<svg xmlns="http://www.w3.org/2000/svg">{SCRIPT}</svg>'.encode(), "image/png"),
    ("html-as-png", "x.png", f"<html>{SCRIPT}</html>".encode(), "image/png"),
    ("empty-file", "x.png", b"", "image/png"),
    ("truncated-png", "x.png", PNG[:30], "image/png"),
    ("6MB", "x.png", PNG + b"\x00" * (6 * 1024 * 1024), "image/png"),
    ("png-named-exe", "x.exe", PNG, "application/octet-stream"),
    ("script-filename", f"{SCRIPT}.png", PNG, "image/png"),
    ("nul-filename", "x\x00.png", PNG, "image/png"),
    ("long-filename", "x" * 300 + ".png", PNG, "image/png"),
    ("traversal", "../../etc/passwd.png", PNG, "image/png"),
]
UPLOAD_MUST_REFUSE = {"svg-script", "html-as-png", "empty-file", "truncated-png", "6MB", "png-named-exe"}


def test_exercise_image_upload_refuses_what_is_not_a_small_picture(client, world):
    login(client, world, "clinician")
    url = reverse("library:exercise_edit", args=[world.exercise.pk])
    base = {key: value for key, value in initial_post_data(client.get(url)).items() if key != "image"}
    problems = []
    for label, filename, content, content_type in UPLOADS:
        fields = {k: "\n".join(v) if isinstance(v, list) else v for k, v in base.items()}
        body = _multipart(fields, {"image": (filename, content, content_type)})
        sent = send(client, "POST", url, body=body, content_type=MULTIPART)
        target = PageForm("exercise-upload", "clinician", None)
        probe = Probe(label, None, label in UPLOAD_MUST_REFUSE)
        problems += _check_page(target, label, sent, probe, "image")
    assert not problems, "\n".join(problems)


# ============================================================================================== API


@dataclass
class Endpoint:
    name: str
    persona: str
    method: str
    url: object  # world -> str
    body: object  # world -> the valid JSON body
    fields: dict = field(default_factory=dict)  # name -> probes (a dotted name reaches into the body)
    base_status: int | None = 200  # what the valid body gets (None: depends on the day's data)


def _answers_probes() -> list[Probe]:
    deep = Raw('{"age": ' + "[" * 20_000 + "]" * 20_000 + "}")
    return [Probe(label, value, True) for label, value in [
        ("list", ["front"]), ("string", "front"), ("number", 1), ("null", None), ("empty-key", {"": 1}),
        ("nul-key", {"\x00": 1}), ("nul-value", {"sex": "female\x00"}), ("surrogate-key", Raw('{"\\ud800": 1}')),
        ("surrogate-choice", Raw('{"locations": ["\\ud800"]}')), ("huge", {"age": 10**30}),
        ("nan", Raw('{"age": NaN}')), ("float-int", {"age": 30.5}), ("bool-int", {"age": True}),
        ("string-list", {"locations": "front"}), ("tests-list", {"tests": ["pain"]}),
        ("tests-script", {"tests": {"leg_swing": SCRIPT}}), ("script-key", {SCRIPT: True}),
        ("sql-key", {SQL_DROP: 1}), ("deep", deep), ("many-keys", {f"k{i}": i for i in range(10_000)}),
    ]]  # fmt: skip


def _api_text(max_length=None, required=True):
    return text_probes(required=required, max_length=max_length, api=True)


def _plan_url(world, action=""):
    return reverse(f"plan-{action or 'detail'}", args=[world.plan.pk])


def _log_body(world):
    row = world.plan.current_phase.exercises.first()
    return {"pain_during": 2, "pain_after": 1, "run_minutes": 20, "distance_km": "4.5", "walk_minutes": 2,
            "jog_minutes": 1, "shoe": world.shoe.pk, "notes": "Easy", "pain_locations": ["front"],
            "triggers": [], "night_pain": False, "exercises": [{"plan_exercise": row.pk, "sets_done": 2}]}  # fmt: skip


def _exercise_body(world):
    return {"name": "Wall sit", "kind": "strength", "steps": ["Sit against a wall.", "Hold."], "regions": ["glutes"],
            "equipment": [], "difficulty": 1, "sets": 2, "reps": 10, "aliases": [], "dosage_note": "",
            "video_url": ""}  # fmt: skip


EXERCISE_FIELDS = {
    "name": _api_text(120),
    "kind": choice_probes(api=True),
    "steps": [
        Probe(
            p.label,
            [p.value] if not isinstance(p.value, Raw) else Raw(f"[{p.value}]"),
            p.must_refuse or p.label in ("empty", "whitespace"),
        )
        for p in _api_text(1000)
    ]
    + [Probe("not-list", "Sit", True), Probe("empty-list", [], True), Probe("object", {"a": 1}, True)],
    "aliases": multi_probes(api=True)[3:6],
    "regions": multi_probes(api=True),
    "difficulty": int_probes(api=True),
    "sets": int_probes(api=True),
    "dosage_note": _api_text(500, required=False),
    "video_url": url_probes(),
}

ENDPOINTS = [
    Endpoint("token", "anonymous", "POST", lambda w: reverse("api-token"),
             lambda w: {"email": w.people.athlete_a.user.email, "password": factories.PASSWORD},
             {"email": email_probes(required=True, api=True), "password": _api_text(128)}),
    Endpoint("athletes-create", "clinician", "POST", lambda w: reverse("athlete-list"),
             lambda w: {"first_name": "Nina", "last_name": "Novak", "email": "nina@example.com",
                        "date_of_birth": "1990-05-01", "sex": "female", "weekly_km": "30.5", "years_running": 4,
                        "goal_event": "Berlin", "goal_date": None, "primary": w.people.clinician.pk},
             {"first_name": _api_text(80), "email": email_probes(required=False, api=True),
              "date_of_birth": date_probes(api=True), "sex": choice_probes(api=True),
              "weekly_km": decimal_probes(api=True), "years_running": int_probes(api=True),
              "goal_event": _api_text(120, required=False), "primary": id_probes(api=True)}, 201),
    Endpoint("athletes-invite", "clinician", "POST", lambda w: reverse("athlete-invite", args=[w.no_login.pk]),
             lambda w: {}, {}, 201),
    Endpoint("intakes-create", "athlete_a", "POST", lambda w: reverse("intake-list"),
             lambda w: {"answers": {"locations": ["front"], "age": 30}}, {"answers": _answers_probes()}, 201),
    Endpoint("intakes-create-clinician", "clinician", "POST", lambda w: reverse("intake-list"),
             lambda w: {"athlete": w.people.athlete_b.pk, "answers": {"locations": ["side"]}},
             {"athlete": id_probes(api=True)}, 201),
    Endpoint("intakes-review", "clinician", "POST", lambda w: reverse("intake-review", args=[w.intake.pk]),
             lambda w: {"condition": "stress_fracture", "notes": "Seen"},
             {"condition": choice_probes(api=True) + id_probes(api=True)[:3], "notes": _api_text(5000, False)}),
    Endpoint("triage-assess", "athlete_a", "POST", lambda w: reverse("triage:assess"),
             lambda w: {"locations": ["front"], "age": 30},
             {"age": int_probes(api=True), "locations": multi_probes(api=True), "sex": choice_probes(api=True),
              "tests": [Probe("list", [], True), Probe("script", {"leg_swing": SCRIPT}, True)],
              SCRIPT: [Probe("unknown-question", True, True)]}),
    Endpoint("plans-create", "clinician", "POST", lambda w: reverse("plan-list"),
             lambda w: {"athlete": w.people.athlete_b.pk, "template": w.template.pk,
                        "start_date": w.today.isoformat(), "goal": "Run again"},
             {"athlete": id_probes(api=True), "template": id_probes(api=True), "start_date": date_probes(api=True),
              "goal": _api_text(300, required=False)}, 201),
    Endpoint("plans-patch", "clinician", "PATCH", _plan_url,
             lambda w: {"name": "Adjusted plan", "goal": "Parkrun", "auto_advance": False},
             {"name": _api_text(150), "goal": _api_text(300, required=False), "status": choice_probes(api=True),
              "auto_advance": bool_probes(api=True), "version": int_probes(api=True)}),
    Endpoint("plans-put", "clinician", "PUT", _plan_url,
             lambda w: {"name": "Adjusted plan", "goal": "", "status": "active", "auto_advance": True},
             {"name": _api_text(150)}),
    Endpoint("plans-advance", "clinician", "POST", lambda w: _plan_url(w, "advance"),
             lambda w: {"reason": "Three calm days"}, {"reason": _api_text(500, required=False)}),
    Endpoint("plans-regress", "clinician", "POST", lambda w: _plan_url(w, "regress"), lambda w: {"reason": ""},
             {"reason": [p for p in _api_text(500, required=False) if p.label in ("nul", "surrogate", "list")]},
             None),
    Endpoint("plans-move", "clinician", "POST", lambda w: _plan_url(w, "move"),
             lambda w: {"phase": w.phases[2].pk, "reason": "Jump"},
             {"phase": id_probes(api=True), "reason": _api_text(500, required=False)}),
    Endpoint("plans-apply-recommendation", "clinician", "POST",
             lambda w: _plan_url(w, "apply-recommendation"), lambda w: {"action": "advance"},
             {"action": choice_probes(api=True)}, None),
    Endpoint("daily-logs-put", "athlete_a", "PUT",
             lambda w: reverse("dailylog-detail", args=[w.today.isoformat()]), _log_body,
             {"pain_during": int_probes(api=True), "run_minutes": int_probes(api=True),
              "distance_km": decimal_probes(api=True), "shoe": id_probes(api=True), "notes": _api_text(2000, False),
              "pain_locations": multi_probes(api=True), "triggers": multi_probes(api=True),
              "night_pain": bool_probes(api=True),
              "exercises": [Probe(label, value, True) for label, value in [
                  ("object", {"plan_exercise": 1}), ("string", "all"), ("list-of-ints", [1, 2]),
                  ("nested", [[{"plan_exercise": 1, "sets_done": 1}]]),
                  ("negative-sets", [{"plan_exercise": 1, "sets_done": -1}]),
                  ("nan-sets", Raw('[{"plan_exercise": 1, "sets_done": NaN}]')),
                  ("no-sets", [{"plan_exercise": 1}])]]}),  # fmt: skip
    Endpoint("alerts-resolve", "clinician", "POST", lambda w: reverse("alert-resolve", args=[w.alert.pk]),
             lambda w: {"note": "Called her"}, {"note": _api_text(300)}),
    Endpoint("exercises-create", "clinician", "POST", lambda w: reverse("exercise-list"), _exercise_body,
             EXERCISE_FIELDS, 201),
    Endpoint("exercises-patch", "clinician", "PATCH", lambda w: reverse("exercise-detail", args=[w.exercise.pk]),
             lambda w: {"name": "Side plank, knees bent"}, EXERCISE_FIELDS),
]  # fmt: skip

API_BODIES = [
    ("empty", b"", "application/json"),
    ("null", b"null", "application/json"),
    ("list", b"[]", "application/json"),
    ("string", b'"anna"', "application/json"),
    ("malformed", b'{"name": ', "application/json"),
    ("single-quotes", b"{'name': 'Anna'}", "application/json"),
    ("trailing", b'{"name": "Anna"} x', "application/json"),
    ("nan", b'{"name": NaN}', "application/json"),
    ("bad-utf8", b'{"name": "\xff\xfe"}', "application/json"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("deep-object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"),
    ("10MB", b'{"name": "' + b"x" * TEN_MB + b'"}', "application/json"),
    ("text-plain", b"name=Anna", "text/plain"),
    ("form", b"name=Anna", "application/x-www-form-urlencoded"),
    ("xml", b"<name>Anna</name>", "application/xml"),
    ("multipart", _multipart({"name": "Anna"}), MULTIPART),
    ("10MB-multipart", _multipart({"name": "x" * TEN_MB}), MULTIPART),
]


def _set(body: dict, dotted: str, value) -> dict:
    body = dict(body)
    body[dotted] = value
    return body


def _check_api(endpoint_name: str, where: str, sent, probe: Probe | None, name: str | None) -> list[str]:
    where = f"{endpoint_name} {where}"
    if sent.status >= 500:
        return [f"{where}: {sent.status} {sent.error}"]
    problems = []
    response = sent.response
    refused = sent.status >= 400
    if refused:
        content_type = response.get("Content-Type", "")
        if "json" not in content_type:
            problems.append(f"{where}: {sent.status} answered as {content_type!r}, not JSON")
        else:
            body = response.json()
            if set(body) != {"detail", "code", "errors"}:
                problems.append(f"{where}: error body not in the API's shape: {str(body)[:120]}")
            elif (
                probe is not None
                and probe.must_refuse
                and sent.status == 400
                and name is not None
                and body["code"] != "parse_error"  # NaN, "\ud800": the whole body is refused as bad JSON
            ):
                keys = body["errors"]
                if not any(key == name or key.startswith(f"{name}.") for key in keys) and (
                    "non_field_errors" not in keys
                ):
                    problems.append(f"{where}: no message for {name!r} (errors: {sorted(keys)[:5]})")
        if sent.changed:
            problems.append(f"{where}: refused but changed {sent.changed}")
    elif probe is not None and probe.must_refuse:
        problems.append(f"{where}: accepted ({sent.status})")
    return problems


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_api_endpoint_refuses_bad_input_in_its_error_shape(client, world, endpoint):
    login(client, world, endpoint.persona)
    url = endpoint.url(world)
    base = endpoint.body(world)
    problems = []

    valid = send(client, endpoint.method, url, **_json(base))
    assert valid.status < 500, valid.error
    if endpoint.base_status is not None:
        assert valid.status == endpoint.base_status, (
            f"valid body: {valid.status} {valid.response.content[:300]}"
        )

    before = snapshot()
    for name, probes in endpoint.fields.items():
        for probe in probes:
            sent = send(client, endpoint.method, url, before=before, **_json(_set(base, name, probe.value)))
            problems += _check_api(endpoint.name, f"{name}={probe.label}", sent, probe, name)
        if name in base:  # the field left out altogether
            rest = {key: value for key, value in base.items() if key != name}
            sent = send(client, endpoint.method, url, before=before, **_json(rest))
            problems += _check_api(endpoint.name, f"{name}=missing", sent, None, name)

    for label, body, content_type in API_BODIES:
        sent = send(client, endpoint.method, url, body=body, content_type=content_type, before=before)
        problems += _check_api(endpoint.name, f"body={label}", sent, None, None)
        # 415: an endpoint that takes no multipart refuses it unread. Body-less actions never read a body.
        if label.startswith("10MB") and base and sent.status not in (400, 413, 415):
            problems.append(f"{endpoint.name} body={label}: answered {sent.status}, not 400/413/415")
    assert not problems, "\n".join(problems)


def _json(data) -> dict:
    body, content_type = json_body(data)
    return {"body": body, "content_type": content_type}


def test_intake_answers_are_refused_field_by_field(client, world):
    """The engine's answers (a JSON object inside the body) get the same table through POST /intakes/."""
    login(client, world, "athlete_a")
    problems = []
    for answers_name, probes in {"age": int_probes(api=True), "sex": choice_probes(api=True),
                                 "locations": multi_probes(api=True), "night_pain": bool_probes(api=True),
                                 "tests": [Probe("object-of-list", {"leg_swing": ["pain"]}, True)]}.items():  # fmt: skip
        for probe in probes:
            body = {"answers": {"locations": ["front"], answers_name: probe.value}}
            sent = send(client, "POST", reverse("intake-list"), **_json(body))
            problems += _check_api(
                "intakes-create", f"answers.{answers_name}={probe.label}", sent, probe, "answers"
            )
    assert not problems, "\n".join(problems)


# ============================================================================================== URLs and queries


def _int_routes():
    """Every page URL that takes a whole-number id, from the URL configuration itself."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/") or route.startswith("^api") or route.startswith("api/"):
                    continue
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and "<int:" in route:
                found.append((pattern.name, prefix + route))

    walk(get_resolver().url_patterns)
    return found


@pytest.mark.parametrize("persona", ["athlete_a", "superuser"])
def test_ids_that_do_not_exist_or_overflow_64_bits_are_404s(client, world, persona):
    login(client, world, persona)
    routes = _int_routes()
    assert len(routes) >= 12
    problems = []
    for _name, route in routes:
        for bad in ["0", "987654321", *HUGE_IDS]:
            url = "/" + re.sub(r"<int:\w+>", bad, route)
            for method in ("GET", "POST"):
                sent = send(client, method, url, track=False)
                if sent.status >= 500:
                    problems.append(f"{method} {url}: {sent.status} {sent.error}")
    api_urls = ["/api/v1/athletes/{}/", "/api/v1/plans/{}/", "/api/v1/intakes/{}/", "/api/v1/alerts/{}/resolve/",
                "/api/v1/exercises/{}/", "/api/v1/athletes/{}/summary/", "/api/v1/conditions/{}/",
                "/api/v1/daily-logs/2026-02-30/", "/api/v1/daily-logs/99999-01-01/",
                "/admin/portal/athlete/{}/change/", "/admin/rehab/plan/{}/change/", "/admin/portal/athlete/{}/delete/",
                "/admin/library/exercise/{}/history/"]  # fmt: skip
    for template in api_urls:
        for bad in ["0", *HUGE_IDS, "-1", "abc", "%00", "1%20OR%201=1"]:
            url = template.format(bad)
            for method in ("GET", "POST"):
                content = {"content_type": "application/json"} if method == "POST" else {}
                sent = send(client, method, url, track=False, **content)
                if sent.status >= 500:
                    problems.append(f"{method} {url}: {sent.status} {sent.error}")
    assert not problems, "\n".join(problems)


QUERY_PROBES = {
    "q": [NUL, SCRIPT, SQL_OR, SQL_DROP, TEN_K, EMOJI, "%", "_", "\\"],
    "page": ["-1", "0", "abc", str(10**30), "1e3", "", NUL],
    "page_size": ["-1", "0", "100000", "abc", str(10**30)],
    "show": ["unknown", SCRIPT, NUL],
    "ordering": [
        "password",
        "-user__password",
        "athlete__user__password",
        "name;DROP",
        NUL,
        "-",
        ",",
        "risk,risk",
    ],
    "o": ["abc", "99", "-1.2", "1.1.1", NUL],
    "p": ["-1", "abc", str(10**30)],
    "status": ["unknown", NUL],
    "kind": ["unknown", NUL, SCRIPT],
    "severity": ["unknown"],
    "athlete": ["abc", "-1", *HUGE_IDS, NUL, "²", "١٢"],  # digits to str.isdigit(), not all to int()
    "plan": ["abc", str(10**30)],
    "template": [str(10**30)],
    "open": ["maybe", NUL],
    "needs_review": ["maybe"],
    "urgency": [NUL],
    "date": ["2026-02-30", "99999-01-01", "abc", NUL],
    "date_after": ["2026-02-30", "99999-01-01", NUL],
    "date_before": ["0000-00-00"],
    "region": ["unknown", NUL],
    "difficulty": ["abc", str(10**30)],
    "condition": [NUL, SCRIPT],
    "phase": ["abc", "-1", *HUGE_IDS, NUL],
    "paper": [SCRIPT, NUL],
    "download": [SCRIPT],
    "next": [JS_URL, "//evil.example/", NUL],
    "clinic__id__exact": [str(10**30), "abc"],
    "all": [SCRIPT],
    "_to_field": ["password"],
    "e": ["1"],
    "\x00": ["x"],
    SCRIPT: [SCRIPT],
}


API_LIST = ["page", "page_size", "ordering", "\x00", SCRIPT]
ADMIN_LIST = ["q", "o", "p", "all", "e", "_to_field", "clinic__id__exact", "status", "\x00", SCRIPT]


def _query_targets(world):
    """persona -> [(url, the query parameters it reads, plus nonsense ones)]."""
    plan, athlete, today = world.plan, world.people.athlete_a, world.today.isoformat()
    any_page = ["\x00", SCRIPT, "next"]
    return {
        "clinician": [
            (reverse("athlete_list"), ["q", "page", "show", *any_page]),
            (reverse("library:exercise_list"), ["q", "page", "kind", "region", "difficulty", *any_page]),
            (reverse("athlete_detail", args=[athlete.pk]), any_page),
            (reverse("rehab:timeline", args=[athlete.pk]), any_page),
            (reverse("rehab:plan_detail", args=[plan.pk]), any_page),
            (reverse("rehab:plan_print", args=[plan.pk]), ["phase", "paper", "download"]),
            (reverse("triage:intake_review", args=[world.intake.pk]), any_page),
            ("/api/v1/athletes/", ["q", "show", *API_LIST]),
            ("/api/v1/alerts/", ["athlete", "open", "kind", "severity", *API_LIST]),
            ("/api/v1/intakes/", ["athlete", "needs_review", "urgency", *API_LIST]),
            ("/api/v1/plans/", ["athlete", "template", "status", *API_LIST]),
            ("/api/v1/plan-templates/", ["condition", "active", *API_LIST]),
            ("/api/v1/daily-logs/", ["athlete", "plan", "date_after", "date_before", *API_LIST]),
            ("/api/v1/exercises/", ["q", "kind", "region", "difficulty", *API_LIST]),
            ("/api/v1/conditions/", ["default_urgency", *API_LIST]),
            (f"/api/v1/daily-logs/{today}/", ["athlete"]),
            (f"/api/v1/athletes/{athlete.pk}/summary/", ["\x00"]),
            (f"/api/v1/athletes/{athlete.pk}/export/", ["\x00", "format"]),
            (reverse("athlete_export", args=[athlete.pk]), any_page),
            (reverse("athlete_anonymise", args=[world.no_login.pk]), any_page),
        ],
        "athlete_a": [
            (reverse("rehab:log_today"), ["date", *any_page]),
            (reverse("rehab:athlete_today"), any_page),
            (reverse("rehab:my_plan"), any_page),
            (reverse("my_profile"), any_page),
            (reverse("my_export"), any_page),
            ("/api/v1/me/export/", ["\x00", "format"]),
            ("/api/v1/me/", ["\x00"]),
            ("/api/v1/daily-logs/", ["date_after", "date_before", *API_LIST]),
            (f"/api/v1/daily-logs/{today}/", ["athlete"]),
        ],
        "anonymous": [(reverse("login"), ["next", "\x00"]), (reverse("password_reset"), ["\x00"])],
        "superuser": [
            *[
                (url, ADMIN_LIST)
                for url in (
                    "/admin/portal/athlete/",
                    "/admin/portal/alert/",
                    "/admin/rehab/plan/",
                    "/admin/rehab/dailylog/",
                    "/admin/triage/intake/",
                    "/admin/library/exercise/",
                    "/admin/portal/user/",
                    "/admin/rehab/plantemplate/",
                )
            ],  # fmt: skip
            ("/admin/portal/athlete/add/", ["_to_field", "_popup", "\x00"]),
            ("/admin/portal/auditentry/", [*ADMIN_LIST, "athlete", "action", "type", "timestamp__gte"]),
            ("/admin/autocomplete/", ["term", "app_label", "model_name", "field_name"]),
        ],
    }


EXTRA_QUERY_PROBES = {
    "action": ["abc", "9", NUL],
    "type": ["auth.user", SCRIPT, NUL],
    "timestamp__gte": ["2026-02-30", "abc"],
    "format": ["xml", SCRIPT, NUL],
    "_popup": ["abc"],
    "active": ["maybe"],
    "default_urgency": [NUL, SCRIPT],
    "term": [NUL, TEN_K, SQL_OR],
    "app_label": ["auth", NUL],
    "model_name": ["user", SCRIPT],
    "field_name": ["password", NUL],
}


@pytest.mark.parametrize("persona", ["clinician", "athlete_a", "anonymous", "superuser"])
def test_hostile_query_strings_never_give_a_500(client, world, persona):
    from urllib.parse import quote

    login(client, world, persona)
    probes = QUERY_PROBES | EXTRA_QUERY_PROBES
    problems = []
    for url, names in _query_targets(world)[persona]:
        for name in names:
            for value in probes[name]:
                query = f"{quote(name)}={quote(value)}"
                sent = send(client, "GET", f"{url}?{query}", track=False)
                if sent.status >= 500:
                    problems.append(f"GET {url}?{query[:60]}: {sent.status} {sent.error}")
                elif (
                    url.startswith("/api/")
                    and sent.status >= 400
                    and "json" not in sent.response["Content-Type"]
                ):
                    problems.append(f"GET {url}?{query[:60]}: {sent.status} not JSON")
    assert not problems, "\n".join(problems)


def test_ten_megabytes_to_the_api_is_a_413_in_the_error_shape(client, world):
    login(client, world, "clinician")
    body = b'{"first_name": "' + b"x" * TEN_MB + b'", "last_name": "Novak"}'
    response = client.post(reverse("athlete-list"), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large. Send at most 2.5 MB.",
        "code": "too_large",
        "errors": {},
    }


def test_a_one_megabyte_text_is_refused_next_to_its_field(client, world):
    login(client, world, "clinician")
    response = client.post(reverse("athlete_add"), {"first_name": ONE_MB, "last_name": "Novak"})
    assert response.status_code == 200
    assert "to 80 characters (it has 1000000)" in " ".join(response.context["form"].errors["first_name"])


def test_a_ten_thousand_character_note_is_refused_by_the_api(client, world):
    login(client, world, "athlete_a")
    url = reverse("dailylog-detail", args=[world.today.isoformat()])
    response = client.put(url, {"notes": TEN_K}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["notes"]


def test_hostile_words_in_text_are_stored_as_typed(client, world):
    """SQL-like and script-like names are just text: saved as typed, matching nothing else."""
    login(client, world, "clinician")
    for name in [SQL_OR, SQL_DROP, *HOSTILE_TEXTS[:2]]:
        response = client.post(reverse("athlete-list"), {"first_name": name[:80], "last_name": "Novak"},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content
        assert response.json()["first_name"] == name[:80].strip()
    search = client.get(reverse("athlete-list"), {"q": SQL_OR})
    assert [a["first_name"] for a in search.json()["results"]] == [SQL_OR]


# ============================================================================================== the fixes, one by one


def test_a_megabyte_long_login_name_is_a_wrong_login_not_a_500(client, world):
    response = client.post(reverse("login"), {"username": ONE_MB, "password": "whatever"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_resolving_an_alert_refuses_a_nul_byte_or_an_overlong_note(client, world):
    login(client, world, "clinician")
    url = reverse("alert_resolve", args=[world.alert.pk])
    for note, message in [
        (NUL, "Null characters are not allowed."),
        ("x" * 301, "Keep the note to 300 characters"),
    ]:
        response = client.post(url, {"note": note}, follow=True)
        assert message in response.content.decode()
        world.alert.refresh_from_db()
        assert world.alert.resolved_at is None


@pytest.mark.parametrize(
    "next_url", ["Anna Aalto", "athlete_list", JS_URL, "//evil.example/", "https://evil.example/"]
)
def test_resolving_an_alert_goes_back_only_to_a_page_of_this_site(client, world, next_url):
    login(client, world, "clinician")
    response = client.post(
        reverse("alert_resolve", args=[world.alert.pk]), {"note": "Called", "next": next_url}
    )
    assert response.status_code == 302
    assert response.url == reverse("athlete_detail", args=[world.alert.athlete_id])


def test_resolving_an_alert_returns_to_the_page_it_came_from(client, world):
    login(client, world, "clinician")
    response = client.post(
        reverse("alert_resolve", args=[world.alert.pk]), {"note": "Called", "next": "/athletes/"}
    )
    assert response.url == "/athletes/"


@pytest.mark.parametrize(("text", "message"), [("Lie down.\nLift\x00", "Null characters are not allowed."),
                                                ("Lie down.\n" + "x" * 1001, "Keep each line to 1000 characters.")])  # fmt: skip
def test_exercise_lists_refuse_nul_bytes_and_overlong_lines(client, world, text, message):
    login(client, world, "clinician")
    response = client.post(reverse("library:exercise_add"), {"name": "Bridge", "kind": "strength", "difficulty": "1",
                                                             "regions": ["glutes"], "steps": text})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["steps"] == [message]


@pytest.mark.parametrize("bad", ["abc", str(2**63), "1\x00"])
def test_an_admin_autocomplete_with_a_bad_id_is_a_form_error(client, world, bad):
    login(client, world, "superuser")
    url = reverse("admin:rehab_planphase_change", args=[world.phases[0].pk])
    data = {**initial_post_data(client.get(url)), "exercises-0-exercise": bad}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "exercises-0-exercise" in form_errors(response)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "JSON parse error - nested too deeply."),
        (b'{"\\ud800": true}', "JSON parse error - a \\u escape stands for half a character (a lone surrogate)."),
        (b'{"locations": ["\\udfff"]}', "JSON parse error - a \\u escape stands for half a character (a lone surrogate)."),
    ],
)  # fmt: skip
def test_the_api_refuses_unparseable_json_with_a_400(client, world, body, detail):
    login(client, world, "athlete_a")
    for url in (
        reverse("triage:assess"),
        reverse("intake-list"),
        reverse("dailylog-detail", args=[world.today]),
    ):
        method = client.put if "daily" in url else client.post
        response = method(url, body, content_type="application/json")
        assert response.status_code == 400, url
        assert response.json() == {"detail": detail, "code": "parse_error", "errors": {}}


def test_a_surrogate_pair_is_a_character_and_is_kept(client, world):
    login(client, world, "athlete_a")
    url = reverse("dailylog-detail", args=[world.today.isoformat()])
    response = client.put(url, b'{"notes": "Ran \\ud83c\\udfc3 today"}', content_type="application/json")
    assert response.status_code == 200
    assert response.json()["notes"] == "Ran 🏃 today"


@pytest.mark.parametrize("value", [1.5, 1.0])
def test_api_ids_with_a_fraction_are_the_wrong_type(client, world, value):
    login(client, world, "clinician")
    body = {
        "athlete": world.people.athlete_b.pk,
        "template": world.template.pk,
        "start_date": str(world.today),
    }
    response = client.post(reverse("plan-list"), {**body, "template": value}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"template": ["Incorrect type. Expected pk value, received float."]}


def test_a_nul_byte_in_a_query_string_is_a_400_everywhere(client, world):
    """Admin list filters passed it to PostgreSQL, which refuses it (a 500): the middleware answers first."""
    login(client, world, "superuser")
    for url in ("/athletes/?q=Anna%00", "/admin/rehab/plan/?status=active%00", "/library/?%00=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL byte" in response.content.decode()
    response = client.get("/api/v1/plans/?status=active%00")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The query string holds a NUL byte, which no parameter accepts.",
        "code": "invalid",
        "errors": {},
    }
    assert client.get("/athletes/?q=Anna").status_code == 200


def test_caseload_search_for_a_nul_byte_finds_nobody(world):
    from portal.models import Athlete

    assert not Athlete.objects.search("Anna\x00").exists()
    assert Athlete.objects.search("Anna").exists()


def test_an_intake_review_naming_a_condition_with_a_nul_byte_is_a_400(client, world):
    login(client, world, "clinician")
    url = reverse("intake-review", args=[world.intake.pk])
    response = client.post(url, {"condition": "stress_fracture\x00"}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["condition"]


@pytest.mark.parametrize("athlete", ["²", "١٢", "-1", str(10**30)])
def test_the_audit_trail_filter_ignores_an_athlete_that_is_no_id(client, world, athlete):
    login(client, world, "superuser")
    response = client.get("/admin/portal/auditentry/", {"athlete": athlete})
    assert response.status_code == 200


def test_the_log_form_shows_every_error_next_to_its_field(client, world):
    login(client, world, "athlete_a")
    response = client.post(reverse("rehab:log_today"), {"did_run": "on", "run_minutes": "20", "walk_minutes": "abc",
                                                        "jog_minutes": "99", "pain_locations": ["knee"]})  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    for message in ("Enter a whole number.", "Ensure this value is less than or equal to 60.",
                    "Select a valid choice. knee is not one of the available choices."):  # fmt: skip
        assert re.search(r'class="invalid-feedback[^"]*"[^>]*>[^<]*' + re.escape(escape(message)), html), (
            message
        )


def test_ten_megabytes_to_a_page_is_a_400_page_that_says_why(client, world):
    login(client, world, "athlete_a")
    body = b"notes=" + b"x" * TEN_MB
    response = client.post(reverse("rehab:log_today"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "too large (a form can send at most 2.5 MB)" in response.content.decode()
