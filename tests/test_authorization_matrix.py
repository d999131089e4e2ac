"""The authorization matrix (issue #9): every named URL × persona × the methods that matter, in one table.

How it works
- `url_names()` walks the URL resolver through every include(): the site's pages, the admin site (its
  own URLs and five per registered ModelAdmin) and the API router. `test_every_named_url_is_declared`
  fails when a name has no row (add one to its section) or a row names a URL that no longer exists.
- SECTIONS map each name to what to request (arguments from the `world` fixture, built on `people`:
  every object belongs to athlete_a or to the clinician's clinic, Riverside, so athlete_b and
  other_clinician exercise the scoping) and the expected outcome per persona in PERSONAS order, per HTTP
  method. The coach works in the clinician's clinic: their column is what the capabilities table
  (portal.capabilities, docs/roles.md) lets a coach do there. A name may have variants (a real and a bogus token). Admin rows are generated from
  ADMIN_MODELS: one entry per registered ModelAdmin with the outcome of each view for the staff personas
  (anonymous and athletes always get the admin's login page). A row may be skipped with a reason
  (`skip=`); none is at the moment.
- POST (and PUT/PATCH/DELETE) cells send an empty body unless the row gives one: the wrong personas must
  get their 401/403/404, the allowed ones a form error (200), a redirect or the API's 400, never a 500.
- One test per section: the world is built once, each persona logs in once, and each cell runs in its
  own transaction that is rolled back, so cells that change or delete something never affect the next.
- Every cell also checks: never a 5xx or an exception; a 2xx body for an outsider (anonymous, athlete_b,
  other_clinician) never contains athlete_a's or the invited athlete's name or email, nor (for
  other_clinician) anything of the Riverside clinic; where a row has a `check`, the effect (a deleted
  row, an anonymised athlete) happens exactly for the personas allowed to cause it.

Out of scope: patterns without a name (the admin's catch-all and its `<object_id>/` → change redirects,
the static/media routes in DEBUG), the DRF format-suffix routes (same names as the plain ones), and the
contents of binary downloads (PDF, zip), which their own tests read.

Totals (kept current by `test_totals_in_the_docstring_are_current`):
264 URL names, 3129 cells (names × personas × methods), 0 skipped.
"""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from types import ModuleType, SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from outcomes import services as outcome_services
from portal import care_messages, shared_care
from portal import services as portal_services
from portal import tokens as portal_tokens
from portal.models import ApiToken, SignedInDevice
from portal.permissions import CLINICIANS_GROUP
from rehab import reminders
from rehab import services as rehab_services
from rehab.services import coach as coach_services
from tests.access import ADMIN_LOGIN, LOGIN
from tests.access import MATRIX_PERSONAS as PERSONAS
from tests.factories import (
    AlertFactory,
    AthleteFactory,
    ExerciseFactory,
    IntakeFactory,
    PlanTemplateFactory,
    UserFactory,
)
from triage.models import Condition

# Outcomes besides a status code, LOGIN and ADMIN_LOGIN (tests/access.py):
ADMIN_GONE = "admin-gone"  # the admin's "doesn't exist (perhaps deleted?)": 302 to the admin index
# A plain 302 means a redirect somewhere other than a login page (e.g. back to the page after an action).

OUTSIDERS = ("anonymous", "athlete_b", "other_clinician")


# -------------------------------------------------------------------------------------------------- the world


@pytest.fixture
def world(people):
    """athlete_a with a plan (phase 1 of 3), today's log, an intake, an open alert and an API token; the
    clinic's own exercise and plan template; a clinic athlete without a login yet, with a pending invite."""
    today = timezone.localdate()
    a, clinician = people.athlete_a, people.clinician
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=a, template=template, by=clinician.user, start=today - timedelta(days=10)
    )
    log = rehab_services.log_save(athlete=a, day=today, data={"pain_during": 1, "run_minutes": 20})
    newcomer = AthleteFactory(clinic=people.clinic, first_name="Nia", last_name="Newcomer")
    invite, link = portal_services.invite_send(athlete=newcomer, by=clinician.user)
    clinic_template = PlanTemplateFactory(
        clinic=people.clinic, name="Riverside return to run", phases=2, phases__exercises_per_phase=1
    )
    return SimpleNamespace(
        people=people,
        a=a,
        today=today,
        template=template,
        plan=plan,
        phases=list(plan.phases.order_by("order")),
        log=log,
        intake=IntakeFactory(athlete=a),
        alert=AlertFactory(athlete=a, kind="pain_spike"),
        notice=AlertFactory(athlete=a, kind="no_log", severity="notice"),
        exercise=ExerciseFactory(clinic=people.clinic, name="Riverside banded bridge"),
        clinic_template=clinic_template,
        clinic_phase=clinic_template.phases.order_by("order").first(),
        newcomer=newcomer,
        invite=invite,
        invite_token=link.rstrip("/").rsplit("/", 1)[-1],
        token=portal_tokens.token_issue(user=a.user, name="Matrix")[0],
        clinicians_group=Group.objects.get(name=CLINICIANS_GROUP),
        condition=Condition.objects.get(code="stress_fracture"),
        **_login_records(a.user.email),
        audit_entry=_audit_entry(clinician.user, a),
        change_request=coach_services.request_create(
            plan=plan, by=people.coach.user, kind="exercise", reason="Swap the bridge for a step-up."
        ),
        message=care_messages.message_post(
            athlete=a, author=clinician.user, channel="team", body="How was it?"
        ),
        **_shared_care(a),
        questionnaire=outcome_services.response_save(
            athlete=a, instrument="nprs", answers={"pain": 3}, round="intake", complete=True, by=a.user
        ),
        visit=outcome_services.visit_save(athlete=a, clinician=clinician, notes="FADIR negative."),
        wording=outcome_services.wording_import(
            clinic=people.clinic,
            data={
                "instrument": "ihot12",
                "version": "1",
                "instructions": "Mark the line.",
                "items": {f"Q{i}": f"Licensed question {i}" for i in range(1, 13)},
                "answer_labels": {"0": "Extremely difficult", "100": "No difficulty"},
            },
        )[0],  # fmt: skip
    )


def _shared_care(athlete) -> dict:
    """athlete_a's own club coach: invited (the link's token) and accepted by a login of her own."""
    row, link = shared_care.invite(
        athlete=athlete, name="Cora Club", email="cora@club.example", by=athlete.user
    )
    shared_care.accept_as(row=row, user=UserFactory(email="cora@club.example"))
    pending, pending_link = shared_care.invite(
        athlete=athlete, name="Pat Pending", email="pat@club.example", by=athlete.user
    )
    return {"shared": row, "shared_token": pending_link.rstrip("/").rsplit("/", 1)[-1]}


def _audit_entry(user, athlete):
    """An entry of the audit trail about athlete_a: the clinician opened the record."""
    from portal import audit
    from portal.models import AuditEntry

    audit.record_access(user, athlete)
    return AuditEntry.objects.filter(athlete=athlete).latest("pk")


def _login_records(email: str) -> dict:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {
        "username": email,
        "ip_address": "10.1.2.3",
        "user_agent": "Firefox",
        "path_info": "/accounts/login/",
    }
    return {
        "access_attempt": AccessAttempt.objects.create(**seen, failures_since_start=1),
        "access_log": AccessLog.objects.create(**seen),
        "access_failure": AccessFailureLog.objects.create(**seen),
    }


def secrets_for(world, persona: str) -> list[str]:
    """What must never appear in a 2xx body `persona` gets: athlete_a's and the invited athlete's names and
    emails; for those outside the clinic also the clinic's name and its clinician's."""
    if persona not in OUTSIDERS:
        return []
    names = [world.a.last_name, world.a.email, world.newcomer.last_name, world.newcomer.email]
    if persona != "athlete_b":
        names += ["Riverside", world.people.clinician.user.last_name]
    return names


# -------------------------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    """One URL to request: `expect` maps an HTTP method to the outcome per persona (PERSONAS order)."""

    expect: dict[str, Sequence]
    args: Callable = lambda w: []
    query: str = ""
    data: dict = field(default_factory=dict)  # method → body (form data; JSON for /api/); default empty
    label: str = ""  # tells variants of one name apart (e.g. a real and a bogus token)
    skip: str = ""  # why this URL cannot be exercised here
    # (world, persona, expected, response) → a problem or None, run before the cell's rollback
    check: Callable | None = None
    shown: Callable = lambda w: []  # secrets (see secrets_for) this URL may show to whoever opens it


def row(*, args=None, query="", data=None, label="", skip="", check=None, shown=None, **expect) -> Row:
    return Row(
        expect=expect,
        args=args or (lambda w: []),
        query=query,
        data=data or {},
        label=label,
        skip=skip,
        check=check,
        shown=shown or (lambda w: []),
    )


def happens_only_for(*allowed: str, what: str, happened: Callable):
    """A `check`: the request's effect (`happened(world)`) is there exactly for the `allowed` personas."""

    def check(world, persona, expected, response):
        if response.request["REQUEST_METHOD"] == "GET":
            return None
        if happened(world) != (persona in allowed):
            return f"{what}: {'happened' if persona not in allowed else 'did not happen'} for {persona}"
        return None

    return check


def _token_revoked(w) -> bool:
    return not ApiToken.objects.filter(pk=w.token.pk).exists()


def _anonymised(w) -> bool:
    return type(w.a).objects.get(pk=w.a.pk).anonymised_at is not None


def _renamed(w) -> bool:
    return type(w.a).objects.get(pk=w.a.pk).last_name == "Renamed"


def _plan_cancelled(w) -> bool:
    return type(w.plan).objects.get(pk=w.plan.pk).status == "cancelled"


def _on_delete(check: Callable) -> Callable:
    """A `check` run for DELETE requests only (the row's PUT changes the record without deleting it)."""

    def on_delete(world, persona, expected, response):
        if response.request["REQUEST_METHOD"] != "DELETE":
            return None
        return check(world, persona, expected, response)

    return on_delete


def _visit_deleted(w) -> bool:
    return not type(w.visit).objects.filter(pk=w.visit.pk).exists()


def _protocol_saved(w) -> bool:
    return type(w.template).objects.filter(name="Matrix protocol").exists()


def staff(clinician, other_clinician, superuser) -> list:
    """An admin outcome: anonymous, athletes and the coach (no Cap.USE_ADMIN) are sent to the admin's login
    page."""
    return [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, clinician, ADMIN_LOGIN, other_clinician, superuser]


def a(w):
    return [w.a.pk]


def plan(w):
    return [w.plan.pk]


def _download(w):
    """athlete_a's data export, ready: made once per world."""
    from portal.models import Download

    if not hasattr(w, "download"):
        w.download = Download.objects.create(
            owner=w.a.user, kind="export", athlete=w.a, status="ready", filename="world.zip",
            content_type="application/zip", content=b"PK", finished_at=timezone.now(),
        )  # fmt: skip
    return [w.download.pk]


def _batch_started(w) -> bool:
    from portal.models import Download

    return Download.objects.filter(kind="batch_print").exists()


def _notice_resolved(w) -> bool:
    return type(w.notice).objects.get(pk=w.notice.pk).resolved_at is not None


def _review_set(w) -> bool:
    return type(w.a).objects.get(pk=w.a.pk).next_review is not None


def _export_started(w) -> bool:
    from portal.models import Download

    return Download.objects.filter(kind="export").exclude(filename="world.zip").exists()


