"""Every way of deleting an athlete leaves no trace of them: not in any table, not in the cache.

The check is deliberately general: it reads every column of every table in the database (sessions decoded, zip
and PDF bytes opened) and every value in the cache (printed programs read as text), and searches them for the
athlete's name, email address, date of birth and goal. A new table or cache entry that keeps a copy fails it.
"""

import io
import json
import pickle
import zipfile
from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal import privacy, services
from portal.models import Athlete, Download, User
from rehab import services as rehab_services
from rehab.models import Plan
from tests.factories import PASSWORD, PlanTemplateFactory

FIRST, LAST = "Zebedee", "Quillfeather"
EMAIL = "zq.private@example.net"
BORN = date(1987, 11, 23)
GOAL = "Reykjavik Ultra"
TRACES = [FIRST, LAST, "zq.private", BORN.isoformat(), GOAL]


# --------------------------------------------------------------------------------------------- searching


def _bytes_text(value: bytes) -> str:
    """Bytes as text, with what a zip or a PDF holds opened up (their text is compressed inside)."""
    texts = [value.decode("latin-1")]
    if value.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(value)) as archive:
            texts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    if value.startswith(b"%PDF"):
        texts += [page.extract_text() for page in PdfReader(io.BytesIO(value)).pages]
    return "\n".join(texts)


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return _bytes_text(value)
    if isinstance(value, dict | list | tuple):
        return "\n".join(_text(item) for item in (value.values() if isinstance(value, dict) else value))
    return str(value)


def _one_line(value) -> str:
    return " | ".join(_text(value).splitlines())


