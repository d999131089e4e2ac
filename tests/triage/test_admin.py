"""The intake admin: records are read-only, the review goes through the same service as the review page."""

from django.urls import reverse

from portal.models import Alert
from tests.triage.utils import sample
from triage import services
from triage.models import Condition


def urgent_intake(people):
    return services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("urgent_night_pain")
    )


def test_changelist_is_scoped_and_filterable(client_for, people):
    urgent_intake(people)
    services.intake_submit(
        athlete=people.other_athlete, by=people.other_athlete.user, answers=sample("self_care_hip_flexor")
    )
    url = reverse("admin:triage_intake_changelist")
    html = client_for("clinician").get(url).content.decode()
    assert "Anna Aalto" in html and "Olga Otto" not in html
    assert "By urgency" in html and "By confirmed condition" in html
    filtered = client_for("superuser").get(url, {"urgency__exact": "self_care"}).content.decode()
    assert "Olga Otto" in filtered and "Anna Aalto" not in filtered


def test_answers_and_result_are_shown_but_not_editable(client_for, people):
    intake = urgent_intake(people)
    html = (
        client_for("clinician").get(reverse("admin:triage_intake_change", args=[intake.pk])).content.decode()
    )
    # In words, as on the review page: the ticked statement and the urgency, not the stored JSON.
    assert "The pain wakes me at night" in html and "Urgent" in html
    assert "&quot;night_pain&quot;" not in html and "stride-json" not in html
    assert 'name="answers"' not in html and 'name="result"' not in html
    assert 'name="confirmed_condition"' in html and 'name="review_notes"' in html


def test_saving_in_the_admin_reviews_the_intake_and_resolves_the_alert(client_for, people):
    intake = urgent_intake(people)
    condition = Condition.objects.get(code="osteoarthritis")
    url = reverse("admin:triage_intake_change", args=[intake.pk])
    response = client_for("clinician").post(
        url,
        {
            "confirmed_condition": condition.pk,
            "review_notes": "Seen.",
            "answers": "{}",
            "urgency": "self_care",
        },
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.confirmed_condition == condition and intake.reviewed_by == people.clinician.user
    assert intake.answers == sample("urgent_night_pain")  # the posted "answers" were ignored
    assert intake.urgency == "urgent"
    assert not Alert.objects.open().exists()


def test_nobody_adds_intakes_or_alerts_by_hand_and_clinicians_cannot_delete(client_for, people):
    intake = urgent_intake(people)
    for persona in ("clinician", "superuser"):
        client = client_for(persona)
        assert client.get(reverse("admin:triage_intake_add")).status_code == 403
        assert client.get(reverse("admin:portal_alert_add")).status_code == 403
    clinician = client_for("clinician")
    assert clinician.get(reverse("admin:triage_intake_delete", args=[intake.pk])).status_code == 403


def test_clinicians_read_the_condition_catalogue_only(client_for, people):
    condition = Condition.objects.get(code="labral_tear")
    clinician = client_for("clinician")
    url = reverse("admin:triage_condition_change", args=[condition.pk])
    assert clinician.get(url).status_code == 200
    clinician.post(url, {"name": "Changed", "region": "x", "presentation": "x", "default_urgency": "routine"})
    condition.refresh_from_db()
    assert condition.name == "Hip labral tear"
    assert clinician.get(reverse("admin:triage_condition_add")).status_code == 403
