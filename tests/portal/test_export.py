"""“Everything about me”: the athlete's data as JSON and CSV in a zip, from “My profile”, the athlete page and the API."""

import csv
import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from portal import services as portal_services
from portal.export import JSON_NAME, export_data
from portal.models import AuditEntry, Download, Invite
from portal.tokens import token_issue
from rehab import services as rehab_services
from rehab.models import DailyLog, ExerciseLog
from tests.access import LOGIN, assert_outcome, matrix_cases
from tests.factories import (
    PASSWORD,
    AlertFactory,
    IntakeFactory,
    PlanTemplateFactory,
    ShoeFactory,
    api_token_key,
)

TODAY = timezone.localdate

CSV_FILES = {
    "profile.csv", "care_team.csv", "shoes.csv", "intakes.csv", "intake_answers.csv", "plans.csv",
    "plan_phases.csv", "plan_exercises.csv", "phase_changes.csv", "daily_logs.csv", "exercise_logs.csv",
    "alerts.csv", "invites.csv", "messages.csv", "audit_trail.csv", "login_records.csv",
    "signed_in_devices.csv", "questionnaires.csv", "questionnaire_answers.csv", "visits.csv", "visit_tests.csv",
    "strava.csv",
}  # fmt: skip


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(files: dict[str, bytes], name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))


def export(client, url: str):
    """The pages' way: ask for the file (its job runs at once in the tests), then download it from its page."""
    asked = client.post(url)
    assert asked.status_code == 302, asked
    pk = resolve(asked["Location"]).kwargs["pk"]
    assert asked["Location"] == reverse("download_detail", args=[pk])
    return client.get(reverse("download_file", args=[pk]))


@pytest.fixture
def history(people):
    """Athlete A with a bit of everything: a plan with a phase change, logs with exercises, an intake, alerts."""
    athlete = people.athlete_a
    athlete.date_of_birth, athlete.goal_event = date(1990, 4, 2), "Berlin Marathon"
    athlete.save()
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=athlete, template=template, by=people.clinician.user, start=TODAY() - timedelta(days=10)
    )
    rows_ = list(plan.current_phase.exercises.all())
    for days_ago, pain in ((3, 2), (1, 1)):
        rehab_services.log_save(
            athlete=athlete,
            day=TODAY() - timedelta(days=days_ago),
            data={
                "pain_during": pain,
                "run_minutes": 20,
                "distance_km": "4.5",
                "notes": "=SUM(A1) felt good",
            },
            sets={row.pk: 2 for row in rows_},
        )
    rehab_services.plan_advance(plan=plan, by=people.clinician.user, reason="Pain-free week")
    intake = IntakeFactory(athlete=athlete, answers={"locations": ["side"], "worse_lying_on_side": True,
                                                     "tests": {"resisted_clamshell": "pain"}})  # fmt: skip
    from triage import services as triage_services

    triage_services.intake_review(
        intake=intake, by=people.clinician.user, condition=None, notes="Glute med weak"
    )
    AlertFactory(athlete=athlete, kind="pain_spike", severity="notice", message="Pain spike on Tuesday")
    return plan


