"""The clinic's details (logo, phone, email, address, opening hours, out of hours), edited in the admin and shown
where athletes see the clinic: My plan, Today, their hip check result and their emails."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from portal import services
from portal.models import Clinic, Clinician
from rehab.reminders import reminder_email
from tests import factories

DETAILS = {
    "phone": "+44 20 7946 0000",
    "email": "desk@riverside.example",
    "address": "12 River Lane\nLondon SE1 2AB",
    "opening_hours": "Mon–Fri 8:00–18:00",
    "out_of_hours": "Call NHS 111, or 999 in an emergency.",
}


def with_details(clinic) -> Clinic:
    Clinic.objects.filter(pk=clinic.pk).update(**DETAILS)
    return Clinic.objects.get(pk=clinic.pk)


def photo_with_exif() -> io.BytesIO:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (300, 120), (30, 140, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    buffer.write(b"<script>alert(1)</script>")  # bytes after the picture's end
    buffer.seek(0)
    buffer.name = "logo of the clinic.jpg"
    return buffer


def sent_bodies(jobs) -> list[str]:
    return [args[0]["body"] for name, args, _ in jobs.sent if name == "portal.send_email"]


def admin_change(client, clinic, **data):
    body = {"name": clinic.name, "slug": clinic.slug, "time_zone": clinic.time_zone, **DETAILS, **data}
    return client.post(reverse("admin:portal_clinic_change", args=[clinic.pk]), body)


def test_the_details_and_a_reencoded_logo_are_edited_in_the_admin(client_for, people):
    # The clinic's details are its manager's to change.
    Clinician.objects.filter(pk=people.clinician.pk).update(is_manager=True)
    response = admin_change(client_for("clinician"), people.clinic, logo=photo_with_exif())
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=people.clinic.pk)
    assert {field: getattr(clinic, field) for field in DETAILS} == DETAILS
    assert clinic.logo.name.startswith("clinics/") and "logo" not in clinic.logo.name
    stored = clinic.logo.read()
    assert b"<script>" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (300, 120) and "exif" not in image.info


def test_a_logo_that_is_not_a_picture_is_refused(client_for, people):
    upload = io.BytesIO(b"<html>not a picture</html>")
    upload.name = "logo.png"
    response = admin_change(client_for("superuser"), people.clinic, logo=upload)
    assert response.status_code == 200 and "logo" in response.context["adminform"].form.errors
    assert not Clinic.objects.get(pk=people.clinic.pk).logo


@pytest.mark.parametrize("page", ["rehab:my_plan", "rehab:athlete_today"])
def test_the_athletes_pages_show_the_clinics_details(client_for, people, page):
    with_details(people.clinic)
    html = client_for("athlete_a").get(reverse(page)).content.decode()
    assert 'href="tel:+442079460000"' in html and "mailto:desk@riverside.example" in html
    assert "12 River Lane<br>London SE1 2AB" in html and "Mon–Fri 8:00–18:00" in html
    assert "Call NHS 111, or 999 in an emergency." in html


def test_no_empty_box_when_the_clinic_has_no_details(client_for, people):
    html = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    assert "clinic-contact" not in html


def test_the_athletes_hip_check_result_shows_them_but_not_the_clinicians_view(client_for, people):
    with_details(people.clinic)
    intake = factories.IntakeFactory(athlete=people.athlete_a)
    url = reverse("triage:intake_detail", args=[intake.pk])
    assert "Call NHS 111" in client_for("athlete_a").get(url).content.decode()
    assert "Call NHS 111" not in client_for("clinician").get(url).content.decode()


def test_reminders_and_invites_end_with_the_clinics_details(people, jobs):
    clinic = with_details(people.clinic)
    athlete = people.athlete_a
    athlete.refresh_from_db()
    body = reminder_email(athlete, "log_today").body
    assert "Phone: +44 20 7946 0000" in body and "When the clinic is closed: Call NHS 111" in body
    invited = factories.AthleteFactory(clinic=clinic, email="new@example.com")
    services.invite_send(athlete=invited, by=people.clinician.user)
    assert "Email: desk@riverside.example" in sent_bodies(jobs)[-1]