# Columns: anonymous, athlete_a, athlete_b, clinician, coach, other_clinician, superuser. The coach (same clinic as
# the clinician) sees the caseload, plans, logs and alerts, prints programs and resolves notices; every clinical
# write, the athlete's record, personal data and the admin are refused (403; the admin: its login page).
PORTAL_ROWS = {
    "home": row(GET=[LOGIN, 302, 302, 302, 302, 302, 302]),
    "athlete_list": row(GET=[LOGIN, 403, 403, 200, 200, 200, 200]),
    "athlete_add": row(GET=[LOGIN, 403, 403, 200, 403, 200, 200], POST=[LOGIN, 403, 403, 200, 403, 200, 200]),
    "athlete_detail": row(args=a, GET=[LOGIN, 403, 403, 200, 200, 404, 200]),
    # Editing athlete_a's details: only their clinic (and superusers) can.
    "athlete_edit": row(
        args=a,
        data={"POST": {"first_name": "Anna", "last_name": "Renamed"}},
        check=happens_only_for("clinician", "superuser", what="edited", happened=_renamed),
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    "athlete_invite": row(
        args=lambda w: [w.newcomer.pk],
        GET=[LOGIN, 403, 403, 405, 403, 405, 405],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    # An urgent alert is the clinical clinicians' to resolve; a notice the coach's too.
    "alert_resolve": [
        row(
            label="urgent",
            args=lambda w: [w.alert.pk],
            GET=[LOGIN, 403, 403, 405, 405, 405, 405],
            POST=[LOGIN, 403, 403, 302, 403, 404, 302],
        ),
        row(
            label="notice",
            args=lambda w: [w.notice.pk],
            data={"POST": {"note": "Called her."}},
            check=happens_only_for(
                "clinician", "coach", "superuser", what="resolved", happened=_notice_resolved
            ),
            GET=[LOGIN, 403, 403, 405, 405, 405, 405],
            POST=[LOGIN, 403, 403, 302, 302, 404, 302],
        ),
    ],
    # The caseload's bulk print of athlete_a's program: the other clinic's clinician is sent back to their own
    # caseload with nothing printed (athlete_a is not theirs to tick).
    "caseload_bulk": row(
        data={"POST": {"action": "print", "athlete": "<athlete_a>"}},
        check=happens_only_for(
            "clinician", "coach", "superuser", what="programs printed", happened=_batch_started
        ),
        GET=[LOGIN, 403, 403, 405, 405, 405, 405],
        POST=[LOGIN, 403, 403, 302, 302, 302, 302],
    ),
    "athlete_review": row(
        args=a,
        data={"POST": {"next_review": "<in a week>"}},
        check=happens_only_for("clinician", "superuser", what="review date set", happened=_review_set),
        GET=[LOGIN, 403, 403, 405, 403, 405, 405],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    "my_profile": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]),
    # Data export: the athlete their own, the care team an athlete's. GET says what the zip holds; POST has a job
    # make it and goes to its download page.
    "my_export": row(
        check=happens_only_for("athlete_a", "athlete_b", what="export started", happened=_export_started),
        GET=[LOGIN, 200, 200, 403, 403, 403, 403],
        POST=[LOGIN, 302, 302, 403, 403, 403, 403],
    ),
    # Anyone's own API tokens (athlete_a holds one); revoking one that is not yours is a 404.
    "api_tokens": row(GET=[LOGIN, 200, 200, 200, 200, 200, 200], POST=[LOGIN, 405, 405, 405, 405, 405, 405]),
    "api_token_revoke": row(
        args=lambda w: [w.token.pk],
        check=happens_only_for("athlete_a", what="token revoked", happened=_token_revoked),
        GET=[LOGIN, 405, 405, 405, 405, 405, 405],
        POST=[LOGIN, 302, 404, 404, 404, 404, 404],
    ),
    "sign_out_elsewhere": row(
        GET=[LOGIN, 405, 405, 405, 405, 405, 405], POST=[LOGIN, 302, 302, 302, 302, 302, 302]
    ),
    # The athlete's signed-in devices (on their profile): athlete_a signs out their own (this very session, a
    # logout); another's device is not found; clinic staff have no device list.
    "device_sign_out": row(
        args=lambda w: [SignedInDevice.objects.filter(user=w.a.user).values_list("pk", flat=True).first()],
        check=happens_only_for(
            "athlete_a",
            what="device signed out",
            happened=lambda w: not SignedInDevice.objects.filter(user=w.a.user).exists(),
        ),
        GET=[LOGIN, 405, 405, 403, 403, 403, 403],
        POST=[LOGIN, 302, 404, 403, 403, 403, 403],
    ),
    "devices_sign_out_others": row(
        GET=[LOGIN, 405, 405, 403, 403, 403, 403], POST=[LOGIN, 302, 302, 403, 403, 403, 403]
    ),
    # A clinician's own email settings; the superuser persona is on no care team (no clinician profile).
    "notification_settings": row(
        GET=[LOGIN, 403, 403, 200, 200, 200, 403], POST=[LOGIN, 403, 403, 200, 200, 200, 403]
    ),
    "athlete_export": row(
        args=a,
        check=happens_only_for("clinician", "superuser", what="export started", happened=_export_started),
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    # A file a job made (athlete_a's own export, ready): only its owner opens it, their clinic and superusers not.
    "download_detail": row(
        args=_download, GET=[LOGIN, 200, 404, 404, 404, 404, 404], POST=[LOGIN, 405, 405, 405, 405, 405, 405]
    ),
    "download_file": row(args=_download, GET=[LOGIN, 200, 404, 404, 404, 404, 404]),
    # Deleting athlete_a's personal data, with the real confirmation: only their clinic (and superusers) can.
    "athlete_anonymise": row(
        args=a,
        data={"POST": {"confirm_name": "Anna Aalto"}},
        check=happens_only_for("clinician", "superuser", what="anonymised", happened=_anonymised),
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    # The token is the key: whoever holds the link may open it, logged in or not.
    "invite_accept": [
        row(
            label="real token",
            args=lambda w: [w.invite_token],
            # The page greets the invited athlete: their name, email and clinic, to whoever holds the link.
            shown=lambda w: [w.newcomer.last_name, w.newcomer.email, "Riverside"],
            # Logged in, the page offers to connect that login; only the invite's own address can (409 else).
            GET=[200, 200, 200, 200, 200, 200, 200],
            POST=[200, 409, 409, 409, 409, 409, 409],
        ),
        row(label="bogus token", args=lambda w: ["not-a-token"], GET=[404] * 7, POST=[404] * 7),
    ],
    # Messages on the care team: the athlete's own thread; the team's thread and staff notes per athlete (an
    # empty POST is the form again with its error); the clinician's threads with unread messages.
    "my_messages": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]),
    "athlete_messages": row(
        args=a, GET=[LOGIN, 403, 403, 200, 200, 404, 200], POST=[LOGIN, 403, 403, 200, 200, 404, 403]
    ),
    "message_inbox": row(
        GET=[LOGIN, 403, 403, 200, 200, 200, 200], POST=[LOGIN, 403, 403, 405, 405, 405, 405]
    ),
    # Shared care: the athlete's "My care team" (an empty POST: the invite form with its errors); the clinic's
    # page for an athlete's outside members (clinical staff who may edit the athlete); removing one (the
    # athlete, the clinic; athlete_b and the other clinic cannot even see it); the coach's invite link.
    "my_team": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]),
    "athlete_shared_care": row(
        args=a, GET=[LOGIN, 403, 404, 200, 403, 404, 200], POST=[LOGIN, 403, 404, 200, 403, 404, 200]
    ),
    "shared_care_remove": row(
        args=lambda w: [w.shared.pk],
        check=happens_only_for(
            "athlete_a",
            "clinician",
            "superuser",
            what="removed",
            happened=lambda w: type(w.shared).objects.get(pk=w.shared.pk).removed_at is not None,
        ),
        GET=[LOGIN, 405, 405, 405, 405, 405, 405],
        POST=[LOGIN, 302, 404, 302, 403, 404, 302],
    ),  # fmt: skip
    "shared_care_accept": [
        row(
            label="real token",
            args=lambda w: [w.shared_token],
            # The page greets the invited coach and names the athlete's first name and clinic to the link holder.
            shown=lambda w: ["Riverside"],
            # Logged in, the page offers to join; only the invite's own address can (409 else).
            GET=[200] * 7,
            POST=[200, 409, 409, 409, 409, 409, 409],
        ),
        row(label="bogus token", args=lambda w: ["not-a-token"], GET=[404] * 7, POST=[404] * 7),
    ],
    "healthz": row(GET=[200] * 7, POST=[405] * 7),
    "readyz": row(GET=[200] * 7, POST=[405] * 7),
    # The language switcher at the foot of every page: anyone may choose; a signed-in choice is kept on the login.
    "set_language": row(data={"language": "en-gb", "next": "/"}, GET=[405] * 7, POST=[302] * 7),
}

ACCOUNTS_ROWS = {  # django.contrib.auth's views
    "login": row(GET=[200, 302, 302, 302, 302, 302, 302], POST=[200, 302, 302, 302, 302, 302, 302]),
    "logout": row(GET=[405] * 7, POST=[302] * 7),
    "password_change": row(
        GET=[LOGIN, 200, 200, 200, 200, 200, 200], POST=[LOGIN, 200, 200, 200, 200, 200, 200]
    ),
    "password_change_done": row(GET=[LOGIN, 200, 200, 200, 200, 200, 200]),
    # The password asked again before a sensitive action: anyone signed in (an empty POST: the form's error).
    "confirm_password": row(
        GET=[LOGIN, 200, 200, 200, 200, 200, 200], POST=[LOGIN, 200, 200, 200, 200, 200, 200]
    ),
    "password_reset": row(GET=[200] * 7, POST=[200] * 7),
    "password_reset_done": row(GET=[200] * 7),
    "password_reset_confirm": [
        # A valid link swaps the token into the session and redirects to the set-password form, for whoever
        # holds it (the link is the proof).
        row(
            label="athlete_a's real link",
            args=lambda w: [
                urlsafe_base64_encode(force_bytes(w.a.user.pk)),
                default_token_generator.make_token(type(w.a.user).objects.get(pk=w.a.user.pk)),
            ],
            GET=[302] * 7,
        ),
        row(label="bogus link", args=lambda w: ["MTIzNDU", "bogus-token"], GET=[200] * 7, POST=[200] * 7),
    ],
    "password_reset_complete": row(GET=[200] * 7),
}

LIBRARY_ROWS = {
    "library:exercise_list": row(GET=[LOGIN, 200, 200, 200, 200, 200, 200]),
    "library:exercise_add": row(
        GET=[LOGIN, 403, 403, 200, 403, 200, 200], POST=[LOGIN, 403, 403, 200, 403, 200, 200]
    ),
    "library:exercise_detail": row(args=lambda w: [w.exercise.pk], GET=[LOGIN, 200, 200, 200, 200, 404, 200]),
    # The drawings are shipped content, the same for every clinic: any signed-in person may fetch one.
    "library:exercise_figure": row(
        args=lambda w: ["glute-bridge"], GET=[LOGIN, 200, 200, 200, 200, 200, 200]
    ),
    "library:exercise_edit": row(
        args=lambda w: [w.exercise.pk],
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 200, 403, 404, 200],
    ),
    # Copying needs a clinic to copy into: the superuser persona has none.
    "library:exercise_copy": row(
        args=lambda w: [w.exercise.pk],
        GET=[LOGIN, 403, 403, 405, 403, 405, 405],
        POST=[LOGIN, 403, 403, 302, 403, 404, 403],
    ),
}

TRIAGE_ROWS = {
    "triage:intake_new": row(
        GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]
    ),
    "triage:intake_detail": row(args=lambda w: [w.intake.pk], GET=[LOGIN, 200, 404, 200, 200, 404, 200]),
    # An empty review (no condition confirmed, no notes) is a review: saved, back to the page.
    "triage:intake_review": row(
        args=lambda w: [w.intake.pk],
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    "triage:intake_new_for_athlete": row(
        args=a, GET=[LOGIN, 403, 403, 200, 403, 404, 200], POST=[LOGIN, 403, 403, 200, 403, 404, 200]
    ),
}

REHAB_ROWS = {
    "rehab:plan_assign": row(
        args=a, GET=[LOGIN, 403, 403, 200, 403, 404, 200], POST=[LOGIN, 403, 403, 200, 403, 404, 200]
    ),
    "rehab:plan_detail": row(args=plan, GET=[LOGIN, 403, 403, 200, 200, 404, 200]),
    "rehab:phase_edit": row(
        args=lambda w: [w.plan.pk, w.phases[0].pk],
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 200, 403, 404, 200],
    ),
    "rehab:plan_move": row(
        args=plan, GET=[LOGIN, 403, 403, 405, 403, 405, 405], POST=[LOGIN, 403, 403, 302, 403, 404, 302]
    ),
    "rehab:plan_status": row(
        args=plan, GET=[LOGIN, 403, 403, 405, 403, 405, 405], POST=[LOGIN, 403, 403, 302, 403, 404, 302]
    ),
    # Cancelling with a reason, and saving the plan as a protocol of the athlete's clinic: GET asks, POST does.
    "rehab:plan_cancel": row(
        args=plan,
        data={"POST": {"reason": "Referred on.", "version": "<plan version>"}},
        check=happens_only_for("clinician", "superuser", what="cancelled", happened=_plan_cancelled),
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    "rehab:plan_save_template": row(
        args=plan,
        data={"POST": {"name": "Matrix protocol"}},
        check=happens_only_for("clinician", "superuser", what="protocol saved", happened=_protocol_saved),
        GET=[LOGIN, 403, 403, 200, 403, 404, 200],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    "rehab:recommendation_apply": row(
        args=plan, GET=[LOGIN, 403, 403, 405, 403, 405, 405], POST=[LOGIN, 403, 403, 302, 403, 404, 302]
    ),
    # A phase that needs no clearance refuses one with a message (302 back to the plan), never a 500.
    "rehab:phase_clear": row(
        args=lambda w: [w.plan.pk, w.phases[1].pk],
        GET=[LOGIN, 403, 403, 405, 403, 405, 405],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
    # The athlete prints their own program; the care team their clinic's.
    "rehab:plan_print": row(args=plan, GET=[LOGIN, 200, 404, 200, 200, 404, 200]),
    # The discharge report: the clinic's clinicians (a progress report until completed), not the running coach;
    # the athlete once the plan is completed (this one is active).
    "rehab:plan_discharge_pdf": row(args=plan, GET=[LOGIN, 404, 404, 200, 403, 404, 200]),
    "rehab:my_plan": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403]),
    "rehab:athlete_today": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403]),
    "rehab:log_today": row(
        GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]
    ),
    # The athlete's phone app (rehab.views_offline): a log saved offline is sent by its athlete only, to their own
    # log (an empty POST: the API's 400); the manifest and the service worker hold nobody's data.
    "rehab:log_sync": row(GET=[403, 200, 200, 403, 403, 403, 403], POST=[403, 400, 400, 403, 403, 403, 403]),
    "rehab:service_worker": row(GET=[200] * 7),
    "rehab:manifest": row(GET=[200] * 7),
    # The athlete's own reminder settings (an empty POST is the box unticked: reminders off, saved, 302).
    "rehab:reminder_settings": row(
        GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 302, 302, 403, 403, 403, 403]
    ),
    # The emailed unsubscribe link needs no login: the signed token is the key. GET asks, POST switches off.
    "rehab:reminders_unsubscribe": [
        row(
            label="real token",
            args=lambda w: [reminders.unsubscribe_token(w.a)],
            check=happens_only_for(
                *PERSONAS,
                what="unsubscribed",
                happened=lambda w: not type(w.a).objects.get(pk=w.a.pk).reminders,
            ),
            GET=[200] * 7,
            POST=[200] * 7,
        ),
        row(label="bogus token", args=lambda w: ["not-a-token"], GET=[404] * 7, POST=[404] * 7),
    ],
    "rehab:timeline": row(args=a, GET=[LOGIN, 403, 403, 200, 200, 404, 200]),
    # Runs imported from a watch: the athlete's own log only (an empty POST: the form with its error).
    "rehab:run_import": row(
        GET=[LOGIN, 200, 200, 403, 403, 403, 403], POST=[LOGIN, 200, 200, 403, 403, 403, 403]
    ),
    # The Strava connection (on in tests/settings.py): the athlete's own. Connect sends them to Strava; the
    # callback without Strava's state, and disconnecting with nothing connected, go back to Log today with a
    # message. The webhook needs no login: a GET without Strava's check is refused, any POST answered 200.
    "rehab:strava_connect": row(GET=[LOGIN, 302, 302, 403, 403, 403, 403]),
    "rehab:strava_callback": row(GET=[LOGIN, 302, 302, 403, 403, 403, 403]),
    "rehab:strava_disconnect": row(
        GET=[LOGIN, 405, 405, 403, 403, 403, 403], POST=[LOGIN, 302, 302, 403, 403, 403, 403]
    ),
    "rehab:strava_webhook": row(GET=[403] * 7, POST=[200] * 7),
    # The coach's part of a plan: the limits the clinician sets; the running the coach changes within them; the
    # coach's advance; a request (only coaches make one: superusers decide); the clinician's decision.
    "rehab:coach_limits": row(
        args=plan, GET=[LOGIN, 403, 403, 200, 403, 404, 200], POST=[LOGIN, 403, 403, 200, 403, 404, 200]
    ),
    "rehab:coach_running": row(
        args=plan, GET=[LOGIN, 403, 403, 200, 200, 404, 200], POST=[LOGIN, 403, 403, 200, 200, 404, 200]
    ),
    "rehab:coach_advance": row(
        args=plan, GET=[LOGIN, 403, 403, 405, 405, 405, 405], POST=[LOGIN, 403, 403, 302, 302, 404, 302]
    ),
    "rehab:change_request_new": row(
        args=plan, GET=[LOGIN, 403, 403, 403, 200, 403, 403], POST=[LOGIN, 403, 403, 403, 200, 403, 403]
    ),
    "rehab:change_request_decide": row(
        args=lambda w: [w.plan.pk, w.change_request.pk],
        GET=[LOGIN, 403, 403, 405, 403, 405, 405],
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
}

ADMIN_SITE_ROWS = {
    "admin:index": row(GET=staff(200, 200, 200)),
    # Logged-in athletes see the form with "you are not authorised"; staff go straight to the index.
    "admin:login": row(GET=[200, 200, 200, 302, 200, 302, 302]),
    # Logging out is a POST; someone not staff is sent to the admin index (and from there to its login).
    "admin:logout": row(GET=[302, 302, 302, 405, 302, 405, 405], POST=[302] * 7),
    "admin:password_change": row(GET=staff(200, 200, 200), POST=staff(200, 200, 200)),
    "admin:password_change_done": row(GET=staff(200, 200, 200)),
    "admin:jsi18n": row(GET=staff(200, 200, 200)),
    # The pickers' search. Any model's foreign key can be named, so it is scoped by the admin of the model
    # searched: each clinic finds its own records (secrets_for checks the other clinic's answers).
    "admin:autocomplete": [
        row(
            label="exercises",
            query="?app_label=rehab&model_name=planexercise&field_name=exercise&term=",
            GET=staff(200, 200, 200),
        ),
        row(
            label="athletes",
            query="?app_label=rehab&model_name=plan&field_name=athlete&term=",
            GET=staff(200, 200, 200),
        ),
        row(
            label="clinicians",
            query="?app_label=portal&model_name=careteammember&field_name=clinician&term=",
            GET=staff(200, 200, 200),
        ),
        row(
            label="logins",
            query="?app_label=triage&model_name=intake&field_name=submitted_by&term=",
            GET=staff(403, 403, 200),
        ),
    ],
    # "View on site" redirects to the public URL only for a record the model's admin lists for this user:
    # another clinic's record is a 404, as a missing one (portal.admin_site).
    "admin:view_on_site": [
        row(args=lambda w: [ContentType.objects.get_for_model(w.a).pk, w.a.pk], GET=staff(302, 404, 302)),
        row(
            label="missing record",
            args=lambda w: [ContentType.objects.get_for_model(w.a).pk, 10**9],
            GET=staff(404, 404, 404),
        ),
        row(label="not a content type", args=lambda w: [10**9, w.a.pk], GET=staff(404, 404, 404)),
        row(
            label="not an id",
            args=lambda w: [ContentType.objects.get_for_model(w.a).pk, "x"],
            GET=staff(404, 404, 404),
        ),
    ],
    "admin:app_list": row(args=lambda w: ["rehab"], GET=staff(200, 200, 200)),
    # Only superusers manage logins.
    "admin:auth_user_password_change": row(args=lambda w: [w.a.user.pk], GET=staff(403, 403, 200)),
}


API_ROWS = {
    "api-root": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    "api-schema": row(GET=[200] * 7),
    "api-docs": [
        row(label="page", GET=[200] * 7),
        row(label="Swagger UI's start-up script", query="?script=", GET=[200] * 7),
    ],
    # POST asks for a token (anyone may try: an empty body is a 400); DELETE revokes the caller's.
    "api-token": row(
        GET=[401, 405, 405, 405, 405, 405, 405], POST=[400] * 7, DELETE=[401, 204, 204, 204, 204, 204, 204]
    ),
    "api-me": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    # Care-team messages: each persona's own threads (an empty POST is a 400 naming the fields); one message;
    # marking a channel read (the care team must say which athlete: 400); the caller's unread counts.
    "message-list": row(GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 400, 400, 400, 400, 400, 400]),
    "message-detail": row(args=lambda w: [w.message.pk], GET=[401, 200, 404, 200, 200, 404, 200]),
    "message-read": row(GET=[401, 405, 405, 405, 405, 405, 405], POST=[401, 200, 200, 400, 400, 400, 400]),
    "api-run-import": row(GET=[401, 405, 405, 405, 405, 405, 405], POST=[401, 400, 400, 403, 403, 403, 403]),
    "message-unread": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    # Your own tokens (athlete_a holds one): list them, revoke one; another login's token is a 404.
    "api-token-list": row(GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 405, 405, 405, 405, 405, 405]),
    "api-token-detail": row(
        args=lambda w: [w.token.pk],
        check=happens_only_for("athlete_a", what="token revoked", happened=_token_revoked),
        GET=[401, 405, 405, 405, 405, 405, 405],
        DELETE=[401, 204, 404, 404, 404, 404, 404],
    ),
    "api-me-export": row(GET=[401, 200, 200, 403, 403, 403, 403]),
    "athlete-export": row(args=a, GET=[401, 403, 403, 200, 403, 404, 200]),
    # {} is an empty set of answers, which the engine assesses (nothing is stored).
    "triage:assess": row(GET=[401, 405, 405, 405, 405, 405, 405], POST=[401, 200, 200, 200, 200, 200, 200]),
    "athlete-list": row(GET=[401, 403, 403, 200, 200, 200, 200], POST=[401, 403, 403, 400, 403, 400, 400]),
    "athlete-detail": row(args=a, GET=[401, 403, 403, 200, 200, 404, 200]),
    "athlete-summary": row(args=a, GET=[401, 403, 403, 200, 200, 404, 200]),
    "athlete-invite": row(
        args=lambda w: [w.newcomer.pk],
        GET=[401, 403, 403, 405, 405, 405, 405],
        POST=[401, 403, 403, 201, 403, 404, 201],
    ),
    "alert-list": row(GET=[401, 403, 403, 200, 200, 200, 200]),
    "alert-detail": row(args=lambda w: [w.alert.pk], GET=[401, 403, 403, 200, 200, 404, 200]),
    "alert-resolve": [
        row(
            label="urgent",
            args=lambda w: [w.alert.pk],
            data={"POST": {"note": "Called her."}},
            GET=[401, 403, 403, 405, 405, 405, 405],
            POST=[401, 403, 403, 200, 403, 404, 200],
        ),
        row(
            label="notice",
            args=lambda w: [w.notice.pk],
            data={"POST": {"note": "Called her."}},
            check=happens_only_for(
                "clinician", "coach", "superuser", what="resolved", happened=_notice_resolved
            ),
            POST=[401, 403, 403, 200, 200, 404, 200],
        ),
    ],
    "condition-list": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    "condition-detail": row(args=lambda w: [w.condition.code], GET=[401, 200, 200, 200, 200, 200, 200]),
    # An empty hip check is a 400 for everyone (a clinician must also say whose it is).
    "intake-list": row(GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 400, 400, 400, 400, 400, 400]),
    "intake-detail": row(args=lambda w: [w.intake.pk], GET=[401, 200, 404, 200, 200, 404, 200]),
    "intake-review": row(
        args=lambda w: [w.intake.pk],
        data={"POST": {"notes": "Seen."}},
        GET=[401, 403, 403, 405, 405, 405, 405],
        POST=[401, 403, 403, 200, 403, 404, 200],
    ),
    "exercise-list": row(GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 403, 403, 400, 403, 400, 400]),
    "exercise-detail": row(
        args=lambda w: [w.exercise.pk],
        GET=[401, 200, 200, 200, 200, 404, 200],
        PATCH=[401, 403, 403, 200, 403, 404, 200],
        DELETE=[401, 403, 403, 405, 403, 405, 405],  # no delete: deactivate instead
    ),
    "plantemplate-list": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    "plantemplate-detail": row(
        args=lambda w: [w.clinic_template.pk], GET=[401, 200, 200, 200, 200, 404, 200]
    ),
    "plan-list": row(GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 403, 403, 400, 403, 400, 400]),
    "plan-detail": row(
        args=plan,
        GET=[401, 200, 404, 200, 200, 404, 200],
        PATCH=[401, 403, 403, 200, 403, 404, 200],
        DELETE=[401, 403, 403, 405, 405, 405, 405],
    ),
    "plan-advance": row(
        args=plan, GET=[401, 405, 405, 405, 405, 405, 405], POST=[401, 403, 403, 200, 403, 404, 200]
    ),
    "plan-regress": row(args=plan, POST=[401, 403, 403, 400, 403, 404, 400]),  # already in the first phase
    "plan-move": row(
        args=plan,
        data={"POST": {"phase": "<phase 3>"}},
        POST=[401, 403, 403, 200, 403, 404, 200],
    ),
    "plan-apply-recommendation": row(args=plan, POST=[401, 403, 403, 400, 403, 404, 400]),
    # Without a phase that needs clearance: 400 with the field's message, never a 500.
    "plan-clearance": row(args=plan, POST=[401, 403, 403, 400, 403, 404, 400]),
    # A reason is required: an empty body is a 400 on `reason`, never a 500.
    "plan-cancel": row(args=plan, POST=[401, 403, 403, 400, 403, 404, 400]),
    "dailylog-list": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    # Athletes read their own day (naming someone else finds nothing); only athletes write.
    "dailylog-detail": row(
        args=lambda w: [w.today.isoformat()],
        query="?athlete=<athlete_a>",
        GET=[401, 200, 404, 200, 200, 404, 200],
        PUT=[401, 200, 200, 403, 403, 403, 403],
    ),
}


# ---- the admin: one entry per registered ModelAdmin, expanded into its five URLs below


@dataclass(frozen=True)
class AdminModel:
    """Outcomes (clinician, other_clinician, superuser) of each admin view for one object of the model."""

    obj: Callable  # world → the object the change/delete/history URLs open
    changelist: tuple
    add: tuple
    add_post: tuple
    change: tuple
    change_post: tuple
    delete: tuple
    delete_post: tuple  # POST post=yes: 302 = deleted (checked), else the row must survive
    history: tuple
    extra: dict = field(default_factory=dict)  # view → more rows for the same URL (e.g. an admin action)