def test_athlete_downloads_everything_about_them(client_for, people, history):
    response = export(client_for("athlete_a"), reverse("my_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="stride-clinic-anna-aalto-{TODAY().isoformat()}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    files = unzip(response.content)
    assert set(files) == {"README.txt", JSON_NAME} | CSV_FILES
    data = json.loads(files[JSON_NAME])
    assert data["profile"]["first_name"] == "Anna" and data["profile"]["date_of_birth"] == "1990-04-02"
    assert data["clinic"] == {"name": "Riverside"}
    assert data["care_team"] == [{"name": "Maya Okafor", "profession": "Physiotherapist", "primary": True}]
    assert [shoe["name"] for shoe in data["shoes"]] == ["Ghost 16"]
    [intake] = data["intakes"]
    assert intake["answers"]["tests"] == {"resisted_clamshell": "pain"}
    assert intake["result"]["urgency"] == intake["urgency"] and intake["result"]["conditions"]
    assert intake["review_notes"] == "Glute med weak" and intake["reviewed_by"] == "Maya Okafor"
    [plan] = data["plans"]
    assert [phase["order"] for phase in plan["phases"]] == [1, 2]
    assert all(len(phase["exercises"]) == 2 for phase in plan["phases"])
    assert [(c["kind"], c["to_phase"], c["reason"]) for c in plan["phase_changes"]][-1] == (
        "advance",
        2,
        "Pain-free week",
    )
    assert [log["pain_during"] for log in data["daily_logs"]] == [2, 1]
    assert data["daily_logs"][0]["distance_km"] == 4.5
    assert [row["sets_done"] for row in data["daily_logs"][0]["exercises"]] == [2, 2]
    assert {alert["kind"] for alert in data["alerts"]} >= {"pain_spike"}
    assert data["login"]["email"] == people.athlete_a.user.email
    readme = files["README.txt"].decode()
    assert "daily_logs.csv" in readme and "kilometres" in readme and "ISO 8601" in readme


def test_csv_tables_hold_the_same_rows_with_iso_dates(client_for, people, history):
    files = unzip(export(client_for("athlete_a"), reverse("my_export")).content)

    logs = rows(files, "daily_logs.csv")
    assert [row["date"] for row in logs] == [
        (TODAY() - timedelta(days=3)).isoformat(),
        (TODAY() - timedelta(days=1)).isoformat(),
    ]
    assert [row["pain_during"] for row in logs] == ["2", "1"]
    # A cell a spreadsheet would run as a formula is written as text.
    assert logs[0]["notes"] == "'=SUM(A1) felt good"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", logs[0]["created"])
    assert len(rows(files, "exercise_logs.csv")) == 4
    assert len(rows(files, "plan_phases.csv")) == 2 and len(rows(files, "plan_exercises.csv")) == 4
    assert rows(files, "phase_changes.csv")[-1]["kind"] == "advance"
    answers = {row["question"]: row["answer"] for row in rows(files, "intake_answers.csv")}
    assert answers["tests.resisted_clamshell"] == "pain" and answers["locations"] == "side"
    assert rows(files, "profile.csv")[0]["goal_event"] == "Berlin Marathon"
    assert rows(files, "invites.csv") == []
    assert files["invites.csv"].decode("utf-8-sig").startswith("email,sent,expires")


def test_export_has_nothing_of_other_athletes_and_no_secrets(client_for, people, history):
    athlete_b = people.athlete_b
    rehab_services.log_save(
        athlete=athlete_b, day=TODAY(), data={"pain_during": 7, "notes": "BRUNO-ONLY-NOTE"}
    )
    ShoeFactory(athlete=athlete_b, name="Bruno's spikes")
    AlertFactory(athlete=people.other_athlete, kind="no_log", message="OLGA-ONLY-ALERT")
    token, token_key = token_issue(user=people.athlete_a.user)
    # An invite row too: its email is theirs, its token hash must not leak.
    invite, _ = Invite.new(
        athlete=people.athlete_a, email="anna.new@example.com", created_by=people.clinician.user
    )
    invite.save()
    client = client_for("athlete_a")

    content = b"".join(unzip(export(client, reverse("my_export")).content).values()).decode(
        "utf-8", "replace"
    )

    for secret in (
        "Bruno", "Bianchi", athlete_b.email, "BRUNO-ONLY-NOTE", "OLGA-ONLY-ALERT", "Otto",
        people.athlete_a.user.password, token_key, token.key_hash, invite.token_hash, people.clinician.user.email,
        people.superuser.email,
    ):  # fmt: skip
        assert secret not in content, secret
    assert people.athlete_a.user.password.startswith("md5$")
    assert "anna.new@example.com" in content  # the invite itself is theirs


@pytest.mark.parametrize("logs", [3, 60])
def test_export_costs_the_same_queries_whatever_the_number_of_logs(
    client_for, people, history, logs, django_assert_max_num_queries
):
    plan = history
    exercises = list(plan.phases.get(order=1).exercises.all())
    made = DailyLog.objects.bulk_create(
        DailyLog(
            athlete=people.athlete_a, date=TODAY() - timedelta(days=30 + n), pain_during=n % 10, plan=plan
        )
        for n in range(logs)
    )
    ExerciseLog.objects.bulk_create(
        ExerciseLog(log=log, plan_exercise=row, exercise_id=row.exercise_id, done=True, sets_done=2)
        for log in made
        for row in exercises
    )
    client = client_for("athlete_a")
    # The request and its job, which makes the file (3 of them for questionnaires, visits and their tests).
    with django_assert_max_num_queries(33):
        asked = client.post(reverse("my_export"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("download_file", args=[resolve(asked["Location"]).kwargs["pk"]]))
    assert len(json.loads(unzip(response.content)[JSON_NAME])["daily_logs"]) == logs + 2
    # 16 for the records (3 of them outcomes), 1 for the audit trail, 3 for login records, 1 for the signed-in
    # devices
    with django_assert_max_num_queries(21):
        export_data(people.athlete_a)


def test_my_profile_offers_the_download(client_for, people):
    page = client_for("athlete_a").get(reverse("my_profile")).content.decode()
    assert reverse("my_export") in page and "Download my data" in page


def test_clinician_downloads_an_athletes_data_from_the_athlete_page(client_for, people, history):
    client = client_for("clinician")
    page = client.get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    url = reverse("athlete_export", args=[people.athlete_a.pk])
    assert f'<form method="post" action="{url}">' in page
    response = export(client, url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert json.loads(unzip(response.content)[JSON_NAME])["profile"]["last_name"] == "Aalto"


def test_export_of_an_athlete_without_anything_yet(people):
    data = export_data(people.athlete_b)
    assert data["intakes"] == data["plans"] == data["daily_logs"] == data["alerts"] == []
    assert data["profile"]["first_name"] == "Bruno"


PAGES = {
    # persona order: anonymous, athlete_a, athlete_b, clinician, other_clinician, superuser
    "my_export": [LOGIN, 302, 302, 403, 403, 403],
    "athlete_export": [LOGIN, 403, 403, 302, 404, 302],
}


@pytest.mark.parametrize(("page", "persona", "expected"), matrix_cases(PAGES))
def test_export_pages_are_scoped(client_for, people, page, persona, expected):
    args = [] if page == "my_export" else [people.athlete_a.pk]
    client = client_for(persona)
    response = client.post(reverse(page, args=args))
    assert_outcome(response, expected)
    if expected == 302:
        [download] = Download.objects.all()
        assert download.owner == people.user(persona) and download.kind == "export"
        data = json.loads(unzip(client.get(reverse("download_file", args=[download.pk])).content)[JSON_NAME])
        whose = people.user(persona).athlete if page == "my_export" else people.athlete_a
        assert data["export"]["athlete_id"] == whose.pk
    else:
        assert not Download.objects.exists()


@pytest.mark.parametrize("page", ["my_export", "athlete_export"])
def test_export_page_says_what_the_file_holds_and_makes_nothing_on_get(client_for, people, page):
    persona, args = ("athlete_a", []) if page == "my_export" else ("clinician", [people.athlete_a.pk])
    client = client_for(persona)
    response = client.get(reverse(page, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{reverse(page, args=args)}">' in html and "README" in html
    assert not Download.objects.exists()
    assert client.put(reverse(page, args=args)).status_code == 405


# --------------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("athlete_a", 200), ("athlete_b", 200), ("clinician", 403), ("superuser", 403)],
)
def test_api_me_export(client_for, people, persona, expected):
    response = client_for(persona).get("/api/v1/me/export/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith('attachment; filename="stride-clinic-')
        data = json.loads(unzip(response.content)[JSON_NAME])
        assert data["export"]["athlete_id"] == people.user(persona).athlete.pk
    else:
        assert set(response.json()) == {"detail", "code", "errors"}


def test_api_me_export_with_a_token_and_accept_zip(client, people, history):
    auth = {
        "HTTP_AUTHORIZATION": f"Token {api_token_key(people.athlete_a.user)}",
        "HTTP_ACCEPT": "application/zip",
    }
    response = client.get("/api/v1/me/export/", **auth)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert len(json.loads(unzip(response.content)[JSON_NAME])["daily_logs"]) == 2
    # An error asked for as a zip is still the usual JSON body.
    clinician_key = api_token_key(people.clinician.user)
    refused = client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {clinician_key}",
                         HTTP_ACCEPT="application/zip")  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("athlete_a", 403),
        ("clinician", 200),
        ("other_clinician", 404),
        ("superuser", 200),
    ],
)
def test_api_athlete_export_is_scoped(client_for, people, persona, expected):
    response = client_for(persona).get(f"/api/v1/athletes/{people.athlete_a.pk}/export/")
    assert response.status_code == expected
    if expected == 200:
        assert json.loads(unzip(response.content)[JSON_NAME])["profile"]["first_name"] == "Anna"


def test_export_after_the_data_was_deleted_has_no_personal_data(client_for, people, history):
    portal_services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    response = export(client_for("clinician"), reverse("athlete_export", args=[people.athlete_a.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="stride-clinic-former-athlete-')
    content = b"".join(unzip(response.content).values()).decode()
    assert "Anna" not in content and "Aalto" not in content and "Berlin" not in content


def test_downloads_are_in_the_audit_trail(client_for, people):
    export(client_for("clinician"), reverse("athlete_export", args=[people.athlete_a.pk]))
    client_for("athlete_a").get("/api/v1/me/export/")
    views = AuditEntry.objects.filter(athlete_id=people.athlete_a.pk, action=AuditEntry.Action.ACCESS)
    assert sorted((entry.actor_id, (entry.additional_data or {}).get("view")) for entry in views) == sorted(
        [(people.clinician.user.pk, "download_file"), (people.athlete_a.user.pk, "api-me-export")]
    )


def test_the_export_is_in_the_audit_trail_when_it_is_handed_over(client_for, people, jobs):
    client = client_for("clinician")
    asked = client.post(reverse("athlete_export", args=[people.athlete_a.pk]))
    download = Download.objects.get()
    viewed = AuditEntry.objects.filter(athlete=people.athlete_a, action=AuditEntry.Action.ACCESS)
    assert jobs.names() == ["portal.export"] and not viewed.exists()

    jobs.run()
    assert "Your file is ready" in client.get(asked["Location"]).content.decode()
    assert not viewed.exists()  # the page says it is ready: nothing handed over yet
    client.get(reverse("download_file", args=[download.pk]))
    client.get(reverse("download_file", args=[download.pk]))
    assert [entry.actor for entry in viewed] == [people.clinician.user] * 2  # each download, as each GET was


def test_export_holds_the_audit_trail_and_login_records_about_the_athlete(client, people, history):
    """As it promises "everything stored about you": who viewed or changed their records, and their logins."""
    from axes.models import AccessLog

    email = people.athlete_a.user.email
    client.post(reverse("login"), {"username": email, "password": "wrong password"})
    assert client.post(reverse("login"), {"username": email, "password": PASSWORD}).status_code == 302
    client.logout()
    client.force_login(people.clinician.user)
    client.get(reverse("athlete_detail", args=[people.athlete_a.pk]))
    other = AuditEntry.objects.filter(athlete_id=people.athlete_b.pk).count()
    AccessLog.objects.create(username=people.athlete_b.user.email, ip_address="198.51.100.9", user_agent="x")

    data = export_data(people.athlete_a)

    trail = data["audit_trail"]
    assert len(trail) == AuditEntry.objects.filter(athlete_id=people.athlete_a.pk).count() > other
    viewed = [entry for entry in trail if entry["action"] == "viewed" and entry["page"] == "athlete_detail"]
    assert viewed and viewed[-1]["by"] == "Maya Okafor" and viewed[-1]["ip_address"] is None
    changed = [entry for entry in trail if entry["record"] == "athlete" and entry["action"] == "changed"]
    assert any(entry["changes"].get("goal_event") == ["", "Berlin Marathon"] for entry in changed)
    assert all("@" not in str(entry["by"]) for entry in trail)  # clinicians by name, never by address
    logins = data["login_records"]
    assert [record["kind"] for record in logins if record["kind"] == "login"] == ["login"]
    assert {record["email_typed"] for record in logins} == {email}
    assert "198.51.100.9" not in json.dumps(data)  # the other athlete's login
    files = unzip(export(client_for_athlete(client, people), reverse("my_export")).content)
    assert rows(files, "audit_trail.csv") and rows(files, "login_records.csv")[0]["email_typed"] == email
    assert "audit_trail.csv" in files["README.txt"].decode()


def client_for_athlete(client, people):
    client.logout()
    client.force_login(people.athlete_a.user)
    return client


def test_every_answer_an_athlete_gives_in_a_log_is_in_their_export():
    """The daily log's answers (rehab.models.REPORTED_LOG_FIELDS, every red flag included) are all columns of
    daily_logs.csv; the shoe has its own column, by name."""
    from rehab.models import REPORTED_LOG_FIELDS
    from rehab.personal_data import LOG_FIELDS

    assert set(REPORTED_LOG_FIELDS) - {"shoe"} <= set(LOG_FIELDS)
