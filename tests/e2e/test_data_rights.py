"""An athlete downloads everything about her; her physio deletes her personal data, typing her name to confirm."""

import json
import zipfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Athlete
from rehab import services as rehab_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_athlete_downloads_her_data_from_my_profile(page, log_in, people):
    anna = people.athlete_a
    rehab_services.log_save(
        athlete=anna, day=timezone.localdate(), data={"pain_during": 2, "notes": "Easy day"}
    )
    log_in(anna.user)
    page.goto("/me/")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    page.get_by_role("button", name="Download my data").click()  # prepared by a job, then a download page
    expect(page.get_by_role("link", name="Download", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"stride-clinic-anna-aalto-{timezone.localdate().isoformat()}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        assert "README.txt" in archive.namelist() and "daily_logs.csv" in archive.namelist()
        data = json.loads(archive.read("stride-clinic-data.json"))
    assert data["profile"]["last_name"] == "Aalto" and data["daily_logs"][0]["notes"] == "Easy day"


def test_physio_deletes_an_athletes_personal_data(page, log_in, people):
    anna = people.athlete_a
    log_in(people.clinician.user)
    page.goto(anna.get_absolute_url())
    page.get_by_role("link", name="Delete personal data").click()
    expect(page.get_by_role("heading", name="Delete Anna Aalto's personal data")).to_be_visible()

    # A slip of the keyboard changes nothing.
    page.get_by_label("Type the athlete's full name to confirm").fill("Anna Alto")
    page.get_by_role("button", name="Delete personal data").click()
    # Said at the top, where the focus goes, and under the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("That is not the athlete's name.")
    expect(page.locator("#id_confirm_name_error")).to_contain_text("That is not the athlete's name.")
    assert Athlete.objects.get(pk=anna.pk).anonymised_at is None

    page.get_by_label("Type the athlete's full name to confirm").fill("Anna Aalto")
    page.get_by_role("button", name="Delete personal data").click()
    expect(page.get_by_text("The personal data was deleted.")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Aalto")
    assert Athlete.objects.get(pk=anna.pk).full_name == f"Former athlete #{anna.pk}"
