"""The athlete's phone app: logs saved on the phone while offline, sent later (rehab.views_offline.log_sync);
the web app manifest and the service worker."""

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert, AuditEntry
from rehab import services
from rehab.models import DailyLog, Plan
from tests.factories import PlanTemplateFactory

TODAY = timezone.localdate
SYNC = "rehab:log_sync"


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=10),
    )
    phase = plan.current_phase
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "run", 20, 3
    phase.max_pain_during = phase.max_pain_after = 3
    phase.save()
    return Plan.objects.select_related("current_phase").get(pk=plan.pk)


def queued(day=None, base="", **fields) -> dict:
    """What offline.js sends: the log form's fields as the page posted them, the phone's id and version."""
    return {
        "date": (day or TODAY()).isoformat(),
        "client_id": str(uuid.uuid4()),
        "base": base,
        "pain_during": "2",
        "pain_after": "1",
        "did_run": "on",
        "run_minutes": "25",
        "distance_km": "4.5",
        **fields,
    }


def version(log: DailyLog) -> str:
    return DailyLog.objects.get(pk=log.pk).updated.isoformat()


def test_a_queued_log_is_saved_with_the_phones_id_like_a_log_from_the_form(client_for, people, plan):
    client = client_for("athlete_a")
    phone = uuid.uuid4()
    response = client.post(reverse(SYNC), queued(client_id=str(phone), notes="Trail, felt fine"))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "saved" and answer["message"] == "Sent: your log for today is saved."
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    assert (log.pain_during, log.pain_after, log.run_minutes, str(log.distance_km), log.notes) == (
        2, 1, 25, "4.50", "Trail, felt fine",
    )  # fmt: skip
    assert log.client_id == phone and answer["version"] == log.updated.isoformat()
    assert log.phase_id == plan.current_phase_id


def test_the_same_copy_sent_twice_changes_nothing(client_for, people, plan):
    client = client_for("athlete_a")
    body = queued()
    assert client.post(reverse(SYNC), body).json()["status"] == "saved"
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    audited = AuditEntry.objects.count()
    again = client.post(reverse(SYNC), body)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert DailyLog.objects.filter(athlete=people.athlete_a).count() == 1
    assert DailyLog.objects.get(pk=log.pk).updated == log.updated
    assert AuditEntry.objects.count() == audited


def test_a_copy_made_from_the_log_as_it_still_is_updates_it(client_for, people, plan):
    log = services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 5, "run_minutes": 10})
    response = client_for("athlete_a").post(reverse(SYNC), queued(base=version(log)))
    assert response.status_code == 200 and response.json()["status"] == "saved"
    log.refresh_from_db()
    assert (log.pain_during, log.run_minutes) == (2, 25)


def test_a_log_changed_on_the_server_since_is_not_overwritten_but_shown_beside_the_phones(
    client_for, people, plan
):
    log = services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1, "run_minutes": 10})
    seen = version(log)  # the phone's page showed this version, then went offline
    services.log_save(
        athlete=people.athlete_a, day=TODAY(), data={"pain_during": 4, "notes": "From the laptop"}
    )
    before = DailyLog.objects.get(pk=log.pk)
    response = client_for("athlete_a").post(reverse(SYNC), queued(base=seen))
    assert response.status_code == 409
    answer = response.json()
    assert (
        answer["status"] == "conflict" and "was changed after this phone saved its copy" in answer["message"]
    )
    rows = {row["label"]: (row["phone"], row["server"]) for row in answer["rows"]}
    assert rows["Pain during"] == ("2", "4")
    assert rows["Run or walk (minutes)"] == ("25", "10")
    assert rows["Notes"] == ("—", "From the laptop")
    after = DailyLog.objects.get(pk=log.pk)
    assert (after.pain_during, after.notes, after.updated, after.client_id) == (
        4, "From the laptop", before.updated, None,
    )  # fmt: skip


def test_a_log_made_on_the_server_while_the_phone_had_none_is_a_conflict_too(client_for, people, plan):
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 6, "run_minutes": 30})
    response = client_for("athlete_a").post(reverse(SYNC), queued(base=""))
    assert response.status_code == 409
    assert DailyLog.objects.get(athlete=people.athlete_a, date=TODAY()).pain_during == 6


def test_replace_keeps_the_phones_copy(client_for, people, plan):
    log = services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 4, "run_minutes": 10})
    phone = uuid.uuid4()
    response = client_for("athlete_a").post(
        reverse(SYNC), queued(client_id=str(phone), base="old", replace="1")
    )
    assert response.status_code == 200 and response.json()["status"] == "saved"
    log.refresh_from_db()
    assert (log.pain_during, log.run_minutes, log.client_id) == (2, 25, phone)
    assert DailyLog.objects.filter(athlete=people.athlete_a).count() == 1


def test_the_same_answers_on_both_sides_are_no_conflict(client_for, people, plan):
    client = client_for("athlete_a")
    client.post(reverse(SYNC), queued())  # sent by this phone: the phone's page still shows no log
    response = client.post(reverse(SYNC), queued(base=""))  # a second copy, same answers, new id
    assert response.status_code == 200