def action_row(action: str, selected: str, *, happened: Callable, **form) -> Row:
    """An admin action run on one of athlete_a's records from the changelist. The other clinic's selection
    comes back empty (its list does not have the record): only the own clinic and superusers change it."""
    return row(
        label=f"{action} action",
        data={"POST": {"action": action, "_selected_action": selected, **form}},
        check=happens_only_for("clinician", "superuser", what=action, happened=happened),
        POST=staff(302, 302, 302),
    )


def _resolved(w) -> bool:
    return type(w.alert).objects.get(pk=w.alert.pk).resolved_at is not None


def _advanced(w) -> bool:
    return type(w.plan).objects.get(pk=w.plan.pk).current_phase_id != w.phases[0].pk


def _batch_started(w) -> bool:
    from portal.models import Download

    return Download.objects.filter(kind="batch_print").exists()


ALL_OK = (200, 200, 200)
NOBODY = (403, 403, 403)
SUPERUSER = (403, 403, 200)
OWN = (200, ADMIN_GONE, 200)  # the other clinic's clinician: "doesn't exist", as for a missing row
# Clinic-owned records the clinic's clinicians add, change and delete (the Clinicians group's permissions).
CLINIC_MANAGED = dict(
    changelist=ALL_OK,
    add=ALL_OK,
    add_post=ALL_OK,  # an empty form: 200 with the errors
    change=OWN,
    change_post=OWN,
    delete=OWN,
    delete_post=(302, ADMIN_GONE, 302),
    history=OWN,
)
# ... add and change, never delete.
CLINIC_EDITED = dict(CLINIC_MANAGED, delete=SUPERUSER, delete_post=(403, 403, 302))
# ... made elsewhere by a service (no add page for anyone), changed or reviewed here.
CHANGE_ONLY = dict(CLINIC_EDITED, add=NOBODY, add_post=NOBODY)
# ... read only for clinicians.
VIEW_ONLY = dict(
    CLINIC_EDITED, add=SUPERUSER, add_post=SUPERUSER, change_post=SUPERUSER, delete_post=(403, 403, 302)
)
# Records everyone with access only reads in the admin (no add, change or delete, superusers included).
READ_ONLY = dict(
    changelist=ALL_OK, add=NOBODY, add_post=NOBODY, change=OWN, change_post=NOBODY, delete=NOBODY,
    delete_post=NOBODY, history=OWN,
)  # fmt: skip
SUPERUSER_ONLY = dict(
    changelist=SUPERUSER,
    add=SUPERUSER,
    add_post=SUPERUSER,
    change=SUPERUSER,
    change_post=SUPERUSER,
    delete=SUPERUSER,
    delete_post=(403, 403, 302),
    history=SUPERUSER,
)
# Read-only records no one adds by hand; an empty POST of the change form saves nothing and redirects.
AXES = dict(SUPERUSER_ONLY, add=NOBODY, add_post=NOBODY, change_post=(403, 403, 302))

ADMIN_MODELS = {
    "auth.group": AdminModel(obj=lambda w: w.clinicians_group, **SUPERUSER_ONLY),
    "portal.user": AdminModel(obj=lambda w: w.a.user, **SUPERUSER_ONLY),
    # Only the superuser deletes an athlete, logs and all, after the personal-data scrub (portal.privacy).
    "portal.athlete": AdminModel(
        obj=lambda w: w.a,
        **CLINIC_EDITED,
        # "Delete personal data", confirmed.
        extra={
            "changelist": [action_row("anonymise", "<athlete_a>", happened=_anonymised, confirm="delete")]
        },
    ),
    # The clinic's athletes protect it from deletion: the page lists them instead (200).
    # Its manager may change its phone, email and time zone (tests/portal/test_admin_clinic.py saves them); the
    # clinician persona is no manager: they read them. The superuser's empty POST lacks the name and time zone
    # (200 with the errors).
    "portal.clinic": AdminModel(
        obj=lambda w: w.people.clinic,
        **dict(VIEW_ONLY, change_post=(403, 403, 200), delete_post=(403, 403, 200)),
    ),
    "portal.clinician": AdminModel(obj=lambda w: w.people.clinician, **VIEW_ONLY),
    # Every field is read-only: a superuser's empty POST saves nothing and goes back to the list.
    "portal.invite": AdminModel(
        obj=lambda w: w.invite, **dict(VIEW_ONLY, add=NOBODY, add_post=NOBODY, change_post=(403, 403, 302))
    ),
    "portal.alert": AdminModel(
        obj=lambda w: w.alert,
        **dict(CHANGE_ONLY, change_post=(302, ADMIN_GONE, 302)),
        extra={"changelist": [action_row("resolve", "<alert>", happened=_resolved)]},
    ),
    "library.exercise": AdminModel(obj=lambda w: w.exercise, **CLINIC_EDITED),
    # The engine's catalogue: every clinic reads all of it.
    "triage.condition": AdminModel(
        obj=lambda w: w.condition, **dict(VIEW_ONLY, change=ALL_OK, history=ALL_OK)
    ),
    # Only the review is editable, and an empty review is a review.
    "triage.intake": AdminModel(
        obj=lambda w: w.intake, **dict(CHANGE_ONLY, change_post=(302, ADMIN_GONE, 302))
    ),
    "rehab.plantemplate": AdminModel(obj=lambda w: w.clinic_template, **CLINIC_MANAGED),
    "rehab.phasetemplate": AdminModel(obj=lambda w: w.clinic_phase, **CLINIC_MANAGED),
    "rehab.plan": AdminModel(
        obj=lambda w: w.plan,
        **CHANGE_ONLY,
        extra={
            "changelist": [
                action_row("advance_phase", "<plan>", happened=_advanced, seen="<plan>:1"),
                # A job prints them; the other clinic's empty selection starts none.
                action_row("print_programs", "<plan>", happened=_batch_started),
            ]
        },
    ),
    "rehab.planphase": AdminModel(
        obj=lambda w: w.phases[0], **dict(CLINIC_MANAGED, add=NOBODY, add_post=NOBODY)
    ),
    # The athlete's own words: read-only for everyone, superusers included.
    "rehab.dailylog": AdminModel(
        obj=lambda w: w.log,
        **dict(VIEW_ONLY, add=NOBODY, add_post=NOBODY, change_post=NOBODY, delete=NOBODY, delete_post=NOBODY),
    ),
    # The audit trail: the clinic's clinicians read their clinic's entries; nobody adds, edits or deletes one.
    "portal.auditentry": AdminModel(
        obj=lambda w: w.audit_entry,
        **dict(CHANGE_ONLY, change_post=NOBODY, delete=NOBODY, delete_post=NOBODY),
    ),
    # django-axes' records of logins and failures (emails and IP addresses of every clinic): superusers only.
    # Health records read in the admin by the clinic's clinical staff; written on the pages, never here.
    "portal.message": AdminModel(obj=lambda w: w.message, **READ_ONLY),
    "outcomes.questionnaireresponse": AdminModel(obj=lambda w: w.questionnaire, **READ_ONLY),
    "outcomes.visit": AdminModel(obj=lambda w: w.visit, **READ_ONLY),
    # A clinic's licensed questionnaire wording (manage.py import_questionnaire): read here, never edited.
    "outcomes.instrumentwording": AdminModel(obj=lambda w: w.wording, **READ_ONLY),
    "axes.accessattempt": AdminModel(obj=lambda w: w.access_attempt, **AXES),
    "axes.accesslog": AdminModel(obj=lambda w: w.access_log, **AXES),
    "axes.accessfailurelog": AdminModel(obj=lambda w: w.access_failure, **AXES),
}


