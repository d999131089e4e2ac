"""The clinic in the admin: its phone number and email, which athletes are shown when a log calls for help.

Its manager (a clinician with the flag, Cap.MANAGE_CLINIC) keeps them; the clinic's other clinicians read them.
"""

import pytest
from django.urls import reverse

from portal.models import Clinic, Clinician


@pytest.fixture
def managers(people):
    """The clinician and the other clinic's clinician manage their clinics."""
    Clinician.objects.filter(pk__in=[people.clinician.pk, people.other_clinician.pk]).update(is_manager=True)


def change(client, clinic, **data):
    body = {"name": clinic.name, "slug": clinic.slug, "phone": clinic.phone, "email": clinic.email,
            "time_zone": clinic.time_zone, **data}  # fmt: skip
    return client.post(reverse("admin:portal_clinic_change", args=[clinic.pk]), body)


def test_the_clinics_phone_and_email_are_edited_in_the_admin(client_for, people):
    client = client_for("superuser")
    page = client.get(reverse("admin:portal_clinic_change", args=[people.clinic.pk])).content.decode()
    assert 'name="phone"' in page and 'name="email"' in page and "How athletes reach the clinic" in page
    response = change(client, people.clinic, phone="+44 20 7946 0000", email="desk@riverside.example")
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=people.clinic.pk)
    assert (clinic.phone, clinic.email) == ("+44 20 7946 0000", "desk@riverside.example")
    listing = client.get(reverse("admin:portal_clinic_changelist")).content.decode()
    assert "+44 20 7946 0000" in listing and "desk@riverside.example" in listing


def test_a_clinics_manager_keeps_its_contact_details_and_nothing_else(client_for, people, managers):
    Clinic.objects.filter(pk=people.clinic.pk).update(phone="020 7946 0000")
    client = client_for("clinician")
    page = client.get(reverse("admin:portal_clinic_change", args=[people.clinic.pk])).content.decode()
    assert 'name="phone"' in page and 'name="email"' in page and 'name="name"' not in page
    response = change(client, people.clinic, name="Renamed", slug="renamed", phone="020 7946 1111")
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=people.clinic.pk)
    assert (clinic.name, clinic.slug, clinic.phone) == ("Riverside", "riverside", "020 7946 1111")
    other = client_for("other_clinician")
    refused = other.post(
        reverse("admin:portal_clinic_change", args=[people.clinic.pk]), {"phone": "0900 123 456"}
    )
    assert refused.status_code == 302 and refused["Location"] == reverse(
        "admin:index"
    )  # as if it did not exist
    assert Clinic.objects.get(pk=people.clinic.pk).phone == "020 7946 1111"


@pytest.mark.parametrize("phone", ["call the desk", "12", "+44 20 7946 0000 ext. 2", "<script>"])
def test_a_phone_number_must_dial(client_for, people, phone):
    response = change(client_for("superuser"), people.clinic, phone=phone)
    assert response.status_code == 200 and "phone" in response.context["adminform"].form.errors
    assert Clinic.objects.get(pk=people.clinic.pk).phone == ""


def test_phone_spacing_is_tidied(client_for, people):
    change(client_for("superuser"), people.clinic, phone="  020   7946\t0000 ")
    assert Clinic.objects.get(pk=people.clinic.pk).phone == "020 7946 0000"


@pytest.mark.parametrize("zone, saved", [("America/New_York", True), ("Mars/Olympus", False), ("", False)])
def test_the_clinics_clock_is_a_real_time_zone(client_for, people, managers, zone, saved):
    response = change(client_for("clinician"), people.clinic, time_zone=zone)
    assert (response.status_code == 302) is saved
    assert (Clinic.objects.get(pk=people.clinic.pk).time_zone == zone) is saved


@pytest.mark.parametrize("persona", ["clinician", "coach"])
def test_a_clinician_who_is_not_its_manager_reads_the_clinics_details(client_for, people, persona):
    Clinic.objects.filter(pk=people.clinic.pk).update(phone="020 7946 0000")
    client = client_for(persona)
    page = client.get(reverse("admin:portal_clinic_change", args=[people.clinic.pk]))
    if persona == "coach":  # no admin at all without the manager flag
        assert page.status_code == 302 and page["Location"].startswith(reverse("admin:login"))
    else:
        assert page.status_code == 200 and "020 7946 0000" in page.content.decode()
        assert 'name="phone"' not in page.content.decode()
    refused = change(client, people.clinic, phone="020 7946 1111")
    assert refused.status_code in (302, 403)
    assert Clinic.objects.get(pk=people.clinic.pk).phone == "020 7946 0000"


def test_a_coach_who_manages_the_clinic_keeps_its_contact_details(client_for, people):
    Clinician.objects.filter(pk=people.coach.pk).update(is_manager=True)
    response = change(client_for("coach"), people.clinic, phone="020 7946 2222")
    assert response.status_code == 302
    assert Clinic.objects.get(pk=people.clinic.pk).phone == "020 7946 2222"
