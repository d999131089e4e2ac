"""What each role may do (portal.capabilities): the table, as docs/roles.md states it, and the pages, admin and
API that ask it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.capabilities import TABLE, Cap, Role, can
from portal.models import Clinician
from portal.permissions import is_care_team, is_clinic_staff
from tests.factories import AlertFactory, AthleteFactory, ClinicFactory, ClinicianFactory, SuperuserFactory

# One column per role a user may hold; "y" where the role may. Athletes, anonymous visitors and inactive
# clinicians hold nothing (test_nobody_else_holds_anything).
#                                  clinical  coach  coach+manager  clinical+manager  superuser
EXPECTED = {
    Cap.VIEW_CASELOAD:             "y        y      y              y                 y",
    Cap.PRINT_PROGRAM:             "y        y      y              y                 y",
    Cap.ADD_ATHLETE:               "y        -      y              y                 y",
    Cap.EDIT_ATHLETE:              "y        -      y              y                 y",
    Cap.EXPORT_DATA:               "y        -      -              y                 y",
    Cap.DELETE_DATA:               "y        -      -              y                 y",
    Cap.REVIEW_INTAKE:             "y        -      -              y                 y",
    Cap.ASSIGN_PLAN:               "y        -      -              y                 y",
    Cap.TAILOR_PLAN:               "y        -      -              y                 y",
    Cap.CHANGE_PHASE:              "y        -      -              y                 y",
    Cap.RECORD_CLEARANCE:          "y        -      -              y                 y",
    Cap.RESOLVE_ALERT:             "y        -      -              y                 y",
    Cap.DECIDE_REQUEST:            "y        -      -              y                 y",
    Cap.MANAGE_RUNNING:            "y        y      y              y                 y",
    Cap.ADVANCE_WITHIN_LIMITS:     "y        y      y              y                 y",
    Cap.REQUEST_CHANGE:            "-        y      y              -                 -",
    Cap.RESOLVE_NOTICE:            "y        y      y              y                 y",
    Cap.MESSAGE_TEAM:              "y        y      y              y                 y",
    Cap.USE_ADMIN:                 "y        -      y              y                 y",
    Cap.EDIT_PROTOCOLS:            "y        -      y              y                 y",
    Cap.MANAGE_CLINIC:             "-        -      y              y                 y",
}  # fmt: skip
ROLES = ["clinical", "coach", "coach+manager", "clinical+manager", "superuser"]
NOBODY = ["athlete", "anonymous", "inactive clinician"]


def make_user(role: str, clinic=None):
    """A user holding `role` (see ROLES and NOBODY), in `clinic`."""
    from django.contrib.auth.models import AnonymousUser

    clinic = clinic or ClinicFactory(slug="riverside", name="Riverside")
    if role == "superuser":
        return SuperuserFactory()
    if role == "anonymous":
        return AnonymousUser()
    if role == "athlete":
        from tests.factories import AthleteWithLoginFactory

        return AthleteWithLoginFactory(clinic=clinic).user
    profession = "coach" if role.startswith("coach") else "physiotherapist"
    clinician = ClinicianFactory(clinic=clinic, profession=profession, is_manager=role.endswith("+manager"))
    if role == "inactive clinician":
        clinician.user.is_active = False
        clinician.user.save(update_fields=["is_active"])
    return type(clinician.user).objects.get(pk=clinician.user_id)


def test_the_expected_table_names_every_capability():
    assert set(EXPECTED) == set(Cap)
    assert all(len(row.split()) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(
    "role,expected",
    [*((role, True) for role in ROLES), *((role, False) for role in NOBODY)],
    ids=[*ROLES, *NOBODY],
)
def test_clinic_staff_is_every_clinician_and_superuser(db, role, expected):
    # The one "superuser or clinician" question pages, the API and the navigation ask (outside care-team
    # members: tests/portal/test_shared_care_access.py).
    user = make_user(role)
    assert is_clinic_staff(user) is expected
    assert is_care_team(user) is expected


@pytest.mark.parametrize(
    "role,cap,expected",
    [
        pytest.param(role, cap, row.split()[i] == "y", id=f"{role}-{cap}")
        for cap, row in EXPECTED.items()
        for i, role in enumerate(ROLES)
    ],
)
def test_what_each_role_may_do(db, role, cap, expected):
    assert can(make_user(role), cap) is expected


@pytest.mark.parametrize("role", NOBODY)
def test_nobody_else_holds_anything(db, role):
    user = make_user(role)
    assert [cap for cap in Cap if can(user, cap)] == []


def test_a_capability_may_be_named_by_its_code(db):
    coach = make_user("coach")
    assert can(coach, "resolve_notice") and not can(coach, "resolve_alert")
    with pytest.raises(ValueError):
        can(coach, "fly_a_plane")


@pytest.mark.parametrize("role", ["clinical", "coach", "clinical+manager"])
def test_an_athlete_of_another_clinic_is_out_of_scope(db, role):
    clinic, other = ClinicFactory(slug="riverside"), ClinicFactory(slug="hilltop")
    user = make_user(role, clinic)
    ours, theirs = AthleteFactory(clinic=clinic), AthleteFactory(clinic=other)
    assert can(user, Cap.VIEW_CASELOAD, ours) and not can(user, Cap.VIEW_CASELOAD, theirs)
    assert can(user, Cap.EDIT_ATHLETE, ours) is (role != "coach")
    assert not can(user, Cap.EDIT_ATHLETE, theirs)


def test_a_superuser_acts_on_every_clinics_athletes(db):
    athlete = AthleteFactory(clinic=ClinicFactory(slug="hilltop"))
    assert can(SuperuserFactory(), Cap.DELETE_DATA, athlete)


def test_the_manager_flag_is_read_from_the_clinician(db):
    user = make_user("coach")
    assert not can(user, Cap.MANAGE_CLINIC)
    Clinician.objects.filter(user=user).update(is_manager=True)
    assert can(type(user).objects.get(pk=user.pk), Cap.MANAGE_CLINIC)


# ----------------------------------------------------------------------------- docs/roles.md says the same


def roles_doc_table() -> dict[str, set[str]]:
    """docs/roles.md's table: capability code → the roles ticked."""
    text = (Path(settings.BASE_DIR) / "docs" / "roles.md").read_text()
    found = {}
    for line in text.splitlines():
        match = re.match(r"\| `(\w+)` \|[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|$", line)
        if match:
            code, *cells = match.groups()
            found[code] = {role for role, cell in zip(("clinical", "coach", "manager"), cells, strict=True)
                           if cell.strip() == "yes"}  # fmt: skip
    return found