def _deleted_only_when_allowed(obj_of):
    def check(world, persona, expected, response):
        if response.request["REQUEST_METHOD"] == "GET":
            return None
        obj = obj_of(world)
        pk_field = obj._meta.pk
        exists = type(obj)._base_manager.filter(**{pk_field.attname: getattr(obj, pk_field.attname)}).exists()
        if expected == 302 and exists:
            return "the delete was answered with a redirect but the row is still there"
        if expected != 302 and not exists:
            return "the row was deleted by a persona who may not delete it"
        return None

    return check


def admin_rows(models: dict[str, AdminModel]) -> dict[str, Row | list[Row]]:
    rows = {}
    for key, m in models.items():
        prefix = "admin:" + key.replace(".", "_")

        def obj_args(w, m=m):
            return [quote(m.obj(w).pk)]

        made = {
            "changelist": row(label="list" if "changelist" in m.extra else "", GET=staff(*m.changelist)),
            "add": row(GET=staff(*m.add), POST=staff(*m.add_post)),
            "change": row(args=obj_args, GET=staff(*m.change), POST=staff(*m.change_post)),
            "delete": row(
                args=obj_args,
                data={"POST": {"post": "yes"}},
                check=_deleted_only_when_allowed(m.obj),
                GET=staff(*m.delete),
                POST=staff(*m.delete_post),
            ),
            "history": row(args=obj_args, GET=staff(*m.history)),
        }
        for view, generated in made.items():
            extra = m.extra.get(view, [])
            rows[f"{prefix}_{view}"] = [generated, *extra] if extra else generated
    return rows


# Clinic visits (outcomes/views_visits.py, outcomes/api.py): the clinic's clinicians who record clinical findings
# (Cap.RECORD_CLEARANCE); the coach, athletes and another clinic get nothing. An empty POST is the form again with
# its errors (200) or the API's 400; an empty PUT replaces the visit's notes and results (200). Questionnaires
# as the caller's clinic can use them, and questionnaire rounds: athletes their own, the clinic its athletes'.
VISIT_PAGE = [LOGIN, 403, 403, 200, 403, 404, 200]
OUTCOME_ROWS = {
    "outcomes:visit_add": row(args=a, GET=VISIT_PAGE, POST=VISIT_PAGE),
    "outcomes:visit_detail": row(args=lambda w: [w.visit.pk], GET=VISIT_PAGE),
    "outcomes:visit_edit": row(args=lambda w: [w.visit.pk], GET=VISIT_PAGE, POST=VISIT_PAGE),
    "outcomes:visit_delete": row(
        args=lambda w: [w.visit.pk],
        check=happens_only_for("clinician", "superuser", what="visit deleted", happened=_visit_deleted),
        GET=VISIT_PAGE,
        POST=[LOGIN, 403, 403, 302, 403, 404, 302],
    ),
}
# The outcomes API (outcomes/api.py): in the API's section, as the other JSON endpoints.
OUTCOME_API_ROWS = {
    "instrument-list": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    "instrument-detail": row(args=lambda w: ["ihot12"], GET=[401, 200, 200, 200, 200, 200, 200]),
    "objectivetest-list": row(GET=[401, 200, 200, 200, 200, 200, 200]),
    "objectivetest-detail": row(args=lambda w: ["hop_on_spot"], GET=[401, 200, 200, 200, 200, 200, 200]),
    "questionnaireresponse-list": row(
        GET=[401, 200, 200, 200, 200, 200, 200], POST=[401, 400, 400, 400, 400, 400, 400]
    ),
    "questionnaireresponse-detail": row(
        args=lambda w: [w.questionnaire.pk], GET=[401, 200, 404, 200, 200, 404, 200]
    ),
    "visit-list": row(GET=[401, 403, 403, 200, 403, 200, 200], POST=[401, 403, 403, 400, 403, 400, 400]),
    "visit-detail": row(
        args=lambda w: [w.visit.pk],
        check=_on_delete(
            happens_only_for("clinician", "superuser", what="visit deleted", happened=_visit_deleted)
        ),
        GET=[401, 403, 403, 200, 403, 404, 200],
        PUT=[401, 403, 403, 200, 403, 404, 200],
        DELETE=[401, 403, 403, 204, 403, 404, 204],
    ),
}


def _psfs_scheduled(w):
    """athlete_a's plan asks PSFS (its intake round is due): made once per world."""
    from outcomes.models import Schedule

    Schedule.objects.get_or_create(plan=w.plan, instrument="psfs", defaults={"every_weeks": 4})
    return ["psfs"]


# Questionnaires (outcomes/views_questionnaires.py): the plan's schedule is for clinicians who tailor plans
# (Cap.TAILOR_PLAN; an empty POST asks nothing: saved, back to the plan); the list, the emailed link and the form
# are the athlete's own (athlete_b has nothing due: the link and the form send them to their list; an empty POST
# saves nothing and goes back to the list).
QUESTIONNAIRE_ROWS = {
    "outcomes:plan_questionnaires": row(
        args=plan, GET=[LOGIN, 403, 403, 200, 403, 404, 200], POST=[LOGIN, 403, 403, 302, 403, 404, 302]
    ),
    # A round entered for athlete_a by the clinic (Cap.RECORD_CLEARANCE); an empty POST picks no questionnaire:
    # the chooser again.
    "outcomes:questionnaire_enter": row(
        args=a, GET=[LOGIN, 403, 403, 200, 403, 404, 200], POST=[LOGIN, 403, 403, 200, 403, 404, 200]
    ),
    "outcomes:my_questionnaires": row(GET=[LOGIN, 200, 200, 403, 403, 403, 403]),
    "outcomes:questionnaire_next": row(GET=[LOGIN, 302, 302, 403, 403, 403, 403]),
    "outcomes:questionnaire_fill": row(
        args=_psfs_scheduled,
        GET=[LOGIN, 200, 302, 403, 403, 403, 403],
        POST=[LOGIN, 302, 302, 403, 403, 403, 403],
    ),
}


# One test per section: the world is built once per section, and each cell is rolled back.
SECTIONS: dict[str, dict[str, Row | list[Row]]] = {
    "portal": PORTAL_ROWS,
    "accounts": ACCOUNTS_ROWS,
    "library": LIBRARY_ROWS,
    "triage": TRIAGE_ROWS,
    "rehab": REHAB_ROWS,
    "admin-site": ADMIN_SITE_ROWS,
    "api": {**API_ROWS, **OUTCOME_API_ROWS},
    "outcome-visits": OUTCOME_ROWS,
    "outcome-questionnaires": QUESTIONNAIRE_ROWS,
    **{f"admin-{key}": admin_rows({key: model}) for key, model in ADMIN_MODELS.items()},
}
ROWS: dict[str, Row | list[Row]] = {name: r for section in SECTIONS.values() for name, r in section.items()}


def variants(name: str) -> list[Row]:
    found = ROWS[name]
    return found if isinstance(found, list) else [found]


# --------------------------------------------------------------------------------------------------- the walk


def url_names(resolver=None, namespace: tuple = ()) -> set[str]:
    """Every named pattern reachable from the root URLconf, as "namespace:name"."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(":".join((*namespace, pattern.name)))
    return names


def coverage_problems(existing: set[str], declared: set[str]) -> list[str]:
    missing, stale = sorted(existing - declared), sorted(declared - existing)
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} URL name(s) have no expected outcome in tests/test_authorization_matrix.py:\n  "
            + "\n  ".join(missing)
            + "\nAdd a row per name to the section it belongs to (who gets what, per method), or an "
            "ADMIN_MODELS entry for a newly registered ModelAdmin."
        )
    if stale:
        problems.append("Rows for URL names that no longer exist (remove them):\n  " + "\n  ".join(stale))
    return problems


def test_every_named_url_is_declared():
    problems = coverage_problems(url_names(), set(ROWS))
    assert not problems, "\n\n".join(problems)


def test_a_new_url_anywhere_without_a_row_fails_the_check():
    nested = ([path("y/", lambda request: None, name="brand_new")], "fresh")
    urlconf = ModuleType("urlconf")
    urlconf.urlpatterns = [*get_resolver().url_patterns, path("x/", include(nested))]
    names = url_names(get_resolver(urlconf))
    assert "fresh:brand_new" in names and "admin:portal_athlete_change" in names
    [problem] = coverage_problems(names, set(ROWS))
    assert "1 URL name(s)" in problem and "fresh:brand_new" in problem


def test_admin_models_match_the_registered_model_admins():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert set(ADMIN_MODELS) == registered, (
        f"registered but not declared: {sorted(registered - set(ADMIN_MODELS))}; "
        f"declared but not registered: {sorted(set(ADMIN_MODELS) - registered)}"
    )


def test_table_is_well_formed():
    problems = []
    for name in ROWS:
        for r in variants(name):
            if not r.expect:
                problems.append(f"{name}: no method declared")
            for method, outcomes in r.expect.items():
                if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    problems.append(f"{name}: unknown method {method}")
                if len(outcomes) != len(PERSONAS):
                    problems.append(f"{name} {method}: {len(outcomes)} outcomes for {len(PERSONAS)} personas")
                if any(isinstance(o, int) and o >= 500 for o in outcomes):
                    problems.append(f"{name} {method}: a 5xx is never an expected outcome")
    assert not problems, "\n".join(problems)


def totals() -> tuple[int, int, int]:
    cells = skipped = 0
    for name in ROWS:
        for r in variants(name):
            n = sum(len(outcomes) for outcomes in r.expect.values())
            cells += n
            skipped += n if r.skip else 0
    return len(ROWS), cells, skipped


def test_totals_in_the_docstring_are_current():
    names, cells, skipped = totals()
    expected = f"{names} URL names, {cells} cells (names × personas × methods), {skipped} skipped."
    assert expected in __doc__, f"Update the module docstring's totals to: {expected!r}"


# ---------------------------------------------------------------------------------------------------- the run


def _describe(response) -> str:
    if 300 <= response.status_code < 400:
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


def _outcome_problem(response, expected) -> str | None:
    status = response.status_code
    if status >= 500:
        return "server error"
    location = response.get("Location", "")
    to_login = location.startswith(reverse("login") + "?next=")
    to_admin_login = location.startswith(reverse("admin:login") + "?next=")
    if expected == LOGIN:
        ok = status == 302 and to_login
    elif expected == ADMIN_LOGIN:
        ok = status == 302 and to_admin_login
    elif expected == ADMIN_GONE:
        ok = status == 302 and location == reverse("admin:index")
    elif expected == 302:
        ok = status == 302 and not (to_login or to_admin_login)
    else:
        ok = status == expected
    return None if ok else f"expected {expected}"


def _leaks(response, secrets: list[str]) -> list[str]:
    if not secrets or not 200 <= response.status_code < 300 or response.streaming:
        return []
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("text/") and not any(
        kind in content_type for kind in ("json", "script", "openapi")
    ):
        return []  # a PDF or a zip: compressed, their own tests read them
    body = response.content.decode(errors="replace")
    return [secret for secret in secrets if secret in body]


def _fill(value, world):
    """Placeholders in bodies and queries that need the world's ids."""
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, str):
        ids = {
            "<athlete_a>": world.a,
            "<alert>": world.alert,
            "<plan>": world.plan,
            "<phase 3>": world.phases[-1],
        }
        for placeholder, obj in ids.items():
            value = value.replace(placeholder, str(obj.pk))
        value = value.replace("<in a week>", (timezone.localdate() + timedelta(days=7)).isoformat())
        if "<plan version>" in value:
            value = value.replace(
                "<plan version>", str(type(world.plan).objects.get(pk=world.plan.pk).version)
            )
    return value


def _send(client, method: str, url: str, body, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(method, url, _json(body), content_type="application/json")
    if method == "POST":
        return client.post(url, body)
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")


def _json(body) -> str:
    import json

    return json.dumps(body)


def _sessions(client, people) -> dict[str, SimpleCookie]:
    """One login per persona, made before the cells: a cell only swaps the session cookie.

    A cell that logs out or rotates the session changes the session's row inside its own transaction, which is
    rolled back, so the same cookie works again in the next cell.
    """
    cookies = {}
    for persona in PERSONAS:
        client.cookies = SimpleCookie()  # not logout(): that would end the previous persona's session
        user = people.user(persona)
        if user is not None:
            client.force_login(user)
        cookies[persona] = copy.deepcopy(client.cookies)
    return cookies


def _run_cell(client, cookie, world, r: Row, persona, method, url, body, expected) -> list[str]:
    """One request in its own transaction, rolled back: what it changed never reaches the next cell."""
    with transaction.atomic():
        client.cookies = copy.deepcopy(cookie)
        try:
            response = _send(client, method, url, body, api=url.startswith("/api/"))
        except Exception as error:  # the test client re-raises the view's exception: a 500
            transaction.set_rollback(True)
            return [f"raised {type(error).__name__}: {error}"]
        problems = []
        wrong = _outcome_problem(response, expected)
        if wrong:
            problems.append(f"{wrong}, got {_describe(response)}")
        shown = set(r.shown(world))
        leaked = [s for s in _leaks(response, secrets_for(world, persona)) if s not in shown]
        if leaked:
            problems.append(f"shows {leaked} to an outsider")
        if r.check is not None and not wrong:
            problem = r.check(world, persona, expected, response)
            if problem:
                problems.append(problem)
        transaction.set_rollback(True)
    return problems


@pytest.fixture
def schema_made_once(monkeypatch):
    """The OpenAPI schema is the same for everyone and takes most of a second to build: build it for the first
    persona and serve that to the others (who is let in is what this test is about)."""
    made = {}
    build = SchemaGenerator.get_schema

    def get_schema(self, request=None, public=False):
        if public not in made:
            made[public] = build(self, request=request, public=public)
        return made[public]

    monkeypatch.setattr(SchemaGenerator, "get_schema", get_schema)


@pytest.mark.parametrize("section", SECTIONS)
def test_authorization_matrix(client, people, world, section, schema_made_once):
    """Every URL of the section × persona × method; all mismatches are reported at once."""
    sessions = _sessions(client, people)
    report, failed = [], 0
    for name, found in SECTIONS[section].items():
        for r in found if isinstance(found, list) else [found]:
            if r.skip:
                continue
            url = reverse(name, args=r.args(world)) + _fill(r.query, world)
            lines = []
            for method, outcomes in r.expect.items():
                body = _fill(r.data.get(method, {}), world)
                for persona, expected in zip(PERSONAS, outcomes, strict=True):
                    problems = _run_cell(
                        client, sessions[persona], world, r, persona, method, url, body, expected
                    )
                    lines += [f"    {persona:16} {method:6} {problem}" for problem in problems]
                    failed += bool(problems)
            if lines:
                report += [f"{name}{f' ({r.label})' if r.label else ''} {url}", *lines]
    assert not failed, f"{failed} cell(s) failed:\n" + "\n".join(report)


def test_plan_admin_assigned_by_filter_offers_only_people_of_the_clinics_plans(client_for, world):
    """Found by the matrix: the "assigned by" filter listed every login of every clinic, athletes included."""
    other = world.people.other_clinician
    rehab_services.plan_assign(
        athlete=world.people.other_athlete, template=world.template, by=other.user, start=world.today
    )
    html = client_for("other_clinician").get(reverse("admin:rehab_plan_changelist")).content.decode()
    assert f"?assigned_by__id__exact={other.user.pk}" in html
    for person in (world.a.user, world.people.clinician.user, world.people.athlete_b.user):
        assert f'?assigned_by__id__exact={person.pk}"' not in html
    assert "Aalto" not in html and "Okafor" not in html
