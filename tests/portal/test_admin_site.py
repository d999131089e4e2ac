"""The project's admin site (portal.admin_site): Django's, with its titles and a scoped "view on site"."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from portal.admin_site import StrideAdminSite


def test_the_default_admin_site_is_the_projects(client_for):
    assert isinstance(admin.site, StrideAdminSite)
    page = client_for("clinician").get(reverse("admin:index")).content.decode()
    assert "<title>Clinic records | Stride Clinic</title>" in page
    # The portal's logo and name head the admin, as they head the portal.
    assert 'class="stride-brand-mark"' in page and "<span>Stride Clinic</span>" in page


def test_view_on_site_leads_to_the_record_only_within_the_clinic(client_for, people):
    url = reverse(
        "admin:view_on_site",
        args=[ContentType.objects.get_for_model(people.athlete_a).pk, people.athlete_a.pk],
    )
    mine = client_for("clinician").get(url)
    assert mine.status_code == 302 and mine["Location"].endswith(people.athlete_a.get_absolute_url())
    other = url.replace(f"/{people.athlete_a.pk}/", "/999999999/")
    theirs = client_for("other_clinician").get(url)
    missing = client_for("other_clinician").get(other)
    # Another clinic's record and a missing one read the same: nothing tells whether the id exists.
    assert theirs.status_code == missing.status_code == 404
    assert people.athlete_a.last_name not in theirs.content.decode()
