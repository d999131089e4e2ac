"""The access-matrix vocabulary every app's tests share."""

import pytest
from django.urls import reverse

PERSONAS = ["anonymous", "athlete_a", "athlete_b", "clinician", "other_clinician", "superuser"]
# The authorization matrix's columns: the same with the clinic's running coach (a clinician whose capabilities are
# the coach's, portal.capabilities), beside the clinician they share the clinic with.
MATRIX_PERSONAS = [
    "anonymous",
    "athlete_a",
    "athlete_b",
    "clinician",
    "coach",
    "other_clinician",
    "superuser",
]
LOGIN = "login"  # redirected to the site's login page
ADMIN_LOGIN = "admin-login"  # redirected to the admin's login page


def matrix_cases(matrix: dict, personas=PERSONAS) -> list:
    """pytest params (page, persona, expected) from {page: [expected per persona]}."""
    return [
        pytest.param(page, persona, expected, id=f"{page}-{persona}")
        for page, row in matrix.items()
        for persona, expected in zip(personas, row, strict=True)
    ]


def assert_outcome(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected
