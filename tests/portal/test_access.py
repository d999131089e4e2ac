"""Who may open which page: the scoping matrix for every page and admin changelist built so far."""

import pytest
from django.urls import reverse

from tests.access import ADMIN_LOGIN, LOGIN, assert_outcome, matrix_cases


def url_for(people, name):
    a = people.athlete_a.pk
    return {
        "home": ("get", reverse("home")),
        "athlete_list": ("get", reverse("athlete_list")),
        "athlete_add": ("get", reverse("athlete_add")),
        "athlete_detail": ("get", reverse("athlete_detail", args=[a])),
        "athlete_invite": ("post", reverse("athlete_invite", args=[a])),
        "my_profile": ("get", reverse("my_profile")),
        "password_change": ("get", reverse("password_change")),
        "admin_index": ("get", reverse("admin:index")),
        "admin_athletes": ("get", reverse("admin:portal_athlete_changelist")),
        "admin_athlete_a": ("get", reverse("admin:portal_athlete_change", args=[a])),
        "admin_athlete_add": ("get", reverse("admin:portal_athlete_add")),
        "admin_clinicians": ("get", reverse("admin:portal_clinician_changelist")),
        "admin_clinics": ("get", reverse("admin:portal_clinic_changelist")),
        "admin_invites": ("get", reverse("admin:portal_invite_changelist")),
        "admin_shoes_via_athlete": ("get", reverse("admin:portal_athlete_change", args=[a])),
        "admin_users": ("get", reverse("admin:portal_user_changelist")),
        "admin_groups": ("get", reverse("admin:auth_group_changelist")),
    }[name]


# expected outcome per persona, in PERSONAS order
MATRIX = {
    "home": [LOGIN, 302, 302, 302, 302, 302],
    "athlete_list": [LOGIN, 403, 403, 200, 200, 200],
    "athlete_add": [LOGIN, 403, 403, 200, 200, 200],
    "athlete_detail": [LOGIN, 403, 403, 200, 404, 200],
    "athlete_invite": [LOGIN, 403, 403, 302, 404, 302],
    "my_profile": [LOGIN, 200, 200, 403, 403, 403],
    "password_change": [LOGIN, 200, 200, 200, 200, 200],
    "admin_index": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_athletes": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_athlete_a": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 302, 200],
    "admin_athlete_add": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_clinicians": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_clinics": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_invites": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_users": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200],
    "admin_groups": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200],
}

CASES = matrix_cases(MATRIX)


@pytest.mark.parametrize("page,persona,expected", CASES)
def test_access_matrix(client_for, people, page, persona, expected):
    method, url = url_for(people, page)
    response = getattr(client_for(persona), method)(url)
    assert_outcome(response, expected)


SEES = {
    # persona: (names that must appear, names that must not)
    "clinician": (["Anna Aalto", "Bruno Bianchi"], ["Olga Otto"]),
    "other_clinician": (["Olga Otto"], ["Anna Aalto", "Bruno Bianchi"]),
    "superuser": (["Anna Aalto", "Bruno Bianchi", "Olga Otto"], []),
}


@pytest.mark.parametrize("persona", SEES)
@pytest.mark.parametrize("url_name", ["athlete_list", "admin:portal_athlete_changelist"])
def test_lists_show_only_the_clinics_athletes(client_for, persona, url_name):
    html = client_for(persona).get(reverse(url_name)).content.decode()
    visible, hidden = SEES[persona]
    for name in visible:
        assert name in html
    for name in hidden:
        assert name not in html


def test_admin_clinic_and_clinician_lists_are_scoped(client_for, people):
    client = client_for("clinician")
    clinics = client.get(reverse("admin:portal_clinic_changelist")).content.decode()
    assert "Riverside" in clinics and "Hilltop" not in clinics
    clinicians = client.get(reverse("admin:portal_clinician_changelist")).content.decode()
    assert people.clinician.user.email in clinicians
    assert people.other_clinician.user.email not in clinicians


def test_clinician_cannot_grant_superuser_rights(client_for, people):
    client = client_for("clinician")
    url = reverse("admin:portal_user_change", args=[people.clinician.user.pk])
    response = client.post(
        url, {"email": people.clinician.user.email, "is_superuser": "on", "is_staff": "on"}
    )
    assert response.status_code == 403
    people.clinician.user.refresh_from_db()
    assert not people.clinician.user.is_superuser


def test_admin_athlete_form_offers_only_own_clinic_clinicians(client_for, people):
    html = client_for("clinician").get(reverse("admin:portal_athlete_add")).content.decode()
    assert str(people.clinician.user) in html
    assert str(people.other_clinician.user) not in html
    assert 'name="clinic"' not in html  # clinicians never pick a clinic


def test_admin_athlete_created_by_clinician_lands_in_their_clinic(client_for, people):
    client = client_for("clinician")
    data = {
        "first_name": "Nina",
        "last_name": "New",
        "email": "nina@example.com",
        "sex": "female",
        "reminders": "on",
        "reminder_time": "19:00",
        "care_team-TOTAL_FORMS": "0",
        "care_team-INITIAL_FORMS": "0",
        "shoes-TOTAL_FORMS": "0",
        "shoes-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:portal_athlete_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from portal.models import Athlete

    assert Athlete.objects.get(email="nina@example.com").clinic == people.clinic


def test_other_clinicians_cannot_edit_athlete_in_admin(client_for, people):
    client = client_for("other_clinician")
    url = reverse("admin:portal_athlete_change", args=[people.athlete_a.pk])
    client.post(url, {"first_name": "Hacked", "last_name": "X"})
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.first_name == "Anna"


@pytest.mark.parametrize(
    "rows,message",
    [
        ([("clinician", True), ("coach", True)], "for one clinician only"),
        ([("clinician", True), ("clinician", False)], "Please correct the duplicate data for clinician"),
    ],
    ids=["two-primaries", "same-clinician-twice"],
)
def test_admin_care_team_mistakes_are_form_errors(client_for, people, rows, message):
    data = {
        "first_name": "Nina",
        "last_name": "New",
        "email": "nina@example.com",
        "sex": "female",
        "care_team-TOTAL_FORMS": str(len(rows)),
        "care_team-INITIAL_FORMS": "0",
        "shoes-TOTAL_FORMS": "0",
        "shoes-INITIAL_FORMS": "0",
    }
    for i, (persona, primary) in enumerate(rows):
        data[f"care_team-{i}-clinician"] = str(getattr(people, persona).pk)
        if primary:
            data[f"care_team-{i}-is_primary"] = "on"
    response = client_for("clinician").post(reverse("admin:portal_athlete_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