def test_docs_roles_states_the_table_the_code_holds():
    in_code = {cap.value: {role.value for role in roles} for cap, roles in TABLE.items()}
    assert roles_doc_table() == in_code
    assert {role.value for role in Role} == {"clinical", "coach", "manager"}


# ----------------------------------------------------------------------------- pages hide what one may not do


def test_the_coach_sees_an_athletes_page_without_the_clinical_buttons(client_for, people):
    AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent", message="Pain went up")
    notice = AlertFactory(athlete=people.athlete_a, kind="no_log", severity="notice", message="No log")
    url = reverse("athlete_detail", args=[people.athlete_a.pk])
    coach = client_for("coach").get(url).content.decode()
    assert reverse("athlete_edit", args=[people.athlete_a.pk]) not in coach
    assert reverse("athlete_export", args=[people.athlete_a.pk]) not in coach
    assert reverse("athlete_anonymise", args=[people.athlete_a.pk]) not in coach
    assert reverse("rehab:plan_assign", args=[people.athlete_a.pk]) not in coach
    # Only the notice has a Resolve button for the coach.
    assert coach.count(reverse("alert_resolve", args=[notice.pk])) == 1
    assert coach.count('action="/alerts/') == 1
    clinician = client_for("clinician").get(url).content.decode()
    for shown in ("athlete_edit", "athlete_export", "athlete_anonymise"):
        assert reverse(shown, args=[people.athlete_a.pk]) in clinician
    assert reverse("rehab:plan_assign", args=[people.athlete_a.pk]) in clinician
    assert clinician.count('action="/alerts/') == 2


