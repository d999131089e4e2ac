from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import ExerciseFactory


@pytest.fixture
def catalog(db):
    """The shipped catalog, loaded the way `make run` loads it."""
    call_command("load_library", stdout=StringIO())


@pytest.fixture
def own_exercise(people):
    """An exercise owned by the clinician's clinic (Riverside)."""
    return ExerciseFactory(
        clinic=people.clinic, name="Riverside banded bridge", slug="riverside-banded-bridge"
    )


@pytest.fixture
def other_exercise(people):
    """An exercise owned by the other clinic (Hilltop)."""
    return ExerciseFactory(clinic=people.other_clinic, name="Hilltop hill drill", slug="hilltop-hill-drill")


@pytest.fixture
def shipped_exercise(db):
    return ExerciseFactory(clinic=None, name="Shipped glute squeeze", slug="shipped-glute-squeeze")