def database_text() -> str:
    """Every value of every row of every table, as text (a line a row); session data decoded."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names)
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(columns, row, strict=True))
                if table == "django_session":
                    values["decoded"] = json.dumps(SessionStore().decode(values["session_data"]))
                texts.append(f"{table}: {_one_line(values)}")
    return "\n".join(texts)


def cache_text() -> str:
    """Every key and value in the (local-memory) cache of the tests, printed programs as their text."""
    texts = []
    for key, pickled in list(cache._cache.items()):
        texts.append(f"{key}: {_one_line(pickle.loads(pickled))}")
    return "\n".join(texts)


def traces(text: str) -> list[str]:
    return [value for value in TRACES if value.lower() in text.lower()]


def where(text: str) -> list[str]:
    """The lines (one per row or cache entry) holding a trace, shortened around it: the failure names them."""
    found = []
    for line in text.splitlines():
        lowered = line.lower()
        for value in TRACES:
            at = lowered.find(value.lower())
            if at >= 0:
                found.append(f"{line.split(':', 1)[0]}: …{line[max(0, at - 60) : at + 60]}…")
                break
    return found


# --------------------------------------------------------------------------------------------- the athlete


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def athlete(people):
    """An athlete with their data in every place it can be: records, audit entries, the admin's history, login
    records, a session, an API token, printed programs in the cache and a prepared export."""
    clinician = people.clinician.user
    athlete = services.athlete_create(
        clinic=people.clinic, by=clinician, first_name=FIRST, last_name=LAST, email=EMAIL,
        date_of_birth=BORN, goal_event=GOAL, goal_date=timezone.localdate() + timedelta(days=200),
        sex=Athlete.Sex.MALE, weekly_km=30, years_running=4,
    )  # fmt: skip
    services.invite_send(athlete=athlete, by=clinician)
    services.invite_accept(invite=athlete.invites.get(), password=PASSWORD)
    athlete.refresh_from_db()
    # Login records: a wrong password, then the right one; a session and an API token.
    runner = Client()
    runner.post(reverse("login"), {"username": EMAIL, "password": "not-the-password"})
    assert runner.post(reverse("login"), {"username": EMAIL, "password": PASSWORD}).status_code == 302
    runner.post(
        "/api/v1/auth/token/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json"
    )
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=athlete, template=template, by=clinician, start=timezone.localdate(), goal=GOAL
    )
    rehab_services.log_save(
        athlete=athlete, day=timezone.localdate(), data={"pain_during": 2, "notes": f"{FIRST} ran well"}
    )
    # A clinician reads the athlete page and prints the program, before and after the superuser's change (which
    # outdates the first copy).
    staff = logged_in(clinician)
    assert staff.get(reverse("athlete_detail", args=[athlete.pk])).status_code == 200
    assert staff.get(reverse("rehab:plan_print", args=[plan.pk])).status_code == 200
    # The superuser corrects the goal in the admin: the admin's history and the audit trail name the athlete.
    admin = logged_in(people.superuser)
    change = admin.get(reverse("admin:portal_athlete_change", args=[athlete.pk]))
    data = {**change.context["adminform"].form.initial, "goal_event": GOAL + " 50K"}
    data = {key: "" if value is None else value for key, value in data.items()}
    data |= {"clinic": people.clinic.pk, "date_of_birth": BORN.isoformat(), "goal_date": ""}
    data |= {f"{prefix}-{field}": value for prefix in ("care_team", "shoes")
             for field, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))}  # fmt: skip
    data["care_team-TOTAL_FORMS"] = data["care_team-INITIAL_FORMS"] = 1
    member = athlete.care_team.get()
    data |= {"care_team-0-id": member.pk, "care_team-0-athlete": athlete.pk,
             "care_team-0-clinician": member.clinician_id, "care_team-0-is_primary": "on"}  # fmt: skip
    saved = admin.post(reverse("admin:portal_athlete_change", args=[athlete.pk]), data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert staff.get(reverse("rehab:plan_print", args=[plan.pk])).status_code == 200
    assert [key for key in cache._cache if f"hep:{plan.pk}:" in key]
    assert staff.post(reverse("athlete_export", args=[athlete.pk])).status_code == 302
    assert Download.objects.filter(athlete=athlete, status=Download.Status.READY).exists()
    # Everything above left copies: the searches below can find them.
    assert traces(database_text()) == TRACES
    assert {FIRST, LAST} <= set(traces(cache_text()))
    return athlete


# --------------------------------------------------------------------------------------------- the paths


def by_page(people, athlete):
    client = logged_in(people.clinician.user)
    response = client.post(
        reverse("athlete_anonymise", args=[athlete.pk]), {"confirm_name": f"{FIRST} {LAST}"}
    )
    assert response.status_code == 302


def by_admin_action(people, athlete):
    data = {"action": "anonymise", "_selected_action": [athlete.pk], "confirm": "delete"}
    response = logged_in(people.clinician.user).post(reverse("admin:portal_athlete_changelist"), data)
    assert response.status_code == 302


def by_admin_delete(people, athlete):
    url = reverse("admin:portal_athlete_delete", args=[athlete.pk])
    assert logged_in(people.superuser).post(url, {"post": "yes"}).status_code == 302
    assert not Athlete.objects.filter(pk=athlete.pk).exists()


def by_admin_bulk_delete(people, athlete):
    data = {"action": "delete_selected", "_selected_action": [athlete.pk, people.athlete_b.pk], "post": "yes"}
    response = logged_in(people.superuser).post(reverse("admin:portal_athlete_changelist"), data)
    assert response.status_code == 302
    assert not Athlete.objects.filter(pk__in=[athlete.pk, people.athlete_b.pk]).exists()


def by_admin_user_delete(people, athlete):
    url = reverse("admin:portal_user_delete", args=[athlete.user_id])
    assert logged_in(people.superuser).post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=athlete.user_id).exists()


def by_admin_user_bulk_delete(people, athlete):
    data = {"action": "delete_selected", "_selected_action": [athlete.user_id], "post": "yes"}
    response = logged_in(people.superuser).post(reverse("admin:portal_user_changelist"), data)
    assert response.status_code == 302
    assert not User.objects.filter(pk=athlete.user_id).exists()


def by_service(people, athlete):
    privacy.athlete_delete(athlete, by=people.superuser)
    assert not Athlete.objects.filter(pk=athlete.pk).exists()


PATHS = [by_page, by_admin_action, by_admin_delete, by_admin_bulk_delete, by_admin_user_delete,
         by_admin_user_bulk_delete, by_service]  # fmt: skip


@pytest.mark.parametrize("delete", PATHS, ids=[path.__name__ for path in PATHS])
def test_no_trace_is_left_anywhere(people, athlete, delete):
    plans = list(Plan.objects.filter(athlete=athlete).values_list("pk", flat=True))

    delete(people, athlete)

    assert where(database_text()) == []
    assert where(cache_text()) == []
    assert not [key for key in cache._cache if any(f"hep:{pk}:" in key for pk in plans)]
    # The admin's "Recent actions" box shows no name either.
    home = logged_in(people.superuser).get(reverse("admin:index")).content.decode()
    assert traces(home) == []


@pytest.mark.parametrize(
    ("delete", "event"),
    [(by_admin_delete, "athlete deleted"), (by_admin_user_delete, "login deleted")],
    ids=["athlete", "login"],
)
def test_admin_delete_records_who_deleted_and_keeps_the_others(people, athlete, delete, event):
    from portal.models import AuditEntry

    others = [people.athlete_b.full_name, people.other_athlete.full_name]
    delete(people, athlete)
    latest = AuditEntry.objects.filter(athlete_id=athlete.pk).order_by("-pk")[:2]
    assert [(entry.actor, entry.additional_data) for entry in latest] == [
        (people.superuser, {"event": event}),
        (people.superuser, {"event": "personal data deleted"}),
    ]
    kept = Athlete.objects.filter(pk__in=[people.athlete_b.pk, people.other_athlete.pk]).order_by("pk")
    assert [athlete.full_name for athlete in kept] == others


def test_deleting_a_login_says_the_athletes_personal_data_goes_too(people, athlete):
    page = logged_in(people.superuser).get(reverse("admin:portal_user_delete", args=[athlete.user_id]))
    assert f"The personal data of the athlete {FIRST} {LAST}" in page.content.decode()


def test_the_admin_can_delete_an_athlete_with_logs(people, athlete):
    """Logs cannot be deleted one by one in the admin; that must not stop the athlete's deletion (it did: 403)."""
    page = logged_in(people.superuser).get(reverse("admin:portal_athlete_delete", args=[athlete.pk]))
    assert page.status_code == 200 and not page.context["perms_lacking"]
