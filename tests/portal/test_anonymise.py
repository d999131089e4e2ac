"""Deleting an athlete's personal data (clinic-initiated): what goes, what stays, who may, and how it is confirmed."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import Alert, ApiToken, Athlete, AuditEntry, Invite, Shoe, User
from portal.privacy import ALERT_CLOSED_NOTE, SCRUBBED
from rehab import services as rehab_services
from rehab.models import DailyLog, ExerciseLog, PhaseChange, Plan, PlanPhase, RehabStatus
from tests.access import LOGIN, assert_outcome, matrix_cases
from tests.factories import PASSWORD, AlertFactory, IntakeFactory, PlanTemplateFactory, api_token_key
from triage import services as triage_services
from triage.models import Intake

TODAY = timezone.localdate
PERSONAL = [
    "Anna", "Aalto", "1990-04-02", "Berlin Marathon", "Hurts after the school run", "Lives near the river",
    "Call her mum back", "Anna's pink Ghost", "Told me she is pregnant", "anna.private@example.com",
]  # fmt: skip


@pytest.fixture
def record(people):
    """Athlete A with personal data everywhere the model keeps it, and a login in use (session and token)."""
    athlete = people.athlete_a
    athlete.date_of_birth, athlete.goal_event, athlete.goal_date = (
        date(1990, 4, 2),
        "Berlin Marathon",
        TODAY(),
    )
    athlete.save()
    Shoe.objects.filter(athlete=athlete).update(name="Anna's pink Ghost")
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(athlete=athlete, template=template, by=people.clinician.user,
                                      start=TODAY() - timedelta(days=10), goal="Lives near the river")  # fmt: skip
    exercises = list(plan.current_phase.exercises.all())
    for days_ago, pain in ((4, 3), (2, 2), (0, 1)):
        rehab_services.log_save(
            athlete=athlete, day=TODAY() - timedelta(days=days_ago),
            data={"pain_during": pain, "pain_after": pain + 1, "run_minutes": 20, "distance_km": 4,
                  "notes": "Hurts after the school run"},
            sets={row.pk: 2 for row in exercises},
        )  # fmt: skip
    rehab_services.plan_advance(plan=plan, by=people.clinician.user, reason="Told me she is pregnant")
    intake = IntakeFactory(athlete=athlete)
    triage_services.intake_review(intake=intake, by=people.clinician.user, condition=None,
                                  notes="Call her mum back")  # fmt: skip
    resolved = AlertFactory(athlete=athlete, kind="pain_spike", severity="notice")
    services.alert_resolve(alert=resolved, by=people.clinician.user, note="Spoke to Anna Aalto")
    AlertFactory(athlete=athlete, kind="low_compliance", severity="notice")  # still open
    invite, _ = Invite.new(
        athlete=athlete, email="anna.private@example.com", created_by=people.clinician.user
    )
    invite.save()
    api_token_key(athlete.user)
    return athlete


def counts(athlete) -> dict:
    return {
        "logs": DailyLog.objects.filter(athlete=athlete).count(),
        "pain": list(DailyLog.objects.filter(athlete=athlete).order_by("date").values_list(
            "date", "pain_during", "pain_after", "run_minutes", "distance_km", "sets_done")),
        "exercise_logs": ExerciseLog.objects.filter(log__athlete=athlete).count(),
        "intakes": list(Intake.objects.filter(athlete=athlete).values_list("urgency", "result", "answers")),
        "plans": Plan.objects.filter(athlete=athlete).count(),
        "phases": PlanPhase.objects.filter(plan__athlete=athlete).count(),
        "phase_changes": list(PhaseChange.objects.filter(plan__athlete=athlete).values_list("kind", "to_phase")),
        "alerts": list(Alert.objects.filter(athlete=athlete).order_by("pk").values_list("kind", "severity")),
        "shoes_km": list(Shoe.objects.filter(athlete=athlete).values_list("km", flat=True)),
        "sex_and_running": Athlete.objects.filter(pk=athlete.pk).values_list("sex", "weekly_km", "clinic").get(),
    }  # fmt: skip


def dump(athlete) -> str:
    """Every row of the athlete (and of their login) as JSON text, for a full-text search."""
    querysets = [
        Athlete.objects.filter(pk=athlete.pk), User.objects.filter(athlete=athlete),
        Shoe.objects.filter(athlete=athlete), Invite.objects.filter(athlete=athlete),
        Alert.objects.filter(athlete=athlete), Intake.objects.filter(athlete=athlete),
        Plan.objects.filter(athlete=athlete), PlanPhase.objects.filter(plan__athlete=athlete),
        PhaseChange.objects.filter(plan__athlete=athlete), DailyLog.objects.filter(athlete=athlete),
        ExerciseLog.objects.filter(log__athlete=athlete), RehabStatus.objects.filter(athlete=athlete),
        ApiToken.objects.filter(user__athlete=athlete),
    ]  # fmt: skip
    return json.dumps([json.loads(serializers.serialize("json", qs)) for qs in querysets], ensure_ascii=False)


# --------------------------------------------------------------------------------------------------- service


def test_every_personal_field_is_gone(people, record):
    before = dump(record)
    assert all(value in before for value in PERSONAL)  # the search below can find them
    user, email = record.user, record.email

    athlete = services.anonymise_athlete(record, by=people.clinician.user)

    athlete.refresh_from_db()
    assert athlete.full_name == f"Former athlete #{athlete.pk}"
    assert athlete.email == "" and athlete.date_of_birth is None and athlete.goal_event == ""
    assert athlete.goal_date is None
    assert athlete.anonymised_at is not None and athlete.anonymised_by == people.clinician.user
    assert list(Shoe.objects.filter(athlete=athlete).values_list("name", flat=True)) == ["Shoe 1"]
    assert not Invite.objects.filter(athlete=athlete).exists()
    assert set(DailyLog.objects.filter(athlete=athlete).values_list("notes", flat=True)) == {""}
    assert set(Intake.objects.filter(athlete=athlete).values_list("review_notes", flat=True)) == {""}
    assert set(PhaseChange.objects.filter(plan__athlete=athlete).values_list("reason", flat=True)) == {""}
    assert set(Plan.objects.filter(athlete=athlete).values_list("goal", flat=True)) == {""}
    user.refresh_from_db()
    assert user.email == f"former-athlete-{athlete.pk}@anonymised.invalid"
    assert (user.first_name, user.last_name) == ("Former athlete", f"#{athlete.pk}")
    assert not user.is_active and not user.has_usable_password()
    assert not ApiToken.objects.filter(user=user).exists()
    after = dump(athlete)
    for value in [*PERSONAL, email]:
        assert value not in after, value


def test_clinic_statistics_are_kept(people, record):
    before = counts(record)
    services.anonymise_athlete(record, by=people.clinician.user)
    after = counts(record)
    assert after == before
    assert after["logs"] == 3 and [row[1] for row in after["pain"]] == [3, 2, 1]
    # Nothing is left waiting for a clinician, and no plan runs on for someone who has left.
    assert not Alert.objects.filter(athlete=record).open().exists()
    assert Alert.objects.get(athlete=record, kind="low_compliance").resolved_note == ALERT_CLOSED_NOTE
    assert set(Plan.objects.filter(athlete=record).values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_login_becomes_impossible(client, people, record, settings, engine):
    settings.SESSION_ENGINE = engine  # cached_db: what production runs with REDIS_URL
    key = api_token_key(record.user)
    client.force_login(record.user)
    assert client.get(reverse("rehab:athlete_today")).status_code == 200
    email = record.user.email

    services.anonymise_athlete(record, by=people.clinician.user)

    # The open session is ended, the password no longer works, nor does the API token.
    assert client.get(reverse("rehab:athlete_today")).status_code == 302
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
    assert not client.login(email=email, password=PASSWORD)
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    api = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 401
    refused = client.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 400


def test_other_athletes_are_untouched(people, record):
    rehab_services.log_save(
        athlete=people.athlete_b, day=TODAY(), data={"pain_during": 4, "notes": "Bruno note"}
    )
    others = [people.athlete_b, people.other_athlete]
    before = [dump(athlete) for athlete in others]
    services.anonymise_athlete(record, by=people.clinician.user)
    assert [dump(athlete) for athlete in others] == before
    assert people.clinician.user.is_active and User.objects.filter(is_active=True).count() >= 5


def test_running_it_twice_is_harmless(people, record):
    first = services.anonymise_athlete(record, by=people.clinician.user)
    state = dump(first)
    second = services.anonymise_athlete(first, by=people.superuser)
    assert dump(second) == state
    assert second.anonymised_at == first.anonymised_at and second.anonymised_by == people.clinician.user


def test_prepared_files_that_show_the_athlete_are_deleted_at_once(people, record):
    from portal.models import Download

    plan = Plan.objects.get(athlete=record)
    other_plan = rehab_services.plan_assign(
        athlete=people.athlete_b, template=plan.template, by=people.clinician.user, start=TODAY()
    )
    owner = people.clinician.user
    export = Download.objects.create(owner=owner, kind=Download.Kind.EXPORT, athlete=record)
    batch = Download.objects.create(
        owner=owner, kind=Download.Kind.BATCH_PRINT, params={"plans": [other_plan.pk, plan.pk]}
    )
    kept = [
        Download.objects.create(owner=owner, kind=Download.Kind.EXPORT, athlete=people.athlete_b),
        Download.objects.create(
            owner=owner, kind=Download.Kind.BATCH_PRINT, params={"plans": [other_plan.pk]}
        ),
    ]
    services.anonymise_athlete(record, by=owner)
    assert not Download.objects.filter(pk__in=[export.pk, batch.pk]).exists()
    assert set(Download.objects.values_list("pk", flat=True)) == {d.pk for d in kept}


def test_a_staff_login_linked_to_the_athlete_keeps_working(people, record):
    """Unusual, but a clinician can also be a patient: their work login is unlinked, not switched off."""
    staff_user = people.coach.user
    ApiToken.objects.filter(user=record.user).delete()
    record.user.delete()
    record.refresh_from_db()
    record.user = staff_user
    record.save()
    services.anonymise_athlete(record, by=people.clinician.user)
    record.refresh_from_db()
    staff_user.refresh_from_db()
    assert record.user is None and staff_user.is_active and staff_user.has_usable_password()


def test_further_edits_are_refused(people, record):
    athlete = services.anonymise_athlete(record, by=people.clinician.user)
    template = PlanTemplateFactory()
    with pytest.raises(ValidationError, match="personal data was deleted"):
        rehab_services.plan_assign(
            athlete=athlete, template=template, by=people.clinician.user, start=TODAY()
        )
    with pytest.raises(ValidationError, match="personal data was deleted"):
        rehab_services.log_save(athlete=athlete, day=TODAY(), data={"pain_during": 1})
    with pytest.raises(ValidationError, match="personal data was deleted"):
        triage_services.intake_submit(
            athlete=athlete, by=people.clinician.user, answers={"locations": ["side"]}
        )
    with pytest.raises(ValidationError, match="personal data was deleted"):
        triage_services.intake_review(intake=athlete.intakes.first(), by=people.clinician.user, condition=None,
                                      notes="New note")  # fmt: skip
    plan = Plan.objects.filter(athlete=athlete).first()
    with pytest.raises(ValidationError, match="personal data was deleted"):
        rehab_services.plan_set_status(plan=plan, status="active", by=people.clinician.user)
    athlete.email = "back@example.com"
    with pytest.raises(ValidationError, match="personal data was deleted"):
        services.invite_send(athlete=athlete, by=people.clinician.user)


def test_refused_edits_are_form_errors_on_the_pages(client_for, people, record):
    athlete = services.anonymise_athlete(record, by=people.clinician.user)
    client = client_for("clinician")
    response = client.post(
        reverse("triage:intake_new_for_athlete", args=[athlete.pk]),
        {"locations": ["side"], "onset": "gradual", "duration_days": 10, "pain_running": 3, "pain_after": 2},
    )
    assert response.status_code == 200
    assert "personal data was deleted" in response.content.decode()
    assert Intake.objects.filter(athlete=athlete).count() == 1
    page = client.get(reverse("athlete_detail", args=[athlete.pk])).content.decode()
    assert "Personal data deleted on" in page
    assert reverse("rehab:plan_assign", args=[athlete.pk]) not in page
    assert reverse("athlete_anonymise", args=[athlete.pk]) not in page


def test_plan_pages_refuse_changes_with_a_message(client_for, people, record):
    from tests.rehab.test_views import tailor_data

    athlete = services.anonymise_athlete(record, by=people.clinician.user)
    plan = Plan.objects.get(athlete=athlete)
    phase = plan.phases.order_by("order").first()
    client = client_for("clinician")
    before = dump(athlete)
    data = tailor_data(plan, phase, **{"2-DELETE": "on"})
    edit = client.post(reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), data)
    assert edit.status_code == 200 and "personal data was deleted" in edit.content.decode()
    status = client.post(reverse("rehab:plan_status", args=[plan.pk]), {"status": "active", "version": plan.version},
                         follow=True)  # fmt: skip
    assert "personal data was deleted" in status.content.decode()
    assert dump(athlete) == before


def caseload(client, **params) -> list[int]:
    rows = client.get(reverse("athlete_list"), params).context["page"].object_list
    return [getattr(row, "pk", row) for row in rows]  # athletes or their ids


def test_the_caseload_leaves_them_out_unless_asked(client_for, people, record):
    services.anonymise_athlete(record, by=people.clinician.user)
    client = client_for("clinician")
    listed = caseload(client)
    assert record.pk not in listed and people.athlete_b.pk in listed
    assert caseload(client, show="former") == [record.pk]
    api = client.get("/api/v1/athletes/").json()
    assert record.pk not in [row["id"] for row in api["results"]]


# --------------------------------------------------------------------------------------------------- page


PAGES = {
    # persona order: anonymous, athlete_a, athlete_b, clinician, other_clinician, superuser
    "athlete_anonymise": [LOGIN, 403, 403, 200, 404, 200],
}


@pytest.mark.parametrize(("page", "persona", "expected"), matrix_cases(PAGES))
def test_confirmation_page_is_scoped(client_for, people, page, persona, expected):
    response = client_for(persona).get(reverse(page, args=[people.athlete_a.pk]))
    assert_outcome(response, expected)
    if expected == 200:
        html = response.content.decode()
        assert "Removed for good" in html and "Kept, without anything that identifies them" in html


@pytest.mark.parametrize("persona", ["athlete_a", "athlete_b", "other_clinician", "anonymous"])
def test_nobody_outside_the_care_team_can_delete(client_for, people, persona):
    url = reverse("athlete_anonymise", args=[people.athlete_a.pk])
    client_for(persona).post(url, {"confirm_name": "Anna Aalto"})
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.anonymised_at is None and people.athlete_a.first_name == "Anna"


@pytest.mark.parametrize("typed", ["", "Anna", "Bruno Bianchi", "Anna Aalto x"])
def test_wrong_name_is_a_form_error_and_changes_nothing(client_for, people, record, typed):
    before = dump(record)
    response = client_for("clinician").post(
        reverse("athlete_anonymise", args=[record.pk]), {"confirm_name": typed}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["confirm_name"]
    assert dump(record) == before


@pytest.mark.parametrize("persona", ["clinician", "superuser"])
def test_typing_the_name_deletes_the_personal_data(client_for, people, record, persona):
    client = client_for(persona)
    page = client.get(reverse("athlete_detail", args=[record.pk])).content.decode()
    assert reverse("athlete_anonymise", args=[record.pk]) in page
    response = client.post(
        reverse("athlete_anonymise", args=[record.pk]), {"confirm_name": "  anna   AALTO "}
    )
    assert response.status_code == 302 and response.url == reverse("athlete_list")
    record.refresh_from_db()
    assert record.full_name == f"Former athlete #{record.pk}"
    assert record.anonymised_by == people.user(persona)
    again = client.get(reverse("athlete_anonymise", args=[record.pk]))
    assert "already deleted" in again.content.decode() and "form" not in again.context
    assert (
        client.post(reverse("athlete_anonymise", args=[record.pk]), {"confirm_name": "x"}).status_code == 302
    )


# --------------------------------------------------------------------------------------------------- admin


def admin_action(client, pks, **extra):
    data = {"action": "anonymise", "_selected_action": [str(pk) for pk in pks], **extra}
    return client.post(reverse("admin:portal_athlete_changelist"), data)


def test_admin_action_asks_for_confirmation_first(client_for, people, record):
    client = client_for("clinician")
    before = dump(record)
    page = admin_action(client, [record.pk, people.athlete_b.pk])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Anna Aalto" in html and "Bruno Bianchi" in html and "Removed for good" in html
    wrong = admin_action(client, [record.pk], confirm="yes")
    assert wrong.status_code == 200 and "Type the word" in wrong.content.decode()
    assert dump(record) == before


def test_admin_action_deletes_the_selected_athletes_data(client_for, people, record):
    client = client_for("clinician")
    response = admin_action(
        client, [record.pk, people.athlete_b.pk, people.other_athlete.pk], confirm="Delete"
    )
    assert response.status_code == 302
    record.refresh_from_db()
    people.athlete_b.refresh_from_db()
    people.other_athlete.refresh_from_db()
    assert record.anonymised_at and people.athlete_b.anonymised_at
    # The other clinic's athlete is outside the clinician's admin: untouched.
    assert people.other_athlete.anonymised_at is None and people.other_athlete.first_name == "Olga"
    change = client.get(reverse("admin:portal_athlete_change", args=[record.pk]))
    assert change.status_code == 200 and 'name="first_name"' not in change.content.decode()  # read-only now
    plan = Plan.objects.get(athlete=record)
    plan_page = client.get(reverse("admin:rehab_plan_change", args=[plan.pk]))
    assert plan_page.status_code == 200 and 'name="goal"' not in plan_page.content.decode()
    intake = Intake.objects.get(athlete=record)
    intake_page = client.get(reverse("admin:triage_intake_change", args=[intake.pk]))
    assert intake_page.status_code == 200 and 'name="review_notes"' not in intake_page.content.decode()


def test_admin_action_is_for_superusers_too(client_for, people, record):
    response = admin_action(client_for("superuser"), [people.other_athlete.pk], confirm="delete")
    assert response.status_code == 302
    people.other_athlete.refresh_from_db()
    assert people.other_athlete.anonymised_by == people.superuser


# --------------------------------------------------------------------------------------------------- audit


def test_audit_entries_keep_who_and_when_but_lose_the_personal_values(people, record):
    from django.contrib.contenttypes.models import ContentType

    athlete_type = ContentType.objects.get_for_model(Athlete)
    log_type = ContentType.objects.get_for_model(DailyLog)
    a_log = DailyLog.objects.filter(athlete=record).first()
    about_a = {"athlete_id": record.pk, "clinic_id": record.clinic_id}
    written = [
        AuditEntry.objects.create(
            content_type=athlete_type, object_pk=str(record.pk), object_id=record.pk, object_repr="Anna Aalto",
            action=AuditEntry.Action.UPDATE, actor=people.clinician.user, remote_addr="198.51.100.7",
            changes={"last_name": ["Aaltonen", "Aalto"], "weekly_km": ["30.0", "40.0"]},
            serialized_data={"fields": {"first_name": "Anna"}}, additional_data={"view": "athlete_detail"},
            **about_a,
        ),
        AuditEntry.objects.create(
            content_type=log_type, object_pk=str(a_log.pk), object_id=a_log.pk,
            object_repr=f"Anna Aalto — {a_log.date}", action=AuditEntry.Action.CREATE, actor=record.user,
            actor_email=record.user.email, remote_addr="203.0.113.9",
            changes={"notes": ["", "Hurts after the school run"], "pain_during": ["None", "3"]}, **about_a,
        ),
        AuditEntry.objects.create(
            content_type=athlete_type, object_pk=str(record.pk), object_id=record.pk, object_repr="Anna Aalto",
            action=AuditEntry.Action.ACCESS, actor=people.clinician.user, **about_a,
        ),
    ]  # fmt: skip
    other = AuditEntry.objects.create(
        content_type=athlete_type, object_pk=str(people.athlete_b.pk), object_id=people.athlete_b.pk,
        object_repr="Bruno Bianchi", action=AuditEntry.Action.UPDATE, changes={"last_name": ["B", "Bianchi"]},
        athlete_id=people.athlete_b.pk, clinic_id=people.clinic.pk,
    )  # fmt: skip

    services.anonymise_athlete(record, by=people.clinician.user)

    entries = {entry.pk: entry for entry in AuditEntry.objects.filter(pk__in=[e.pk for e in written])}
    text = json.dumps(
        [
            [e.object_repr, e.changes, e.serialized_data, e.actor_email, e.remote_addr]
            for e in entries.values()
        ]
    )
    for value in ("Anna", "Aalto", "school run", "203.0.113.9", "example.com"):
        assert value not in text, value
    profile_change, log_create, access = (entries[e.pk] for e in written)
    assert profile_change.changes == {"last_name": [SCRUBBED, SCRUBBED], "weekly_km": ["30.0", "40.0"]}
    assert profile_change.actor == people.clinician.user and profile_change.timestamp == written[0].timestamp
    assert profile_change.remote_addr == "198.51.100.7"  # the clinician's address is not the athlete's data
    assert (
        profile_change.additional_data == {"view": "athlete_detail"}
        and profile_change.serialized_data is None
    )
    assert log_create.changes["pain_during"] == ["None", "3"] and log_create.actor_id == record.user_id
    assert access.action == AuditEntry.Action.ACCESS and access.object_repr == f"Former athlete #{record.pk}"
    other.refresh_from_db()
    assert other.object_repr == "Bruno Bianchi" and other.changes == {"last_name": ["B", "Bianchi"]}
    marker = AuditEntry.objects.filter(content_type=athlete_type, object_pk=str(record.pk)).latest("pk")
    assert marker.actor == people.clinician.user and list(marker.changes) == ["anonymised_at"]
    assert marker.athlete_id == record.pk and marker.clinic_id == record.clinic_id
    assert "Anna" not in json.dumps([marker.object_repr, marker.changes, marker.additional_data])


def test_the_automatic_audit_trail_keeps_nothing_personal(people, record):
    """Every save in the fixture was recorded by auditlog (before → after): none of it may survive."""
    user, email = record.user, record.email
    trail = AuditEntry.objects.filter(
        Q(athlete_id=record.pk) | Q(actor=user) | Q(content_type__model="user", object_pk=str(user.pk))
    )
    before = audit_text(trail)
    assert (
        "Aalto" in before and "Hurts after the school run" in before and "Told me she is pregnant" in before
    )
    count = trail.count()

    services.anonymise_athlete(record, by=people.clinician.user)

    after = audit_text(trail)
    for value in [*PERSONAL, email]:
        assert value not in after, value
    assert trail.count() == count + 1  # the entry saying who deleted the data
    services.anonymise_athlete(record, by=people.clinician.user)
    assert trail.count() == count + 1 and audit_text(trail) == after


def audit_text(entries) -> str:
    return json.dumps(
        [[e.object_repr, e.changes, e.changes_text, e.serialized_data, e.additional_data, e.actor_email]
         for e in entries.order_by("pk")],
        ensure_ascii=False,
    )  # fmt: skip