def test_a_queued_log_raises_the_alerts_a_log_from_the_form_does(client_for, people, plan):
    client_for("athlete_a").post(reverse(SYNC), queued(cannot_bear_weight="on"))
    alerts = Alert.objects.filter(athlete=people.athlete_a, kind="log_red_flag")
    assert alerts.count() == 1 and alerts.get().severity == "emergency"


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"client_id": "not-an-id"}, "client_id", "The phone's id for this log is missing or not valid."),
        ({"client_id": ""}, "client_id", "The phone's id for this log is missing or not valid."),
        ({"date": "yesterday"}, "date", "The day of this log is missing or not a date."),
        ({"date": (TODAY() + timedelta(days=1)).isoformat()}, "date", "You can't log a day that hasn't happened yet."),
        ({"date": (TODAY() - timedelta(days=30)).isoformat()}, "date", "Logs can go back 14 days at most."),
        ({"pain_during": "11"}, "pain_during", ""),
        ({"run_minutes": ""}, "run_minutes", "How many minutes?"),
        ({"notes": "x" * 2001}, "notes", ""),
    ],
)  # fmt: skip
def test_a_bad_copy_is_refused_with_the_fields_message_and_nothing_saved(
    client_for, people, plan, change, field, words
):
    response = client_for("athlete_a").post(reverse(SYNC), queued(**change))
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == "invalid" and answer["errors"][field]
    assert words in " ".join(answer["errors"][field]) and answer["message"].startswith(
        "This log could not be saved"
    )
    assert not DailyLog.objects.filter(athlete=people.athlete_a).exists()


@pytest.mark.parametrize(
    "persona, expected",
    [("anonymous", 403), ("clinician", 403), ("coach", 403), ("other_clinician", 403), ("superuser", 403)],
)
def test_only_athletes_send_logs(client_for, people, plan, persona, expected):
    client = client_for(persona)
    assert client.get(reverse(SYNC)).status_code == expected
    response = client.post(reverse(SYNC), queued())
    assert response.status_code == expected and response.json()["status"] == "forbidden"
    assert not DailyLog.objects.exists()


def test_another_athlete_sending_saves_to_their_own_log_only(client_for, people, plan):
    response = client_for("athlete_b").post(reverse(SYNC), queued())
    assert response.status_code == 200
    assert not DailyLog.objects.filter(athlete=people.athlete_a).exists()
    assert DailyLog.objects.filter(athlete=people.athlete_b).count() == 1


def test_the_phone_gets_a_csrf_token_and_a_post_without_one_is_refused(people, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.athlete_a.user)
    assert client.post(reverse(SYNC), queued()).status_code == 403
    token = client.get(reverse(SYNC)).json()["csrf"]
    response = client.post(reverse(SYNC), queued(), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert DailyLog.objects.filter(athlete=people.athlete_a).count() == 1


def test_sending_a_log_keeps_to_its_query_budget(client_for, people, plan, django_assert_max_num_queries):
    client = client_for("athlete_a")
    body = queued()
    # The save with what follows it (log_save: the log, its audit entry, the alerts; the after-log job).
    with django_assert_max_num_queries(26):
        assert client.post(reverse(SYNC), body).status_code == 200
    with django_assert_max_num_queries(12):  # the same copy again: read, recognised, nothing written
        assert client.post(reverse(SYNC), body).json()["status"] == "unchanged"


# --- the installable app -------------------------------------------------------------------------------------


def test_the_manifest_opens_today_full_screen_with_the_sites_icons(client):
    response = client.get(reverse("rehab:manifest"))
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("rehab:athlete_today") and manifest["display"] == "standalone"
    assert manifest["name"] == "Stride Clinic" and manifest["theme_color"] == "#0f766e"
    assert [(icon["sizes"], icon["type"]) for icon in manifest["icons"]] == [
        ("192x192", "image/png"), ("512x512", "image/png"),
    ]  # fmt: skip
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL).removeprefix("/static/"))


def test_the_service_worker_is_served_from_the_root_uncached_with_its_files(client):
    response = client.get(reverse("rehab:service_worker"))
    assert reverse("rehab:service_worker") == "/sw.js"
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache" and response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    for page in ("rehab:athlete_today", "rehab:log_today", "rehab:my_plan"):
        assert f'"{reverse(page)}"' in body
    assert "rehab/offline.js" in body and "{{" not in body
    version = body.split('var VERSION = "')[1].split('"')[0]
    assert len(version) == 12 and client.get(reverse("rehab:service_worker")).content.decode() == body


@pytest.mark.parametrize("persona, linked", [("athlete_a", True), ("clinician", False), ("anonymous", False)])
def test_only_athletes_pages_offer_the_app(client_for, people, plan, persona, linked):
    page = {"athlete_a": "rehab:athlete_today", "clinician": "athlete_list", "anonymous": "login"}[persona]
    html = client_for(persona).get(reverse(page)).content.decode()
    assert (f'rel="manifest" href="{reverse("rehab:manifest")}"' in html) is linked
    assert ('data-athlete="1"' in html) is linked
    assert "rehab/offline.js" in html  # it forgets the kept pages on logging out, for everyone


def test_the_log_form_carries_the_version_the_phone_compares(client_for, people, plan):
    client = client_for("athlete_a")
    assert 'data-version=""' in client.get(reverse("rehab:log_today")).content.decode()
    log = services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1})
    assert f'data-version="{version(log)}"' in client.get(reverse("rehab:log_today")).content.decode()
