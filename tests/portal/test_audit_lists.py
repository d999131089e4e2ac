"""Reading a list of health records is in the audit trail: the API's lists (alerts, intakes, plans, daily logs)
and the admin's lists of daily logs, intakes, alerts and plans. One insert per list, one "viewed" entry per
athlete on the page (so the athlete's own trail shows it), each naming the list, the filters and the number of
rows shown; never one entry per row, never a token from the query string."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.models import AuditEntry
from rehab import services as rehab_services
from tests.factories import AlertFactory, AthleteFactory, IntakeFactory, PlanTemplateFactory

A = AuditEntry.Action
TODAY = timezone.localdate


def list_views(user):
    return AuditEntry.objects.filter(action=A.ACCESS, actor=user, content_type__model="athlete").order_by(
        "pk"
    )


def _logs(*athletes):
    for athlete in athletes:
        rehab_services.log_save(athlete=athlete, day=TODAY(), data={"pain_during": 2})


def _plans(people, *athletes):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    for athlete in athletes:
        rehab_services.plan_assign(
            athlete=athlete, template=template, by=people.clinician.user, start=TODAY() - timedelta(days=2)
        )


def _alerts(*athletes):
    for athlete in athletes:
        AlertFactory(athlete=athlete)


def _intakes(*athletes):
    for athlete in athletes:
        IntakeFactory(athlete=athlete)


MAKERS = {
    "alert": lambda people, *athletes: _alerts(*athletes),
    "intake": lambda people, *athletes: _intakes(*athletes),
    "plan": _plans,
    "dailylog": lambda people, *athletes: _logs(*athletes),
}

# (persona, URL name, record kind): every list of health records.
LISTS = {
    "api_alerts": ("clinician", "alert-list", "alert"),
    "api_intakes": ("clinician", "intake-list", "intake"),
    "api_plans": ("clinician", "plan-list", "plan"),
    "api_daily_logs": ("clinician", "dailylog-list", "dailylog"),
    "admin_alerts": ("clinician", "admin:portal_alert_changelist", "alert"),
    "admin_intakes": ("clinician", "admin:triage_intake_changelist", "intake"),
    "admin_plans": ("clinician", "admin:rehab_plan_changelist", "plan"),
    "admin_daily_logs": ("clinician", "admin:rehab_dailylog_changelist", "dailylog"),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_list_read_records_each_athlete_shown_with_the_list_and_its_filters(client_for, people, name):
    persona, url_name, kind = LISTS[name]
    MAKERS[kind](people, people.athlete_a, people.athlete_b, people.other_athlete)
    user = people.user(persona)
    response = client_for(persona).get(reverse(url_name), {"o": "1"} if url_name.startswith("admin:") else {})
    assert response.status_code == 200, response.content[:300]
    seen = list_views(user)
    # Both of the clinic's athletes, not the other clinic's; one entry each, whatever the rows.
    assert sorted(entry.athlete_id for entry in seen) == sorted([people.athlete_a.pk, people.athlete_b.pk])
    assert {entry.clinic_id for entry in seen} == {people.clinic.pk}
    for entry in seen:
        assert entry.additional_data["view"] == url_name
        assert entry.additional_data["rows"] == 2
        assert entry.additional_data["athletes"] == 2
        assert entry.object_repr == str(entry.athlete)
    if url_name.startswith("admin:"):
        assert {entry.additional_data["query"] for entry in seen} == {"o=1"}
    # The list of one athlete's records: one entry, against them.
    list_views(user).delete()
    field = "athlete__id__exact" if url_name.startswith("admin:") else "athlete"
    client_for(persona).get(reverse(url_name), {field: people.athlete_a.pk})
    entry = list_views(user).get()
    assert entry.athlete_id == people.athlete_a.pk
    assert entry.additional_data["query"] == f"{field}={people.athlete_a.pk}"
    assert entry.additional_data["rows"] == 1


def test_tokens_and_keys_in_the_query_string_are_not_recorded(rf):
    request = rf.get("/admin/portal/alert/?o=1&severity=urgent&token=s3cret&api_key=k3y&Password=pw&q=Aalto")
    assert audit.recorded_query(request) == "o=1&severity=urgent&q=Aalto"
    assert len(audit.recorded_query(rf.get("/", {"q": "x" * 5000}))) == audit.QUERY_RECORDED_MAX


def test_the_filters_recorded_are_scrubbed_with_the_athletes_personal_data(client_for, people):
    from portal import services

    _alerts(people.athlete_a)
    client_for("clinician").get(reverse("admin:portal_alert_changelist"), {"q": "Aalto"})
    assert list_views(people.clinician.user).get().additional_data["query"] == "q=Aalto"
    services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    entry = list_views(people.clinician.user).get()
    assert entry.additional_data == {"view": "admin:portal_alert_changelist"}
    assert "Aalto" not in entry.object_repr


def test_an_api_alert_opened_is_recorded(client_for, people):
    alert = AlertFactory(athlete=people.athlete_a)
    response = client_for("clinician").get(reverse("alert-detail", args=[alert.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=A.ACCESS, content_type__model="alert", object_id=alert.pk)
    assert (entry.actor, entry.athlete_id) == (people.clinician.user, people.athlete_a.pk)


def test_an_empty_list_and_an_admin_action_record_no_view(client_for, people):
    client = client_for("clinician")
    assert client.get(reverse("alert-list")).status_code == 200
    assert client.get(reverse("admin:portal_alert_changelist")).status_code == 200
    assert not list_views(people.clinician.user).exists()
    alert = AlertFactory(athlete=people.athlete_a)
    client.post(
        reverse("admin:portal_alert_changelist"),
        {"action": "resolve", "_selected_action": [alert.pk]},
    )
    assert not list_views(people.clinician.user).exists()


def test_the_athletes_own_trail_shows_the_list_read(client_for, people):
    _alerts(people.athlete_a)
    client_for("clinician").get(reverse("alert-list"))
    assert list(audit.entries_for_athlete(people.athlete_a).filter(action=A.ACCESS)) == list(
        list_views(people.clinician.user)
    )


@pytest.mark.parametrize("name", LISTS)
def test_a_list_read_costs_the_same_queries_for_one_athlete_or_many(client_for, people, name):
    persona, url_name, kind = LISTS[name]
    client = client_for(persona)
    MAKERS[kind](people, people.athlete_a)
    client.get(reverse(url_name))  # warm the caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url_name)).status_code == 200
    many = [AthleteFactory(clinic=people.clinic) for _ in range(6)]
    MAKERS[kind](people, *many)
    with CaptureQueriesContext(connection) as seven:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(seven) == len(one), [q["sql"][:120] for q in seven.captured_queries]
    assert list_views(people.user(persona)).count() == 1 + 1 + 7


def test_the_audit_view_says_which_list_how_many_rows_and_the_filters(client_for, people):
    _alerts(people.athlete_a, people.athlete_b)
    client = client_for("clinician")
    client.get(reverse("admin:portal_alert_changelist"), {"severity__exact": "urgent"})
    entry = list_views(people.clinician.user).first()
    page = client.get(reverse("admin:portal_auditentry_change", args=[entry.pk])).content.decode()
    assert "Admin: alerts list · 2 rows, 2 athletes · ?severity__exact=urgent" in page
    listing = client.get(reverse("admin:portal_auditentry_changelist")).content.decode()
    assert listing.count("Admin: alerts list · 2 rows, 2 athletes") == 2