def test_the_coach_caseload_offers_no_add_athlete(client_for, people):
    assert "+ Add athlete" not in client_for("coach").get(reverse("athlete_list")).content.decode()
    assert "+ Add athlete" in client_for("clinician").get(reverse("athlete_list")).content.decode()


def test_the_coach_resolves_a_notice_but_not_an_urgent_alert(client_for, people):
    urgent = AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent")
    notice = AlertFactory(athlete=people.athlete_a, kind="no_log", severity="notice")
    coach = client_for("coach")
    assert coach.post(reverse("alert_resolve", args=[urgent.pk]), {"note": "Seen"}).status_code == 403
    assert coach.post(reverse("alert_resolve", args=[notice.pk]), {"note": "Called"}).status_code == 302
    urgent.refresh_from_db(), notice.refresh_from_db()
    assert urgent.is_open and not notice.is_open


def test_the_coach_reads_the_next_review_but_does_not_set_it(client_for, people):
    from datetime import timedelta

    from django.utils import timezone

    type(people.athlete_a).objects.filter(pk=people.athlete_a.pk).update(
        next_review=timezone.localdate() + timedelta(days=3)
    )
    page = client_for("coach").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert "Next review:" in page and reverse("athlete_review", args=[people.athlete_a.pk]) not in page


# ----------------------------------------------------------------------------- the admin of a coach who manages


@pytest.fixture
def managing_coach(people):
    Clinician.objects.filter(pk=people.coach.pk).update(is_manager=True)
    return people.coach


def test_a_managing_coach_gets_the_clinics_administration_and_none_of_its_health_records(
    client_for, people, managing_coach
):
    index = client_for("coach").get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    for shown in ("portal/clinic/", "portal/clinician/", "library/exercise/", "rehab/plantemplate/"):
        assert f"/admin/{shown}" in html
    for hidden in ("portal/athlete/", "rehab/plan/", "rehab/dailylog/", "portal/alert/", "triage/intake/",
                   "portal/auditentry/"):  # fmt: skip
        assert f"/admin/{hidden}" not in html
    client = client_for("coach")
    assert client.get(reverse("admin:rehab_plan_changelist")).status_code == 403
    assert client.get(reverse("admin:portal_athlete_change", args=[people.athlete_a.pk])).status_code == 403


def test_a_managing_coach_sets_what_a_clinician_of_the_clinic_does(client_for, people, managing_coach):
    url = reverse("admin:portal_clinician_change", args=[people.clinician.pk])
    response = client_for("coach").post(url, {"profession": "sports_physician", "is_manager": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    clinician = Clinician.objects.get(pk=people.clinician.pk)
    assert (clinician.profession, clinician.is_manager, clinician.user_id) == (
        "sports_physician",
        True,
        people.clinician.user_id,
    )
    other = reverse("admin:portal_clinician_change", args=[people.other_clinician.pk])
    assert client_for("coach").post(other, {"profession": "coach"}).status_code == 302  # "doesn't exist"
    assert Clinician.objects.get(pk=people.other_clinician.pk).profession != "coach"


def test_a_clinician_who_is_not_a_manager_reads_the_clinicians(client_for, people):
    url = reverse("admin:portal_clinician_change", args=[people.coach.pk])
    client = client_for("clinician")
    assert client.get(url).status_code == 200
    assert client.post(url, {"profession": "physiotherapist"}).status_code == 403
    assert Clinician.objects.get(pk=people.coach.pk).profession == "coach"


# ----------------------------------------------------------------------------- the API


def test_the_coach_reads_plans_in_the_api_and_changes_none(client_for, people):
    from rehab import services
    from tests.factories import PlanTemplateFactory

    plan = services.plan_assign(
        athlete=people.athlete_a, template=PlanTemplateFactory(phases=2), by=people.clinician.user,
        start=people.athlete_a.created.date(),
    )  # fmt: skip
    coach = client_for("coach")
    assert coach.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    patch = coach.patch(f"/api/v1/plans/{plan.pk}/", {"goal": "x"}, content_type="application/json")
    assert patch.status_code == 403
    advance = coach.post(f"/api/v1/plans/{plan.pk}/advance/", {}, content_type="application/json")
    assert advance.status_code == 403
    plan.refresh_from_db()
    assert plan.goal != "x" and plan.version == 1
